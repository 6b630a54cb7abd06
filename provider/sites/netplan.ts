// The netplan document (netplan.io, version 2) that configures a server for its attachment: the
// address (and IPv6), a route to the VPC via the subnet's anycast gateway, and in trunk mode the
// VLAN interface. A pure function of the attachment; the site kind says which interface carries it
// (a plain NIC, or a bond with its member NICs).
import type { AttachmentState } from "../generated/schema";

export interface HostInterface {
  /** The interface the subnet is on: a NIC (eth0) or a bond (bond0). */
  name: string;
  /** For a bond: its member NICs, which netplan must know as ethernets. */
  bondMembers?: readonly string[];
  /** For a bond: netplan's bond parameters (e.g. LACP). */
  bondMode?: "802.3ad" | "active-backup";
}

type Addressed = Pick<
  AttachmentState,
  "ip" | "prefixLength" | "gateway" | "ipv6" | "ipv6Gateway" | "mode" | "vlan"
>;

export function netplanFor(s: Addressed, vpcRoutes: readonly string[], nic: HostInterface): string {
  const addresses = [`${s.ip}/${s.prefixLength}`, ...(s.ipv6 ? [`${s.ipv6}/64`] : [])];
  const routes = vpcRoutes
    .map((to) => ({ to, via: to.includes(":") ? s.ipv6Gateway : s.gateway }))
    .filter((r) => r.via);
  const addressing = (indent: string) => [
    `${indent}addresses: [${addresses.join(", ")}]`,
    `${indent}routes:`,
    ...routes.map((r) => `${indent}  - to: ${r.to}\n${indent}    via: ${r.via}`),
  ];
  const trunk = s.mode === "trunk";
  const lines = ["network:", "  version: 2", "  ethernets:"];
  if (nic.bondMembers) {
    for (const m of nic.bondMembers) lines.push(`    ${m}: {}`);
    lines.push("  bonds:", `    ${nic.name}:`, `      interfaces: [${nic.bondMembers.join(", ")}]`);
    if (nic.bondMode) lines.push("      parameters:", `        mode: ${nic.bondMode}`);
    if (!trunk) lines.push(...addressing("      "));
  } else if (trunk) lines.push(`    ${nic.name}: {}`);
  else lines.push(`    ${nic.name}:`, ...addressing("      "));
  if (trunk)
    lines.push(
      "  vlans:",
      `    ${nic.name}.${s.vlan}:`,
      `      id: ${s.vlan}`,
      `      link: ${nic.name}`,
      ...addressing("      "),
    );
  return lines.join("\n") + "\n";
}
