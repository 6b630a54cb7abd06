// EOS: a load balancer is its VIP routed in the VPC's VRF on every leaf (ECMP static routes to the
// backends in service) and an ACL out on the backends' ports so the VIP answers only on its
// listeners.
import type { EosSiteConfig, LoadBalancerState } from "../../generated/schema";
import { removeVipLines, vipLines, type VipIntent } from "../../drivers/eos/intent";
import { holdsLines, type EosSite } from "../../drivers/eos/site";
import { idFor } from "../../ids";
import type { VpcRecord } from "../../ledger/keys";
import type { LoadBalancerRealizer } from "../adapter";
import { backendsBySwitch } from "../switch-ports";

function intentFor(
  s: LoadBalancerState,
  vpc: Pick<VpcRecord, "vrf">,
  ports: Awaited<ReturnType<typeof backendsBySwitch>>,
) {
  return (sw: string): VipIntent => ({
    vrf: vpc.vrf,
    vip: s.vip,
    nextHops: s.inService,
    listeners: s.listeners.map((l) => ({ port: l.port, protocol: l.protocol as "tcp" | "udp" })),
    acl: idFor("lb", s.owner),
    egressPorts: ports.get(sw)?.ports ?? [],
  });
}

export function eosLoadBalancer(config: EosSiteConfig, eos: EosSite): LoadBalancerRealizer {
  return {
    probeAddress: (server) => config.servers[server]?.probe,
    async realize(ctx, { state, vpc, previous }) {
      const now = intentFor(state, vpc, await backendsBySwitch(ctx, state));
      const before = previous && intentFor(previous, vpc, await backendsBySwitch(ctx, previous));
      await eos.ensureAll(new Map(eos.switchNames.map((sw) => [sw, vipLines(now(sw), before?.(sw))])));
      return { realization: { complete: true, switches: eos.switchNames } };
    },
    async read(ctx, { state, vpc }) {
      if (!vpc) return false;
      const intent = intentFor(state, vpc, await backendsBySwitch(ctx, state));
      for (const sw of eos.switchNames)
        if (!holdsLines(await eos.read(sw), vipLines(intent(sw)))) return false;
      return true;
    },
    async unrealize(ctx, { state, vpc }) {
      if (!vpc) return;
      const intent = intentFor(state, vpc, await backendsBySwitch(ctx, state));
      await eos.ensureAll(new Map(eos.switchNames.map((sw) => [sw, removeVipLines(intent(sw))])));
    },
  };
}
