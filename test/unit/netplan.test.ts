// Every kind of host config anyvpc hands out is checked by the real netplan (Debian's netplan.io,
// installed by scripts/setup-debian-packages.sh): `netplan generate --root-dir` must turn it into
// systemd-networkd files. Switch sites (NVUE, EOS) in access and trunk mode, IPv6 included; Metal
// bond0 (layer2-bonded: the bond with its members) and eth1 (hybrid: a NIC out of the bond).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AttachmentState } from "../../provider/generated/schema";
import type { ProviderContext } from "../../provider/resources/common";
import type { Lab } from "../../sim/lab";
import { labContext } from "../resources/lab-context";

/** Runs netplan generate over one document; returns its exit status, messages and what it wrote. */
function netplanGenerate(doc: string): { status: number | null; stderr: string; networkd: string[] } {
  const root = mkdtempSync(path.join(tmpdir(), "anyvpc-netplan-"));
  mkdirSync(path.join(root, "etc", "netplan"), { recursive: true });
  writeFileSync(path.join(root, "etc", "netplan", "60-anyvpc.yaml"), doc, { mode: 0o600 });
  const run = spawnSync("netplan", ["generate", "--root-dir", root], { encoding: "utf8" });
  assert.ok(
    !run.error,
    `netplan is not installed (scripts/setup-debian-packages.sh installs it): ${run.error}`,
  );
  const out = path.join(root, "run", "systemd", "network");
  let networkd: string[] = [];
  try {
    networkd = readdirSync(out).sort();
  } catch {
    networkd = [];
  }
  return { status: run.status, stderr: run.stderr, networkd };
}

const base = {
  ip: "10.1.2.10",
  prefixLength: 24,
  gateway: "10.1.2.1",
  vlan: 120,
  subnet: "subnet-x",
  vpc: "vpc-x",
  owner: "p/s/Attachment/a",
  hostConfig: "",
  realization: { complete: true },
};

describe("host configs pass the real netplan", function () {
  this.timeout(60_000);
  let ctx: ProviderContext;
  let lab: Lab;
  before(async () => {
    ({ ctx, lab } = await labContext());
  });
  after(async () => {
    await lab?.close();
  });

  const cases: { what: string; site: string; a: Partial<AttachmentState>; nic?: string; expect: string[] }[] =
    [
      {
        what: "NVUE access, dual stack",
        site: "ams",
        a: {
          target: { switch: "leaf1", interface: "swp1" },
          mode: "access",
          ipv6: "fd00:1::10",
          ipv6Gateway: "fd00:1::1",
        },
        expect: ["10-netplan-eth0.network"],
      },
      {
        what: "NVUE trunk",
        site: "ams",
        a: { target: { switch: "leaf1", interface: "swp1" }, mode: "trunk" },
        expect: ["10-netplan-eth0.120.netdev", "10-netplan-eth0.120.network", "10-netplan-eth0.network"],
      },
      {
        what: "EOS access on a named NIC",
        site: "fra",
        a: { target: { switch: "eos1", interface: "Ethernet1" }, mode: "access" },
        nic: "ens1f0",
        expect: ["10-netplan-ens1f0.network"],
      },
      {
        what: "Metal bond0 (layer2-bonded), access",
        site: "da",
        a: { target: { device: "d1", hostname: "node-1", port: "bond0", portId: "p1" }, mode: "access" },
        expect: [
          "10-netplan-bond0.netdev",
          "10-netplan-bond0.network",
          "10-netplan-eth0.network",
          "10-netplan-eth1.network",
        ],
      },
      {
        what: "Metal bond0, trunk",
        site: "da",
        a: { target: { device: "d1", hostname: "node-1", port: "bond0", portId: "p1" }, mode: "trunk" },
        expect: [
          "10-netplan-bond0.120.netdev",
          "10-netplan-bond0.120.network",
          "10-netplan-bond0.netdev",
          "10-netplan-bond0.network",
          "10-netplan-eth0.network",
          "10-netplan-eth1.network",
        ],
      },
      {
        what: "Metal eth1 (hybrid), access",
        site: "da",
        a: { target: { device: "d1", hostname: "node-1", port: "eth1", portId: "p2" }, mode: "access" },
        expect: ["10-netplan-eth1.network"],
      },
    ];

  for (const c of cases)
    it(`${c.what}: netplan generates it`, () => {
      const a = { ...base, site: c.site, ...c.a } as AttachmentState;
      const doc = ctx.sites.get(c.site).attachment.hostConfig(a, ["10.1.0.0/16", "fd00:1::/48"], c.nic);
      const r = netplanGenerate(doc);
      assert.equal(r.status, 0, `${doc}\n${r.stderr}`);
      assert.deepEqual(r.networkd, c.expect, doc);
    });

  it("a broken one is refused: a bond over a NIC the document does not declare", () => {
    const r = netplanGenerate(
      ["network:", "  version: 2", "  bonds:", "    bond0:", "      interfaces: [eth0, eth1]", ""].join("\n"),
    );
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /bond0: interface 'eth[01]' is not defined/);
  });
});
