// The EOS eAPI driver against simulated Arista switches: a VPC, subnet, attachment and VIP realized
// and read back, removal back to the baseline running-config, concurrent changes combined into one
// session, a refused line or commit aborting the whole session (nothing staged stays), an answer
// lost after a commit confirmed by reading back, and credentials that never show in errors.
import assert from "node:assert/strict";
import { EosAbortError, EosApiError } from "../../provider/errors";
import {
  portLines,
  removePortLines,
  removeSubnetLines,
  removeVipLines,
  removeVrfLines,
  subnetLines,
  vipLines,
  vrfLines,
  type VipIntent,
} from "../../provider/drivers/eos/intent";
import { EosClient, sessionPreamble } from "../../provider/drivers/eos/client";
import { EosSite, holdsLines } from "../../provider/drivers/eos/site";
import { defaultRetryPolicy } from "../../provider/drivers/retry";
import { startEosSimulator, type EosSimulator, type EosSwitchSpec } from "../../sim/eos";

const username = "anyvpc";
const password = `eos-pw-${process.pid}-${Date.now().toString(36)}`;
const specs: EosSwitchSpec[] = [
  {
    name: "leaf1",
    ports: Array.from({ length: 8 }, (_, i) => `Ethernet${i + 1}`),
    asn: 65001,
    routerId: "10.0.0.1",
    vtep: "10.1.0.1",
  },
  {
    name: "leaf2",
    ports: [...Array.from({ length: 8 }, (_, i) => `Ethernet${i + 1}`), "Ethernet49/1"],
    asn: 65002,
    routerId: "10.0.0.2",
    vtep: "10.1.0.2",
  },
];
const leaves = specs.map((s) => s.name);
const spec = (name: string) => specs.find((s) => s.name === name)!;
const fastRetry = { ...defaultRetryPolicy, baseDelayMs: 5, maxDelayMs: 40 };

function siteFor(sim: EosSimulator, opts: { password?: string; limit?: number } = {}): EosSite {
  return new EosSite(
    leaves.map((name) => ({ name, url: sim.urlOf(name), username, password: opts.password ?? password })),
    { retry: { ...fastRetry, limit: opts.limit ?? fastRetry.limit } },
  );
}

/** The same intent on every leaf, with each leaf's own ASN and router id. */
const perLeaf = (lines: (s: EosSwitchSpec) => string[]) => new Map(specs.map((s) => [s.name, lines(s)]));

const vpc = (s: EosSwitchSpec) => ({
  vrf: "prod-lfls",
  l3Vni: 1_000_001,
  routeTarget: "65000:1000001",
  asn: s.asn,
  routerId: s.routerId,
});
const web = (s: EosSwitchSpec) => ({
  vrf: "prod-lfls",
  vlan: 120,
  vni: 100_120,
  gateways: ["10.0.1.1/24", "fd00:1:2::1/64"],
  name: "web",
  asn: s.asn,
  routerId: s.routerId,
});
const api: VipIntent = {
  vrf: "prod-lfls",
  vip: "10.0.0.32",
  nextHops: ["10.0.1.3", "10.0.1.2"],
  listeners: [{ port: 443, protocol: "tcp" }],
  acl: "lb-api",
  egressPorts: [],
};
const apiOn = (leaf: string): VipIntent =>
  leaf === "leaf1" ? { ...api, egressPorts: ["Ethernet3", "Ethernet4"] } : api;

describe("EOS driver against the eAPI simulator", function () {
  this.timeout(60_000);
  let sim: EosSimulator;
  let site: EosSite;
  const baseline = new Map<string, string>();

  before(async () => {
    sim = await startEosSimulator({ switches: specs, username, password });
    site = siteFor(sim);
    for (const leaf of leaves) baseline.set(leaf, sim.runningConfig(leaf));
  });
  after(() => sim?.close());
  afterEach(() => sim?.setKnobs({ faults: [] }));

  it("VPC, subnet, attachments and a VIP are realized and read back from the running-config", async () => {
    await site.ensureAll(perLeaf((s) => vrfLines(vpc(s))));
    await site.ensureAll(perLeaf((s) => subnetLines(web(s))));
    await site.ensure("leaf1", portLines({ port: "Ethernet3", vlan: 120, mode: "access" }));
    await site.ensure("leaf1", portLines({ port: "Ethernet4", vlan: 120, mode: "trunk", firstUse: true }));
    await site.ensureAll(new Map(leaves.map((l) => [l, vipLines(apiOn(l))])));

    const text = sim.runningConfig("leaf1");
    for (const line of [
      "vrf instance prod-lfls",
      "ip routing vrf prod-lfls",
      "   vxlan vrf prod-lfls vni 1000001",
      "   vxlan vlan 120 vni 100120",
      "   vrf prod-lfls\n      rd 65001:1000001\n      route-target import evpn 65000:1000001",
      "   vlan 120\n      rd 65001:100120\n      route-target both 65001:100120\n      redistribute learned",
      "interface Vlan120\n   vrf prod-lfls\n   ip address virtual 10.0.1.1/24\n   ipv6 address virtual fd00:1:2::1/64",
      "interface Ethernet3\n   switchport access vlan 120\n   ip access-group lb-api out",
      "interface Ethernet4\n   switchport trunk allowed vlan 120\n   switchport mode trunk",
      "ip route vrf prod-lfls 10.0.0.32/32 10.0.1.2\nip route vrf prod-lfls 10.0.0.32/32 10.0.1.3",
      "   10 permit tcp any host 10.0.0.32 eq https",
    ])
      assert.ok(text.includes(line), `leaf1 running-config lacks:\n${line}\n---\n${text}`);
    for (const s of specs) {
      const tree = await site.read(s.name);
      assert.ok(holdsLines(tree, [...vrfLines(vpc(s)), ...subnetLines(web(s)), ...vipLines(apiOn(s.name))]));
    }
    assert.ok(!sim.runningConfig("leaf2").includes("interface Ethernet3\n   switchport"));
    for (const leaf of leaves) assert.deepEqual(sim.pendingSessions(leaf), []);
  });

  it("an update of the VIP removes exactly the next hop and port no longer wanted", async () => {
    const next = { ...apiOn("leaf1"), nextHops: ["10.0.1.2"], egressPorts: ["Ethernet3"] };
    await site.ensure("leaf1", vipLines(next, apiOn("leaf1")));
    const text = sim.runningConfig("leaf1");
    assert.ok(text.includes("ip route vrf prod-lfls 10.0.0.32/32 10.0.1.2"));
    assert.ok(!text.includes("10.0.0.32/32 10.0.1.3"));
    assert.ok(
      text.includes("interface Ethernet4\n   switchport trunk allowed vlan 120\n   switchport mode trunk\n!"),
    );
    await site.ensure("leaf1", vipLines(apiOn("leaf1"), next));
    assert.ok(sim.runningConfig("leaf1").includes("10.0.0.32/32 10.0.1.3"));
  });

  it("removal in reverse brings every switch back to its baseline running-config", async () => {
    await site.ensureAll(new Map(leaves.map((l) => [l, removeVipLines(apiOn(l))])));
    await site.ensure(
      "leaf1",
      removePortLines({ port: "Ethernet3", vlan: 120, mode: "access", lastUse: true }),
    );
    await site.ensure(
      "leaf1",
      removePortLines({ port: "Ethernet4", vlan: 120, mode: "trunk", lastUse: true }),
    );
    await site.ensureAll(perLeaf((s) => removeSubnetLines(web(s))));
    await site.ensureAll(perLeaf((s) => removeVrfLines(vpc(s))));
    for (const leaf of leaves) assert.equal(sim.runningConfig(leaf), baseline.get(leaf));
  });

  it("concurrent ensures on one switch are combined into one session, each confirmed", async () => {
    const s = spec("leaf2");
    await site.ensure("leaf2", vrfLines(vpc(s)));
    const before = sim.commits("leaf2");
    const vlans = [201, 202, 203, 204, 205, 206];
    const subnet = (vlan: number) => ({
      ...web(s),
      vlan,
      vni: 20_000 + vlan,
      gateways: [`10.0.${vlan - 100}.1/24`],
      name: `s${vlan}`,
    });
    await Promise.all(vlans.map((vlan) => site.ensure("leaf2", subnetLines(subnet(vlan)))));
    assert.equal(sim.commits("leaf2") - before, 1, "six ensures, one commit");
    // Lines that arrive while a commit is in flight wait for it, then share the next session.
    sim.setKnobs({ latencyMs: 150 });
    const more = [207, 208, 209, 210];
    const first = site.ensure("leaf2", subnetLines(subnet(more[0]!)));
    await new Promise((r) => setTimeout(r, 50));
    const rest = more.slice(1).map((vlan) => site.ensure("leaf2", subnetLines(subnet(vlan))));
    await Promise.all([first, ...rest]);
    sim.setKnobs({ latencyMs: 0 });
    assert.equal(sim.commits("leaf2") - before, 3, "then four ensures, two commits");
    vlans.push(...more);
    const tree = await site.read("leaf2");
    for (const vlan of vlans) assert.ok(holdsLines(tree, subnetLines(subnet(vlan))), `vlan ${vlan}`);
    // Removal combines too, and leaves the baseline.
    const start = sim.commits("leaf2");
    await Promise.all(vlans.map((vlan) => site.ensure("leaf2", removeSubnetLines(subnet(vlan)))));
    assert.equal(sim.commits("leaf2") - start, 1);
    await site.ensure("leaf2", removeVrfLines(vpc(s)));
    assert.equal(sim.runningConfig("leaf2"), baseline.get("leaf2"));
  });

  it("a line the switch refuses mid-session aborts the whole session; a change combined with it still goes in", async () => {
    const s = spec("leaf1");
    const before = sim.runningConfig("leaf1");
    const bad = [...vrfLines(vpc(s)), ...portLines({ port: "Ethernet99", vlan: 120, mode: "access" })];
    const good = portLines({ port: "Ethernet5", vlan: 130, mode: "access" });
    const [badResult, goodResult] = await Promise.allSettled([
      site.ensure("leaf1", bad),
      site.ensure("leaf1", good),
    ]);
    assert.equal(goodResult.status, "fulfilled");
    assert.equal(badResult.status, "rejected");
    const e = (badResult as PromiseRejectedResult).reason as unknown;
    assert.ok(e instanceof EosApiError, String(e));
    assert.equal(e.code, 1002);
    assert.equal(e.command, "interface Ethernet99");
    assert.equal(e.commandIndex, sessionPreamble + bad.indexOf("interface Ethernet99"));
    assert.match(e.message, /Ethernet99/);
    assert.deepEqual(sim.pendingSessions("leaf1"), [], "the failed session was aborted");
    const after = sim.runningConfig("leaf1");
    assert.ok(!after.includes("prod-lfls"), "nothing of the refused session was committed");
    assert.ok(after.includes("interface Ethernet5\n   switchport access vlan 130"));
    await site.ensure(
      "leaf1",
      removePortLines({ port: "Ethernet5", vlan: 130, mode: "access", lastUse: true }),
    );
    assert.equal(sim.runningConfig("leaf1"), before);
  });

  it("a refused commit is aborted; a failing abort is reported with the commit's failure, not swallowed", async () => {
    const s = spec("leaf1");
    const before = sim.runningConfig("leaf1");
    sim.setKnobs({ faults: [{ switch: "leaf1", mode: "commit-fail", times: 1 }] });
    await assert.rejects(site.ensure("leaf1", vrfLines(vpc(s))), (e: unknown) => {
      assert.ok(e instanceof EosApiError && !(e instanceof EosAbortError), String(e));
      assert.equal(e.command, "commit");
      return true;
    });
    assert.deepEqual(sim.pendingSessions("leaf1"), []);
    assert.equal(sim.runningConfig("leaf1"), before);

    // The commit refused, then every attempt at the abort dropped: both failures in one error.
    const impatient = siteFor(sim, { limit: 1 });
    sim.setKnobs({
      faults: [
        { switch: "leaf1", mode: "commit-fail", times: 1 },
        { switch: "leaf1", command: "^abort$", mode: "drop", times: 5 },
      ],
    });
    await assert.rejects(impatient.ensure("leaf1", vrfLines(vpc(s))), (e: unknown) => {
      assert.ok(e instanceof EosAbortError, String(e));
      assert.equal(e.code, 1002);
      assert.match(e.message, /Commit failed/);
      assert.match(e.message, /aborting configuration session anyvpc-[0-9a-f-]+ afterwards failed too/);
      assert.ok(e.abortFailure instanceof EosApiError && e.abortFailure.status === 0);
      return true;
    });
    assert.equal(sim.runningConfig("leaf1"), before, "the refused commit changed nothing");
    // The session the abort could not reach is still pending; a later abort clears it.
    const [pending] = sim.pendingSessions("leaf1");
    assert.ok(pending);
    sim.setKnobs({ faults: [] });
    await new EosClient({ name: "leaf1", url: sim.urlOf("leaf1"), username, password }).abort(pending);
    assert.deepEqual(sim.pendingSessions("leaf1"), []);
  });

  it("an answer lost after the commit happened: the session is aborted harmlessly and the read-back confirms it", async () => {
    const s = spec("leaf2");
    sim.setKnobs({ faults: [{ switch: "leaf2", command: "^commit$", mode: "drop-after", times: 1 }] });
    await site.ensure("leaf2", vrfLines(vpc(s)));
    assert.ok(sim.runningConfig("leaf2").includes("vrf instance prod-lfls"));
    assert.deepEqual(sim.pendingSessions("leaf2"), []);
    await site.ensure("leaf2", removeVrfLines(vpc(s)));
    assert.equal(sim.runningConfig("leaf2"), baseline.get("leaf2"));
  });

  it("pure reads are retried through server errors; changes are not", async () => {
    sim.setKnobs({ faults: [{ switch: "leaf1", mode: "503", times: 2 }] });
    assert.ok((await site.read("leaf1")).children.length > 0, "the read went through after two 503s");
    sim.setKnobs({ faults: [{ switch: "leaf1", command: "^commit$", mode: "503", times: 1 }] });
    const commits = sim.commits("leaf1");
    await assert.rejects(site.ensure("leaf1", vrfLines(vpc(spec("leaf1")))), (e: unknown) => {
      assert.ok(e instanceof EosApiError && e.status === 503 && e.ambiguous, String(e));
      return true;
    });
    assert.equal(sim.commits("leaf1"), commits, "the change was sent once, not repeated");
    assert.equal(sim.runningConfig("leaf1"), baseline.get("leaf1"));
  });

  it("bad credentials: HTTP 401 as a typed error that never shows the password", async () => {
    const wrong = `wrong-${password}`;
    const intruder = siteFor(sim, { password: wrong });
    const shows = (e: unknown) =>
      [String(e), (e as Error).stack ?? "", JSON.stringify(e)].some(
        (t) => t.includes(wrong) || t.includes(password),
      );
    await assert.rejects(intruder.read("leaf1"), (e: unknown) => {
      assert.ok(e instanceof EosApiError, String(e));
      assert.equal(e.status, 401);
      assert.equal(e.code, undefined);
      assert.ok(!shows(e), String(e));
      return true;
    });
    await assert.rejects(intruder.ensure("leaf1", vrfLines(vpc(spec("leaf1")))), (e: unknown) => {
      // The change and the abort after it both meet the 401; both are reported.
      assert.ok(e instanceof EosAbortError, String(e));
      assert.equal(e.status, 401);
      assert.ok(!shows(e), String(e));
      return true;
    });
    assert.equal(sim.runningConfig("leaf1"), baseline.get("leaf1"));
  });
});
