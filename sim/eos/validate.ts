// Commit-time checks of a whole session config: a commit that fails any of them is refused and
// changes nothing. Each line was already checked on entry (syntax, ranges, names), so these are
// the cross-line rules a single line cannot break on its own.
//
// No source found documents EOS refusing a dangling reference (an SVI or `vxlan vrf` naming a VRF
// without `vrf instance`, an `ip access-group` naming a missing ACL, a BGP `vrf` without a VRF), so
// none is checked: EOS is known to accept configuration that refers to objects created later. The
// VNI rules below are the simulator's own: one VXLAN segment cannot carry two VLANs or two VRFs on
// a real VTEP, but the exact EOS behaviour (refused on entry, at commit, or the later line winning)
// is unverified.

import type { RunningConfig } from "./model";

export function validateConfig(config: RunningConfig): string[] {
  const problems: string[] = [];
  if (!config.vxlan) return problems;
  const owner = new Map<number, string>();
  const claim = (vni: number, who: string) => {
    const first = owner.get(vni);
    if (first) problems.push(`VNI ${vni} is mapped to both ${first} and ${who}`);
    else owner.set(vni, who);
  };
  const byNumber = (a: [string, number], b: [string, number]) => Number(a[0]) - Number(b[0]);
  for (const [vlan, vni] of Object.entries(config.vxlan.vlanVni).sort(byNumber)) claim(vni, `VLAN ${vlan}`);
  for (const [vrf, vni] of Object.entries(config.vxlan.vrfVni).sort(([a], [b]) => (a < b ? -1 : 1)))
    claim(vni, `VRF ${vrf}`);
  return problems;
}
