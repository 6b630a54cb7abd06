// The quick start: starts the simulated fabric (switches of site "ams", the Metal API of metro
// "da"), runs a real `pulumi up` of examples/quickstart against it on a local file backend, and
// prints the plan. Simulators and stack keep their state in .state/quickstart, so
// `scripts/quickstart.sh refresh|preview|destroy` later acts on the same fabric.
import path from "node:path";
import { labServers, startLab } from "../sim/lab";
import { labStackConfig } from "./lib/lab-config";
import { repoRoot, Stack } from "./lib/pulumi";

type AttachmentOut = {
  server?: string;
  /** A Metal device's hostname. */
  device?: string;
  site: string;
  ip: string;
  ipv6?: string;
  prefixLength: number;
  vlan: number;
  mode: string;
};
type SubnetOut = {
  cidr: string;
  gateway: string;
  vlan: number;
  vni: number;
  site: string;
  ipv6Cidr?: string;
};
type VpcOut = {
  id: string;
  cidr: string;
  ipv6Cidr?: string;
  sites: string[];
  vrf: string;
  l3Vni: number;
  subnets: Record<string, SubnetOut>;
};

async function main(): Promise<void> {
  const action = process.argv[2] ?? "up";
  const stateDir = path.join(repoRoot, ".state", "quickstart");
  const lab = await startLab({ stateDir: path.join(stateDir, "lab"), applyMs: 300 });
  try {
    // The simulated servers run a service on 443, so the load balancer's health checks find it.
    for (const server of Object.keys(labServers)) await lab.serve(server, 443);
    const { config, secrets } = labStackConfig(lab, {
      pools: { vpcIpv4: "10.0.0.0/8", vpcIpv6: "fd00::/8" },
      ledger: { file: path.join(stateDir, "ledger.json") },
    });
    const stack = await Stack.open({
      projectDir: path.join(repoRoot, "examples", "quickstart"),
      stack: "dev",
      stateDir,
      config,
      secrets,
    });
    const commands: Record<string, () => Promise<{ stdout: string }>> = {
      up: () => stack.up(),
      preview: () => stack.preview(),
      refresh: () => stack.refresh(),
      destroy: () => stack.destroy(),
    };
    const run = commands[action];
    if (!run) throw new Error(`unknown action ${action}; use one of ${Object.keys(commands).join(", ")}`);
    console.log(`[quickstart] simulated fabric: switches ${lab.nvue.url}, Metal API ${lab.metal.url}`);
    console.log(
      `[quickstart] pulumi ${action} of examples/quickstart (stack dev, state in .state/quickstart)`,
    );
    process.stdout.write((await run()).stdout);
    if (action === "up" || action === "refresh") {
      const vpcs = ((await stack.outputs()).vpcs ?? {}) as Record<string, VpcOut>;
      console.log("\nIP plan");
      for (const [name, v] of Object.entries(vpcs)) {
        const v6 = v.ipv6Cidr ? ` + ${v.ipv6Cidr}` : "";
        console.log(
          `VPC ${name}: ${v.cidr}${v6}  VRF ${v.vrf}  L3VNI ${v.l3Vni}  sites ${v.sites.join(", ")}`,
        );
        for (const [sn, s] of Object.entries(v.subnets ?? {})) {
          const cols = [
            `subnet ${sn}`.padEnd(14),
            s.site.padEnd(4),
            s.cidr.padEnd(16),
            `gw ${s.gateway}`.padEnd(16),
          ];
          console.log(
            `  ${cols.join(" ")} VLAN ${String(s.vlan).padEnd(5)} VNI ${String(s.vni).padEnd(7)} ${s.ipv6Cidr ?? ""}`,
          );
        }
      }
      const atts = ((await stack.outputs()).attachments ?? {}) as Record<string, AttachmentOut>;
      console.log("\nAttachments");
      for (const [name, a] of Object.entries(atts)) {
        console.log(
          `  ${name.padEnd(4)} ${a.site.padEnd(4)} ${(a.server ?? a.device ?? "").padEnd(7)} ${a.ip}/${a.prefixLength} ${a.ipv6 ?? ""} VLAN ${a.vlan} ${a.mode}`,
        );
      }
      // Reachability from what the simulated fabric holds (the fabric model), not from our outputs.
      const endpoint = (x: AttachmentOut) =>
        x.server
          ? {
              site: x.site,
              server: x.server,
              ip: `${x.ip}/${x.prefixLength}`,
              ...(x.mode === "trunk" ? { vlan: x.vlan } : {}),
            }
          : { site: x.site, device: x.device ?? "", ip: `${x.ip}/${x.prefixLength}` };
      const names = Object.keys(atts);
      console.log("\nReachability (fabric model)");
      for (const [i, an] of names.entries())
        for (const bn of names.slice(i + 1)) {
          const r = lab.canReach(endpoint(atts[an]!), endpoint(atts[bn]!));
          console.log(`  ${an} ↔ ${bn}: ${r.reachable ? "yes" : "no"} (${r.reason})`);
        }
      const lb = (await stack.outputs()).loadBalancer as
        | {
            vip: string;
            listeners: { port: number }[];
            backends: { server?: string; ip: string; health: string }[];
          }
        | undefined;
      const n2 = atts.n2;
      if (lb && n2?.server) {
        console.log(
          `\nLoad balancer api: VIP ${lb.vip}, listeners ${lb.listeners.map((l) => l.port).join(", ")}, backends ${lb.backends.map((b) => `${b.server ?? "?"} (${b.health})`).join(", ")}`,
        );
        const lengthOf = (server?: string) =>
          Object.values(atts).find((x) => x.server === server)?.prefixLength ?? 32;
        const backends = lb.backends.map((b) => ({
          server: b.server ?? "",
          ip: `${b.ip}/${lengthOf(b.server)}`,
        }));
        const client = {
          server: n2.server,
          ip: `${n2.ip}/${n2.prefixLength}`,
          ...(n2.mode === "trunk" ? { vlan: n2.vlan } : {}),
        };
        for (const port of [...lb.listeners.map((l) => l.port), 22]) {
          const r = lab.canReachVip(client, { vip: lb.vip, port }, backends);
          console.log(
            `  n2 → ${lb.vip}:${port}: ${r.reachable ? `yes, to ${r.receivers.join(", ")}` : "no"} (${r.reason})`,
          );
        }
      }
      console.log("\nOn the fabric");
      for (const leaf of ["leaf1", "leaf2"])
        console.log(
          `  ams/${leaf}: VRFs ${Object.keys((lab.nvue.applied(leaf).vrf as object | undefined) ?? {}).join(", ") || "none"}`,
        );
      console.log(
        `  da (Equinix Metal): VRFs ${
          lab.metal
            .snapshot()
            .vrfs.map((v) => `${v.name} ${(v.ip_ranges ?? []).join(",")}`)
            .join("; ") || "none"
        }`,
      );
      console.log("\nNext: scripts/quickstart.sh refresh | preview | destroy");
    }
  } finally {
    await lab.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
