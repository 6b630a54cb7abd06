// The one request function of every API client: one HTTP exchange after another until the answer
// is a success, or a failure the retry policy (data, see retry.ts) says not to repeat. What is
// retried: a response that proves the server did nothing (429) for any method; a network error or a
// retryable status only for requests that are safe to repeat. Clients keep only what is theirs:
// their API's error messages and error type.
import axios, { type AxiosInstance } from "axios";
import { backoffMs, serverRequestedWaitMs, sleep, type RetryPolicy } from "./retry";

export interface Exchange {
  /** HTTP status; 0 when no response came (see networkError). */
  status: number;
  data: unknown;
  /** Response headers, names lower-cased. */
  headers: Record<string, string | undefined>;
  /** Why no response came (connection refused or dropped, timeout), redacted. */
  networkError?: string;
  /** Attempts before this one. */
  attempt: number;
  ms: number;
}

export interface SendOptions {
  policy: RetryPolicy;
  /** Safe to repeat after a failure the server may have acted on (not a plain POST). */
  idempotent: boolean;
  /** Takes credentials out of a network error's text before it is kept. */
  redact: (text: string) => string;
  random?: () => number;
  /** Told of every exchange and what comes of it. */
  onExchange?: (e: Exchange, outcome: "ok" | "retry" | "error") => void;
}

/** Sends the request, retrying per the policy; returns the last exchange, a success or not. */
export async function send(
  http: AxiosInstance,
  request: { method: string; url: string; params?: unknown; data?: unknown },
  opts: SendOptions,
): Promise<Exchange> {
  for (let attempt = 0; ; attempt++) {
    const started = Date.now();
    const exchange: Exchange = { status: 0, data: undefined, headers: {}, attempt, ms: 0 };
    try {
      const res = await http.request(request);
      exchange.status = res.status;
      exchange.data = res.data;
      exchange.headers = Object.fromEntries(
        Object.entries(res.headers).map(([k, v]) => [
          k.toLowerCase(),
          v === undefined ? undefined : String(v),
        ]),
      );
    } catch (e) {
      // Clients accept every status, so an axios error means no response at all. Only its code
      // and message are kept: the error object itself holds the request config, credentials too.
      if (!axios.isAxiosError(e)) throw e;
      exchange.networkError = opts.redact(`${e.code ?? "network error"}: ${e.message}`);
    }
    exchange.ms = Date.now() - started;
    if (exchange.networkError === undefined && exchange.status < 400) {
      opts.onExchange?.(exchange, "ok");
      return exchange;
    }
    const { policy } = opts;
    const retryable =
      exchange.networkError !== undefined
        ? opts.idempotent
        : policy.safeForAnyMethod.includes(exchange.status) ||
          (opts.idempotent && policy.statusCodes.includes(exchange.status));
    if (!retryable || attempt >= policy.limit) {
      opts.onExchange?.(exchange, "error");
      return exchange;
    }
    opts.onExchange?.(exchange, "retry");
    const asked = exchange.networkError === undefined ? serverRequestedWaitMs(exchange.headers) : undefined;
    await sleep(
      asked !== undefined ? Math.min(asked, policy.maxRetryAfterMs) : backoffMs(policy, attempt, opts.random),
    );
  }
}
