// NVUE: a load balancer is its VIP routed in the VPC's VRF on every leaf (ECMP static routes to the
// backends in service, or in bgp mode sessions with the backends' speakers that announce it) and an
// ACL on the backends' ports so the VIP answers only on its listeners.
import type { AttachmentState, LoadBalancerState, NvueSiteConfig } from "../../generated/schema";
import { removeVipChanges, vipChanges, type VipIntent } from "../../drivers/nvue/intent";
import { holds, type NvueSite } from "../../drivers/nvue/site";
import { idFor } from "../../ids";
import { records, type VpcRecord } from "../../ledger/keys";
import { birdSpeakerConfig } from "../../speaker";
import { defaultSpeakerAsn, type LoadBalancerRealizer, type SiteContext } from "../adapter";
import { backendsBySwitch } from "../switch-ports";
import { isSwitchPort } from "../targets";

type BackendPorts = Awaited<ReturnType<typeof backendsBySwitch>>;

/** The VIP's config on each switch. The ACL keeps the name it has had since the first release. */
function intentFor(s: LoadBalancerState, vpc: Pick<VpcRecord, "vrf">, ports: BackendPorts) {
  return (sw: string): VipIntent => ({
    vrf: vpc.vrf,
    vip: s.vip,
    nextHops: s.inService,
    listeners: s.listeners.map((l) => ({ port: l.port, protocol: l.protocol as "tcp" | "udp" })),
    acl: idFor("lb", s.owner),
    egress: ports.get(sw)?.ports ?? [],
    public: s.public,
    ...(s.mode === "bgp"
      ? { speakers: { asn: s.bgpPeers?.[0]?.localAsn ?? defaultSpeakerAsn, peers: ports.get(sw)?.ips ?? [] } }
      : {}),
  });
}

/** bgp mode: each backend's speaker peers with its leaf at the subnet's gateway. */
async function speakersOnLeaves(
  ctx: SiteContext,
  s: LoadBalancerState,
  siteAsn: number,
  speakerAsn: number,
): Promise<Pick<LoadBalancerState, "bgpPeers" | "speakerConfig">> {
  const peers: NonNullable<LoadBalancerState["bgpPeers"]> = [];
  const configs: string[] = [];
  for (const b of s.backends) {
    const a = await ctx.ledger.getRecord<AttachmentState>(records.attachment, b.attachment);
    if (!a) continue;
    const name = a.server ?? (isSwitchPort(a.target) ? a.target.interface : b.attachment);
    peers.push({
      attachment: b.attachment,
      server: name,
      localAddress: a.ip,
      localAsn: speakerAsn,
      peerAddresses: [a.gateway],
      peerAsn: siteAsn,
      multihop: false,
    });
    configs.push(
      `# --- ${name} ---\n` +
        birdSpeakerConfig({
          vip: s.vip,
          routerId: a.ip,
          header: [
            `BIRD 2 configuration written by anyvpc: announce ${s.vip}/32 to the leaf of ${name}.`,
            `On the host: put the VIP on the loopback (ip addr add ${s.vip}/32 dev lo) and run the`,
            `service on the listener ports; stop announcing (birdc disable leaf) to drain it.`,
          ],
          sessions: [
            {
              name: "leaf",
              description: `leaf gateway ${a.gateway}`,
              localAddress: a.ip,
              localAsn: speakerAsn,
              peerAddress: a.gateway,
              peerAsn: siteAsn,
              multihop: false,
              password: false,
            },
          ],
        }),
    );
  }
  return { bgpPeers: peers, speakerConfig: configs.join("\n") };
}

export function nvueLoadBalancer(config: NvueSiteConfig, nvue: NvueSite): LoadBalancerRealizer {
  return {
    probeAddress: (server) => config.servers[server]?.probe,
    async realize(ctx, { state, vpc, previous, speakerAsn }) {
      const speakers =
        state.mode === "bgp" ? await speakersOnLeaves(ctx, state, config.asn, speakerAsn) : undefined;
      const s = { ...state, ...speakers };
      const now = intentFor(s, vpc, await backendsBySwitch(ctx, s));
      const before = previous && intentFor(previous, vpc, await backendsBySwitch(ctx, previous));
      await nvue.ensureAll(new Map(nvue.switchNames.map((sw) => [sw, vipChanges(now(sw), before?.(sw))])));
      // A port no longer a backend keeps no empty ACL container of ours.
      for (const sw of before ? nvue.switchNames : [])
        for (const port of before!(sw).egress.filter((p) => !now(sw).egress.includes(p)))
          await nvue.removeIfEmpty(sw, ["interface", port, "acl"], ["interface", port]);
      return { ...speakers, realization: { complete: true, switches: nvue.switchNames } };
    },
    async read(ctx, { state, vpc }) {
      if (!vpc) return false;
      const intent = intentFor(state, vpc, await backendsBySwitch(ctx, state));
      for (const sw of nvue.switchNames)
        for (const c of vipChanges(intent(sw)))
          if (!holds(await nvue.read(sw, c.path), c.value)) return false;
      return true;
    },
    async unrealize(ctx, { state, vpc }) {
      if (!vpc) return;
      const ports = await backendsBySwitch(ctx, state);
      const intent = intentFor(state, vpc, ports);
      await nvue.ensureAll(new Map(nvue.switchNames.map((sw) => [sw, removeVipChanges(intent(sw))])));
      for (const [sw, at] of ports)
        for (const port of at.ports)
          await nvue.removeIfEmpty(sw, ["interface", port, "acl"], ["interface", port]);
      if (state.mode === "bgp")
        for (const sw of nvue.switchNames) {
          await nvue.removeIfEmpty(sw, ["router", "policy", "route-map"]);
          await nvue.removeIfEmpty(sw, ["router", "policy", "prefix-list"], ["router", "policy"]);
        }
    },
  };
}
