// Public LoadBalancer VIP → elastic IP (public IPv4 block): GET/POST /projects/{id}/ips
// (type "public_ipv4"), DELETE /ips/{id}.
import { AnyvpcError, ApiError } from "../../../errors";
import { sleep } from "../../retry";
import type { MetalClient } from "../client";
import type * as T from "../types";
import { adoptOrCreate, deleteIfPresent, hasTag, ownerTag, type MetalSite, type PollOptions } from "./common";

// Public LoadBalancer VIP → elastic IP reservation + local BGP for the backends that announce it

/** An elastic IP reservation that is not usable (denied, still awaiting review) or not as asked. */
export class ElasticIpError extends AnyvpcError {
  constructor(
    message: string,
    readonly reservationId: string | undefined,
    readonly state: string | undefined,
    fix?: string,
    cause?: ApiError,
  ) {
    super(
      message,
      {
        value: state,
        fix,
        status: cause?.status,
        method: cause?.method,
        path: cause?.path,
        requestId: cause?.requestId,
      },
      cause ? { cause } : undefined,
    );
  }
}

export interface ElasticIpSpec {
  owner: string;
  /** Addresses in the block: 1, 2, 4 ... 256 (a /32 ... /24). Default 1. */
  quantity?: number;
  /** Sent as the reservation's `details`. */
  description?: string;
}

export interface ElasticIp {
  id: string;
  /** The block's network address. */
  network: string;
  cidr: number;
  /** The block's first address: the VIP of a /32. */
  address: string;
}

const isPublicBlock = (r: T.IpReservation | T.VrfIpReservation): r is T.IpReservation =>
  r.type === "public_ipv4";

/**
 * A public IPv4 block (an elastic IP) in the site's metro, reserved with
 * `fail_on_approval_required` so that an over-quota request fails at once (422) instead of waiting
 * for a manual review, and tagged with its owner. A tagged reservation of the owner is adopted, so a
 * retried or crashed create never leaves a second one. A reservation still `pending` (requested
 * without the flag, e.g. by an older run) is waited for through the project's list, which is the
 * only read of a pending block the spec can describe; `denied`, or still pending at the timeout,
 * is an ElasticIpError, as is an adopted block of another size or metro.
 */
export async function ensureElasticIp(
  client: MetalClient,
  site: MetalSite,
  spec: ElasticIpSpec,
  poll: PollOptions = {},
): Promise<ElasticIp> {
  const quantity = spec.quantity ?? 1;
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > 256 || (quantity & (quantity - 1)) !== 0) {
    throw new AnyvpcError(`an elastic IP block of ${String(quantity)} addresses cannot be reserved`, {
      value: quantity,
      fix: "ask for 1, 2, 4, 8, 16, 32, 64, 128 or 256 addresses",
    });
  }
  const cidr = 32 - Math.log2(quantity);
  const mine = async () =>
    (await client.listProjectIps(site.projectId, { types: ["public_ipv4"], include: "metro" }))
      .filter(isPublicBlock)
      .filter((r) => hasTag(r.tags, spec.owner));
  let created: T.IpReservation;
  try {
    created = await adoptOrCreate(
      async () => (await mine())[0],
      () =>
        client.requestPublicIps(site.projectId, {
          type: "public_ipv4",
          quantity,
          metro: site.metro,
          fail_on_approval_required: true,
          details: spec.description,
          tags: [ownerTag(spec.owner)],
        }),
    );
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 422)) throw e;
    throw new ElasticIpError(
      `no elastic IP (${quantity} address${quantity === 1 ? "" : "es"}) for ${spec.owner} in metro ${site.metro}: ${e.apiMessage}`,
      undefined,
      undefined,
      "raise the project's public IPv4 quota or free public addresses (requests that need approval are refused, not queued)",
      e,
    );
  }
  const metro = created.metro?.code;
  if (metro !== undefined && metro.toLowerCase() !== site.metro.toLowerCase()) {
    throw new ElasticIpError(
      `elastic IP ${created.id} of ${spec.owner} is in metro ${metro}, not ${site.metro}`,
      created.id,
      created.state,
      "delete it (deleteElasticIp) so that it can be reserved in the site's metro",
    );
  }
  if (created.cidr !== undefined && created.cidr !== cidr) {
    throw new ElasticIpError(
      `elastic IP ${created.id} of ${spec.owner} is a /${created.cidr}, not a /${cidr} (${quantity} addresses)`,
      created.id,
      created.state,
      "delete it (deleteElasticIp) so that it can be reserved with the new size",
    );
  }
  let block = created;
  if (block.state === "pending") {
    const deadline = Date.now() + (poll.timeoutMs ?? 120_000);
    while (block.state === "pending" && Date.now() <= deadline) {
      await sleep(poll.intervalMs ?? 1_000);
      const again = (await mine()).find((r) => r.id === created.id);
      if (!again) {
        throw new ElasticIpError(
          `elastic IP ${created.id} of ${spec.owner} disappeared while pending review`,
          created.id,
          undefined,
          "retry: a new reservation will be requested",
        );
      }
      block = again;
    }
  }
  if (block.state !== undefined && block.state !== "created") {
    const pending = block.state === "pending";
    throw new ElasticIpError(
      pending
        ? `elastic IP ${block.id} of ${spec.owner} is still pending: the request exceeds the project's public IPv4 quota and awaits Equinix's review`
        : `elastic IP ${block.id} of ${spec.owner} is ${block.state}, not created`,
      block.id,
      block.state,
      pending
        ? "wait for the review, or delete the reservation (deleteElasticIp) and raise the project's IP quota"
        : "delete the reservation (deleteElasticIp), raise the project's IP quota, and retry",
    );
  }
  const network = block.network ?? block.address;
  if (network === undefined) {
    throw new ElasticIpError(`elastic IP ${block.id} has no address`, block.id, block.state);
  }
  return { id: block.id, network, cidr: block.cidr ?? cidr, address: block.address ?? network };
}

/** Deletes an elastic IP reservation; 403/404 mean already gone. Unassign its addresses first. */
export async function deleteElasticIp(client: MetalClient, id: string): Promise<void> {
  await deleteIfPresent(() => client.deleteIp(id));
}
