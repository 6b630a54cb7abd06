// Equinix Metal: a load balancer's VIP is an elastic IP (fail_on_approval_required), project BGP
// is enabled, each backend device gets a BGP session, and the outputs carry what each backend's
// speaker needs to announce the VIP (peers, ASNs, a BIRD snippet; the password as a secret):
// health there belongs to the speakers, which withdraw the VIP.
import { randomBytes } from "node:crypto";
import { ApiError } from "../../errors";
import type { AttachmentState, LoadBalancerState } from "../../generated/schema";
import type { MetalClient } from "../../drivers/metal/client";
import {
  bgpPeeringFacts,
  deleteDeviceBgpSession,
  deleteElasticIp,
  ensureDeviceBgpSession,
  ensureElasticIp,
  ensureProjectBgp,
  ownerTag,
  speakerConfig,
  type MetalSite,
} from "../../drivers/metal/realize";
import { records } from "../../ledger/keys";
import type { LoadBalancerRealizer, SiteContext } from "../adapter";
import { elasticIpOf, isMetalDevice } from "../targets";

/** A BGP password as Metal wants it: 10-20 letters and digits, with a lower, an upper and a digit. */
function bgpPasswordFor(): string {
  const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = randomBytes(13);
  return "aZ7" + [...bytes].map((b) => alphabet[b % alphabet.length]).join("");
}

/** The Metal device port of a backend attachment, if it is one. */
const deviceOf = async (ctx: SiteContext, attachment: string) => {
  const target = (await ctx.ledger.getRecord<AttachmentState>(records.attachment, attachment))?.target;
  return target && isMetalDevice(target) ? target : undefined;
};

export function metalLoadBalancer(metal: MetalClient, site: MetalSite): LoadBalancerRealizer {
  /** Removes the sessions of `leaving` backends that no other load balancer uses. */
  async function dropSessions(ctx: SiteContext, lbId: string, leaving: readonly string[]): Promise<void> {
    for (const attachment of leaving) {
      const others = ((await ctx.ledger.getRecord<string[]>(records.backendUsers, attachment)) ?? []).filter(
        (u) => u !== lbId,
      );
      const device = (await deviceOf(ctx, attachment))?.device;
      if (others.length || !device) continue;
      // A device that is gone has no sessions left; any other failure is the caller's to see.
      const sessions = await metal.listBgpSessions(device).catch((e: unknown) => {
        if (e instanceof ApiError && (e.status === 403 || e.status === 404)) return [];
        throw e;
      });
      for (const session of sessions) await deleteDeviceBgpSession(metal, session.id);
    }
  }

  return {
    // Speakers decide health at a Metal site; nothing is probed from where the provider runs.
    probeAddress: () => undefined,
    async realize(ctx, { id, state: s, previous, speakerAsn }) {
      const eip = await ensureElasticIp(metal, site, { owner: s.owner, description: `anyvpc ${s.name}` });
      // The project's BGP sessions get a password when anyvpc is the one enabling BGP; a project
      // whose BGP someone else enabled keeps its own (the neighbours' facts carry it either way).
      const enabled = await metal.getBgpConfig(site.projectId);
      const fresh = !enabled || !["enabled", "requested"].includes(enabled.status ?? "");
      await ensureProjectBgp(metal, site.projectId, {
        asn: speakerAsn,
        ...(fresh ? { md5: bgpPasswordFor() } : {}),
      });
      const peers: NonNullable<LoadBalancerState["bgpPeers"]> = [];
      const configs: string[] = [];
      const sessionIds: string[] = [];
      let password: string | undefined;
      for (const b of s.backends) {
        const target = await deviceOf(ctx, b.attachment);
        if (!target) continue;
        const device = target.device;
        sessionIds.push((await ensureDeviceBgpSession(metal, device, "ipv4")).id);
        const facts = await bgpPeeringFacts(metal, device);
        for (const n of facts.neighbors.filter((x) => x.addressFamily === 4 && x.customerIp !== undefined)) {
          peers.push({
            attachment: b.attachment,
            server: target.hostname,
            localAddress: n.customerIp!,
            localAsn: n.customerAs ?? speakerAsn,
            peerAddresses: n.peerIps,
            peerAsn: n.peerAs ?? 0,
            multihop: n.multihop,
          });
        }
        configs.push(`# --- ${target.hostname} ---\n${speakerConfig(facts, eip.address)}`);
        password ??= facts.password;
      }
      if (previous) {
        const now = new Set(s.backends.map((b) => b.attachment));
        await dropSessions(
          ctx,
          id,
          previous.backends.map((b) => b.attachment).filter((b) => !now.has(b)),
        );
      }
      return {
        vip: eip.address,
        realization: { complete: true, reservationId: eip.id, sessionIds },
        bgpPeers: peers,
        speakerConfig: configs.join("\n"),
        ...(password ? { bgpPassword: password } : {}),
      };
    },
    async read(ctx, { state }) {
      const reservationId = elasticIpOf(state.realization);
      if (!reservationId) return false;
      const reserved = await metal.getIp(reservationId).then(
        () => true,
        () => false,
      );
      if (!reserved) return false;
      for (const b of state.backends) {
        const device = (await deviceOf(ctx, b.attachment))?.device;
        if (device && !(await metal.listBgpSessions(device)).some((x) => x.address_family === "ipv4"))
          return false;
      }
      return true;
    },
    async unrealize(ctx, { id, state }) {
      await dropSessions(
        ctx,
        id,
        state.backends.map((b) => b.attachment),
      );
      // The elastic IP by its id, and any other tagged with the owner (a create that failed
      // before it knew the id).
      const reservationId = elasticIpOf(state.realization);
      if (reservationId) await deleteElasticIp(metal, reservationId);
      const tag = ownerTag(state.owner);
      const mine = await metal.listProjectIps(site.projectId, { types: ["public_ipv4"] });
      for (const ip of mine.filter((x) => (x.tags ?? []).includes(tag) && x.id !== reservationId))
        await deleteElasticIp(metal, ip.id);
    },
  };
}
