// Checks a Metal simulator's request log against the vendor spec, so any test that drives the client
// against the simulator can also prove that both sides stayed inside the documented API.
import { AssertionError } from "node:assert";
import { loadMetalContract } from "./openapi";
import type { RequestLogEntry } from "../../sim/metal";
import type { ContractViolation, MetalContract } from "./openapi";

/** One request/response pair as the Metal simulator logs it. */
export type LoggedExchange = RequestLogEntry;

/** A violation found in a logged exchange, with the exchange it came from. */
export interface TrafficViolation extends ContractViolation {
  seq: number;
  requestId: string;
}

/**
 * Checks every request body and every genuine response. Responses the simulator injected through a fault
 * knob (and dropped connections, status 0) are not the API's answers, so only their requests are checked.
 * A path the spec does not know is reported once per exchange.
 */
export function checkTraffic(contract: MetalContract, log: LoggedExchange[]): TrafficViolation[] {
  const found: TrafficViolation[] = [];
  for (const exchange of log) {
    const tag = { seq: exchange.seq, requestId: exchange.requestId };
    // Every method goes through checkRequest: it accepts an absent body where none is defined, and a GET
    // or DELETE that carries a body the spec does not define is worth reporting too.
    const request = contract.checkRequest(exchange.method, exchange.apiPath, exchange.requestBody);
    for (const violation of request) found.push({ ...violation, ...tag });
    if (contract.operationFor(exchange.method, exchange.apiPath) === undefined) continue;
    if (exchange.status === 0 || exchange.injected !== undefined) continue;
    const response = contract.checkResponse(
      exchange.method,
      exchange.apiPath,
      exchange.status,
      exchange.responseBody,
    );
    for (const violation of response) found.push({ ...violation, ...tag });
  }
  return found;
}

const SHOWN = 20;

/** Throws an AssertionError listing the violations (the first 20) when the log strays from the spec. */
export async function assertTrafficMatchesSpec(log: LoggedExchange[]): Promise<void> {
  const violations = checkTraffic(await loadMetalContract(), log);
  if (violations.length === 0) return;
  const lines = violations.slice(0, SHOWN).map((v) => {
    const status = v.status === undefined ? "" : ` ${v.status}`;
    const head = `#${v.seq} ${v.operation} ${v.where}${status} (request id ${v.requestId || "-"})`;
    return [head, ...v.errors.map((error) => `    ${error}`)].join("\n");
  });
  if (violations.length > SHOWN) lines.push(`... and ${violations.length - SHOWN} more`);
  throw new AssertionError({
    message:
      `${violations.length} contract violation(s) against the Equinix Metal spec in ${log.length} exchange(s):\n` +
      lines.join("\n"),
  });
}
