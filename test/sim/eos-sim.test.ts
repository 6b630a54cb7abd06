// The Arista EOS eAPI simulator over plain HTTP: runCmds, enable, configuration sessions, the CLI
// grammar and its refusals, running-config rendering, commit-time checks, faults, persistence and
// secret hygiene.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  baselineConfig,
  renderRunningConfig,
  startEosSimulator,
  type EosSimulator,
  type EosSwitchSpec,
} from "../../sim/eos";

const USER = "admin";
const PASS = "Ar1sta-S3cret!";
const SPECS: EosSwitchSpec[] = [
  {
    name: "leaf1",
    ports: ["Ethernet1", "Ethernet2", "Ethernet3", "Ethernet10"],
    asn: 65001,
    routerId: "10.0.0.1",
    vtep: "10.1.0.1",
  },
  { name: "leaf2", ports: ["Ethernet1", "Ethernet49/1"], asn: 65002, routerId: "10.0.0.2", vtep: "10.1.0.2" },
];
const spec = (name: string) => SPECS.find((s) => s.name === name) as EosSwitchSpec;

type Json = Record<string, unknown>;
interface EapiError {
  code: number;
  message: string;
  data: Json[];
}
interface Reply {
  status: number;
  headers: Headers;
  body: { jsonrpc?: string; id?: unknown; result?: Json[]; error?: EapiError } & Json;
  text: string;
}

function authHeader(user = USER, pass = PASS): string {
  return "Basic " + Buffer.from(`${user}:${pass}`).toString("base64");
}

async function post(
  sim: EosSimulator,
  sw: string,
  body: unknown,
  headers: Record<string, string> = {},
  method = "POST",
): Promise<Reply> {
  const res = await fetch(`${sim.urlOf(sw)}/command-api`, {
    method,
    headers: { authorization: authHeader(), "content-type": "application/json-rpc", ...headers },
    body: method === "GET" ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Reply["body"] = {};
  try {
    parsed = JSON.parse(text) as Reply["body"];
  } catch {
    // plain-text HTTP errors
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

function runCmds(
  sim: EosSimulator,
  sw: string,
  cmds: (string | { cmd: string; input?: string })[],
  format: "json" | "text" = "json",
): Promise<Reply> {
  return post(sim, sw, { jsonrpc: "2.0", method: "runCmds", params: { version: 1, cmds, format }, id: "t1" });
}

/** Run commands that must succeed; returns the results. */
async function ok(sim: EosSimulator, sw: string, cmds: string[], format: "json" | "text" = "json") {
  const r = await runCmds(sim, sw, cmds, format);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.error, undefined, JSON.stringify(r.body.error));
  return r.body.result as Json[];
}

/** Run commands where one must fail; returns the eAPI error. */
async function fails(sim: EosSimulator, sw: string, cmds: string[], format: "json" | "text" = "json") {
  const r = await runCmds(sim, sw, cmds, format);
  assert.equal(r.status, 200, r.text);
  assert.ok(r.body.error, `expected an error, got ${JSON.stringify(r.body.result)}`);
  return r.body.error;
}

/** One change the way the anyvpc client makes it: one session, committed in the same call. */
const change = (sim: EosSimulator, sw: string, lines: string[], session = "anyvpc-1") =>
  ok(sim, sw, ["enable", `configure session ${session}`, ...lines, "commit"]);

const BASELINE_LEAF2 = `! Command: show running-config
! device: leaf2 (vEOS-lab, EOS-4.32.0F-sim)
!
hostname leaf2
!
interface Ethernet1
!
interface Ethernet49/1
!
interface Loopback0
   ip address 10.0.0.2/32
!
interface Loopback1
   ip address 10.1.0.2/32
!
interface Vxlan1
   vxlan source-interface Loopback1
   vxlan udp-port 4789
!
ip routing
!
router bgp 65002
   router-id 10.0.0.2
!
end
`;

/** A VPC on leaf1: VRF with L3VNI, two subnets (VLAN, SVI, L2VNI), ports, ACL, static route. */
const VPC_LINES = [
  "vrf instance RED",
  "ip routing vrf RED",
  "ip virtual-router mac-address 00:1c:73:00:00:99",
  "vlan 10",
  "name RED_web",
  "vlan 20",
  "interface Vlan10",
  "vrf RED",
  "ip address virtual 10.10.0.1/24",
  "interface Vlan20",
  "vrf RED",
  "ip address virtual 10.20.0.1/24",
  "ipv6 address virtual 2001:DB8:0:20:0:0:0:1/64",
  "interface Vxlan1",
  "vxlan vlan 10 vni 10010",
  "vxlan vlan 20 vni 10020",
  "vxlan vrf RED vni 5001",
  "interface Ethernet1",
  "switchport access vlan 10",
  "ip access-group RED-in in",
  "interface Ethernet2",
  "switchport mode trunk",
  "switchport trunk allowed vlan 10,20-22",
  "switchport trunk allowed vlan remove 21",
  "ip access-list RED-in",
  "10 permit tcp any host 10.10.0.5 eq 443",
  "20 permit udp any host 10.10.0.5 eq 5353",
  "30 deny ip any host 10.10.0.6",
  "40 permit ip any any",
  "exit",
  "ip route vrf RED 0.0.0.0/0 10.10.0.254",
  "ip route vrf RED 0.0.0.0/0 10.10.0.253",
  "router bgp 65001",
  "vlan 10",
  "rd 10.0.0.1:10010",
  "route-target both 65001:10010",
  "redistribute learned",
  "vrf RED",
  "rd 10.0.0.1:5001",
  "route-target import evpn 65001:5001",
  "route-target export evpn 65001:5001",
  "redistribute connected",
  "redistribute static",
];

const VPC_RUNNING_CONFIG = `! Command: show running-config
! device: leaf1 (vEOS-lab, EOS-4.32.0F-sim)
!
hostname leaf1
!
vlan 10
   name RED_web
!
vlan 20
!
vrf instance RED
!
interface Ethernet1
   switchport access vlan 10
   ip access-group RED-in in
!
interface Ethernet2
   switchport trunk allowed vlan 10,20,22
   switchport mode trunk
!
interface Ethernet3
!
interface Ethernet10
!
interface Loopback0
   ip address 10.0.0.1/32
!
interface Loopback1
   ip address 10.1.0.1/32
!
interface Vlan10
   vrf RED
   ip address virtual 10.10.0.1/24
!
interface Vlan20
   vrf RED
   ip address virtual 10.20.0.1/24
   ipv6 address virtual 2001:db8:0:20::1/64
!
interface Vxlan1
   vxlan source-interface Loopback1
   vxlan udp-port 4789
   vxlan vlan 10 vni 10010
   vxlan vlan 20 vni 10020
   vxlan vrf RED vni 5001
!
ip virtual-router mac-address 00:1c:73:00:00:99
!
ip access-list RED-in
   10 permit tcp any host 10.10.0.5 eq https
   20 permit udp any host 10.10.0.5 eq 5353
   30 deny ip any host 10.10.0.6
   40 permit ip any any
!
ip routing
ip routing vrf RED
!
ip route vrf RED 0.0.0.0/0 10.10.0.253
ip route vrf RED 0.0.0.0/0 10.10.0.254
!
router bgp 65001
   router-id 10.0.0.1
   !
   vlan 10
      rd 10.0.0.1:10010
      route-target both 65001:10010
      redistribute learned
   !
   vrf RED
      rd 10.0.0.1:5001
      route-target import evpn 65001:5001
      route-target export evpn 65001:5001
      redistribute connected
      redistribute static
!
end
`;

/** The no-forms that take VPC_LINES away again. */
const VPC_UNDO_LINES = [
  "router bgp 65001",
  "no vlan 10",
  "no vrf RED",
  "exit",
  "no ip route vrf RED 0.0.0.0/0",
  "no ip access-list RED-in",
  "default interface Ethernet1",
  "interface Ethernet2",
  "no switchport trunk allowed vlan",
  "no switchport mode",
  "interface Vxlan1",
  "no vxlan vlan 10 vni 10010",
  "no vxlan vlan 20 vni",
  "no vxlan vrf RED vni 5001",
  "no interface Vlan10",
  "no interface Vlan20",
  "no vlan 10",
  "no vlan 20",
  "no ip virtual-router mac-address",
  "no ip routing vrf RED",
  "no vrf instance RED",
];

describe("EOS eAPI simulator", () => {
  let sim: EosSimulator;
  beforeEach(async () => {
    sim = await startEosSimulator({ switches: SPECS, username: USER, password: PASS });
  });
  afterEach(async () => sim.close());

  it("starts every switch at its baseline running-config", async () => {
    assert.equal(sim.urlOf("leaf1"), `${sim.url}/leaf1`);
    assert.equal(sim.runningConfig("leaf2"), BASELINE_LEAF2);
    assert.equal(renderRunningConfig(baselineConfig(spec("leaf2"))), BASELINE_LEAF2);
    assert.equal(sim.runningConfig("leaf1"), renderRunningConfig(baselineConfig(spec("leaf1"))));
    assert.equal(sim.commits("leaf1"), 0);
    const [, shown] = await ok(sim, "leaf2", ["enable", "show running-config"], "text");
    assert.deepEqual(shown, { output: BASELINE_LEAF2 });
    const r = await runCmds(sim, "leaf2", ["show version"]);
    assert.equal(r.body.jsonrpc, "2.0");
    assert.equal(r.body.id, "t1");
    const version = (r.body.result as Json[])[0] as Json;
    assert.equal(version["modelName"], "vEOS-lab");
    assert.equal(version["version"], "4.32.0F-sim");
    assert.match(String(version["systemMacAddress"]), /^00:1c:73(:[0-9a-f]{2}){3}$/);
  });

  it("applies a VPC in one committed session and renders it in EOS order", async () => {
    const result = await change(sim, "leaf1", VPC_LINES);
    assert.equal(result.length, VPC_LINES.length + 3);
    assert.ok(result.every((r) => JSON.stringify(r) === "{}"));
    assert.equal(sim.commits("leaf1"), 1);
    assert.equal(sim.commits("leaf2"), 0);
    assert.equal(sim.runningConfig("leaf1"), VPC_RUNNING_CONFIG);
    assert.deepEqual(sim.pendingSessions("leaf1"), []);
    const [, shown] = await ok(sim, "leaf1", ["enable", "show running-config"], "text");
    assert.equal(shown?.["output"], VPC_RUNNING_CONFIG);

    const cfg = sim.config("leaf1");
    assert.deepEqual(cfg.svis["10"], { vrf: "RED", ipAddressVirtual: "10.10.0.1/24" });
    assert.deepEqual(cfg.vxlan?.vrfVni, { RED: 5001 });
    assert.deepEqual(cfg.ethernet["Ethernet2"], { mode: "trunk", trunkAllowed: [10, 20, 22] });
    assert.equal(cfg.acls["RED-in"]?.[0]?.port, 443);
    cfg.vrfs["BLUE"] = {};
    assert.equal(sim.config("leaf1").vrfs["BLUE"], undefined, "config() is a copy");

    // The json form of show running-config nests sub-mode lines.
    const [, json] = await ok(sim, "leaf1", ["enable", "show running-config"]);
    const cmds = json?.["cmds"] as Record<string, { cmds: Record<string, unknown> } | null>;
    assert.equal(cmds["hostname leaf1"], null);
    assert.deepEqual(Object.keys(cmds["interface Vlan10"]?.cmds ?? {}), [
      "vrf RED",
      "ip address virtual 10.10.0.1/24",
    ]);
  });

  it("destroys back to exactly the baseline with the no-forms", async () => {
    await change(sim, "leaf1", VPC_LINES);
    await change(sim, "leaf1", VPC_UNDO_LINES, "anyvpc-2");
    assert.equal(sim.runningConfig("leaf1"), renderRunningConfig(baselineConfig(spec("leaf1"))));
    assert.deepEqual(sim.config("leaf1"), baselineConfig(spec("leaf1")));
    assert.equal(sim.commits("leaf1"), 2);
  });

  describe("configuration sessions", () => {
    it("stage lines across calls, re-enter, diff, and change the running-config only at commit", async () => {
      await ok(sim, "leaf1", ["enable", "configure session s1", "vrf instance RED", "vlan 10"]);
      assert.deepEqual(sim.pendingSessions("leaf1"), ["s1"]);
      assert.equal(sim.config("leaf1").vrfs["RED"], undefined, "staged only");
      const [, , , , diff] = await ok(
        sim,
        "leaf1",
        // Re-entering starts at global configuration mode again.
        ["enable", "configure session s1", "vlan 10", "name web", "show session-config diffs"],
        "text",
      );
      const diffText = String(diff?.["output"]);
      assert.match(
        diffText,
        /^--- system:\/running-config\n\+\+\+ session:\/s1-session-config\n@@ -\d+,\d+ \+\d+,\d+ @@\n/,
      );
      assert.ok(diffText.includes("\n+vlan 10\n+   name web\n+!\n+vrf instance RED\n"), diffText);
      // `exit` out of the session leaves it pending; commit from exec mode applies it.
      await ok(sim, "leaf1", ["enable", "configure session s1", "exit", "configure session s1 commit"]);
      assert.deepEqual(sim.pendingSessions("leaf1"), []);
      assert.deepEqual(sim.config("leaf1").vlans, { "10": { name: "web" } });
      assert.equal(sim.commits("leaf1"), 1);
    });

    it("abort discards a session, from inside it or from exec mode", async () => {
      await ok(sim, "leaf1", ["enable", "configure session a", "vrf instance RED", "abort"]);
      await ok(sim, "leaf1", ["enable", "configure session b", "vrf instance BLUE", "end"]);
      assert.deepEqual(sim.pendingSessions("leaf1"), ["b"]);
      await ok(sim, "leaf1", ["enable", "configure session b abort"]);
      assert.deepEqual(sim.pendingSessions("leaf1"), []);
      assert.deepEqual(sim.config("leaf1").vrfs, {});
      assert.equal(sim.commits("leaf1"), 0);
      // Re-using a name after abort starts a fresh session from the running-config.
      await change(sim, "leaf1", ["vlan 30"], "a");
      assert.deepEqual(sim.config("leaf1").vrfs, {});
      assert.deepEqual(sim.config("leaf1").vlans, { "30": {} });
    });

    it("commit copies the session's snapshot over changes committed since it was opened", async () => {
      await ok(sim, "leaf1", ["enable", "configure session early", "vlan 10"]);
      await change(sim, "leaf1", ["vlan 20"], "late");
      assert.deepEqual(Object.keys(sim.config("leaf1").vlans), ["20"]);
      await ok(sim, "leaf1", ["enable", "configure session early", "commit"]);
      assert.deepEqual(Object.keys(sim.config("leaf1").vlans), ["10"], "VLAN 20 is overwritten, as on EOS");
      assert.equal(sim.commits("leaf1"), 2);
    });

    it("refuses plain configure, and a sixth pending session", async () => {
      const e = await fails(sim, "leaf1", ["enable", "configure", "vlan 10"]);
      assert.equal(e.code, 1002);
      assert.equal(e.message, "CLI command 2 of 3 'configure' failed: invalid command");
      assert.equal((await fails(sim, "leaf1", ["enable", "configure terminal"])).code, 1002);
      for (const n of [1, 2, 3, 4, 5]) await ok(sim, "leaf1", ["enable", `configure session p${n}`]);
      const full = await fails(sim, "leaf1", ["enable", "configure session p6"]);
      assert.match(String((full.data[1]?.["errors"] as string[])[0]), /pending sessions/);
      await ok(sim, "leaf1", ["enable", "configure session p1", "vlan 10", "commit"]);
      await ok(sim, "leaf1", ["enable", "configure session p6", "abort"]);
    });

    it("validates the whole session at commit and applies nothing when it is refused", async () => {
      const e = await fails(sim, "leaf1", [
        "enable",
        "configure session bad",
        "vrf instance RED",
        "interface Vxlan1",
        "vxlan vlan 10 vni 5000",
        "vxlan vrf RED vni 5000",
        "commit",
      ]);
      assert.equal(e.code, 1002);
      assert.equal(e.message, "CLI command 7 of 7 'commit' failed: invalid command");
      assert.deepEqual(e.data.at(-1), { errors: ["VNI 5000 is mapped to both VLAN 10 and VRF RED"] });
      assert.equal(e.data.length, 7);
      assert.equal(sim.commits("leaf1"), 0);
      assert.deepEqual(sim.config("leaf1").vrfs, {});
      assert.deepEqual(sim.pendingSessions("leaf1"), ["bad"], "a refused commit leaves the session to abort");
      // Fixing the session in a later call makes the commit go through.
      await ok(sim, "leaf1", [
        "enable",
        "configure session bad",
        "interface Vxlan1",
        "no vxlan vlan 10 vni",
        "commit",
      ]);
      assert.deepEqual(sim.config("leaf1").vxlan?.vrfVni, { RED: 5000 });
    });
  });

  describe("errors", () => {
    it("answers an invalid command with 1002, the outputs before it, and runs nothing after it", async () => {
      const e = await fails(sim, "leaf1", [
        "enable",
        "configure session s",
        "vlan 10",
        "show bogus",
        "commit",
      ]);
      assert.equal(e.code, 1002);
      assert.equal(e.message, "CLI command 4 of 5 'show bogus' failed: invalid command");
      assert.deepEqual(e.data, [{}, {}, {}, { errors: ["Invalid input (at token 1: 'bogus')"] }]);
      assert.equal(sim.commits("leaf1"), 0, "commit after the failure did not run");
      assert.deepEqual(sim.pendingSessions("leaf1"), ["s"]);

      const t = await fails(sim, "leaf1", ["enable", "show version", "frobnicate"], "text");
      assert.equal(t.data.length, 3);
      assert.deepEqual(t.data[0], { output: "" });
      assert.match(String(t.data[1]?.["output"]), /^Arista vEOS-lab\n/);
      assert.deepEqual(t.data[2], {
        output: "% Invalid input (at token 0: 'frobnicate')\n",
        errors: ["Invalid input (at token 0: 'frobnicate')"],
      });
    });

    it("needs enable for configuration and the running-config (1005)", async () => {
      const e = await fails(sim, "leaf1", ["configure session s", "vlan 10", "commit"]);
      assert.equal(e.code, 1005);
      assert.equal(
        e.message,
        "CLI command 1 of 3 'configure session s' failed: permission to run command denied",
      );
      assert.equal((await fails(sim, "leaf1", ["show running-config"])).code, 1005);
      assert.deepEqual(sim.pendingSessions("leaf1"), []);
      // An enable password given as input is accepted and never logged.
      await ok(sim, "leaf1", [{ cmd: "enable", input: PASS } as never, "show running-config"]);
      assert.ok(!JSON.stringify(sim.log).includes(PASS));
    });

    it("refuses bad tokens, out-of-range numbers, unknown ports and incomplete lines", async () => {
      const cases: [string[], string][] = [
        [["vlan 4095"], "Invalid input (at token 1: '4095')"],
        [["vlan 010"], "Invalid input (at token 1: '010')"],
        [["interface Ethernet9"], "Invalid input (at token 1: 'Ethernet9')"],
        [["interface Vxlan2"], "Invalid input (at token 1: 'Vxlan2')"],
        [["interface Vxlan1", "vxlan vlan 10 vni 16777215"], "Invalid input (at token 4: '16777215')"],
        [["interface Vxlan1", "vxlan vlan 10"], "Incomplete command"],
        [["ip route vrf RED 10.1.2.3/16 10.0.0.1"], "Invalid input (at token 4: '10.1.2.3/16')"],
        [
          ["interface Vlan10", "ip address virtual 10.1.0.300/24"],
          "Invalid input (at token 3: '10.1.0.300/24')",
        ],
        [["router bgp 65001", "vrf RED", "rd 70000:70000"], "Invalid input (at token 1: '70000:70000')"],
        [
          ["ip access-list A", "10 permit udp any host 10.0.0.1 eq https"],
          "Invalid input (at token 7: 'https')",
        ],
        [["int Ethernet1"], "Invalid input (at token 0: 'int')"],
        [
          ["interface Ethernet1", "switchport trunk allowed vlan 30-20"],
          "Invalid input (at token 4: '30-20')",
        ],
        [["vrf instance default"], "Invalid input (at token 2: 'default')"],
      ];
      for (const [lines, reason] of cases) {
        const e = await fails(sim, "leaf1", ["enable", "configure session s", ...lines]);
        assert.equal(e.code, 1002, lines.join(" / "));
        assert.deepEqual(e.data.at(-1), { errors: [reason] }, lines.join(" / "));
        await ok(sim, "leaf1", ["enable", "configure session s abort"]);
      }
    });

    it("refuses names that could smuggle commands: newline, !, |, whitespace, control characters", async () => {
      const smuggled = [
        "vrf instance X\nno router bgp 65001",
        "ip access-list a|b",
        "vrf instance RED!",
        "vrf instance RED\tBLUE",
        "ip routing vrf A\u0000",
        "vrf instance RED BLUE",
      ];
      for (const line of smuggled) {
        const e = await fails(sim, "leaf1", ["enable", "configure session s", line, "commit"]);
        assert.equal(e.code, 1002, JSON.stringify(line));
        assert.equal(e.message, `CLI command 3 of 4 '${line}' failed: invalid command`);
        assert.match(String((e.data[2]?.["errors"] as string[])[0]), /^Invalid input \(at token \d+: '/);
      }
      assert.deepEqual(
        (await fails(sim, "leaf1", ["enable", "configure session s", "vrf instance X\nno router bgp 65001"]))
          .data[2],
        { errors: ["Invalid input (at token 2: 'X\\nno')"] },
      );
      const vlanName = await fails(sim, "leaf1", [
        "enable",
        "configure session s",
        "vlan 10",
        "name web servers",
      ]);
      assert.deepEqual(vlanName.data.at(-1), { errors: ["Invalid input (at token 2: 'servers')"] });
      assert.equal(sim.commits("leaf1"), 0);
      assert.ok(sim.config("leaf1").routerBgp, "router bgp is still there");
    });

    it("refuses a second BGP AS and a reused ACL sequence number", async () => {
      const bgp = await fails(sim, "leaf1", ["enable", "configure session s", "router bgp 65099"]);
      assert.deepEqual(bgp.data.at(-1), { errors: ["BGP is already running with AS number 65001"] });
      const seq = await fails(sim, "leaf1", [
        "enable",
        "configure session t",
        "ip access-list A",
        "10 permit ip any any",
        "10 deny ip any any",
      ]);
      assert.deepEqual(seq.data.at(-1), { errors: ["Duplicate sequence number 10"] });
    });
  });

  describe("modes", () => {
    it("falls back to the enclosing mode for a line the current mode does not know, and exit leaves one mode", async () => {
      await change(sim, "leaf1", [
        "interface Ethernet1",
        "switchport access vlan 10",
        "vlan 10", // not an interface line: global `vlan 10`
        "name web",
        "router bgp 65001",
        "vlan 10",
        "rd 10.0.0.1:10",
        "vlan 20", // not a line of bgp `vlan 10`: router bgp's own `vlan 20`
        "rd 10.0.0.1:20",
        "exit",
        "exit",
        "vlan 30", // global again after leaving router bgp
        "interface Ethernet2",
        "ip access-group A out",
        "no ip access-group A out",
      ]);
      const cfg = sim.config("leaf1");
      assert.deepEqual(cfg.vlans, { "10": { name: "web" }, "30": {} });
      assert.deepEqual(Object.keys(cfg.routerBgp?.vlans ?? {}), ["10", "20"]);
      assert.equal(cfg.routerBgp?.vlans["20"]?.rd, "10.0.0.1:20");
      assert.deepEqual(cfg.ethernet["Ethernet1"], { accessVlan: 10 });
      assert.deepEqual(cfg.ethernet["Ethernet2"], {});
    });

    it("edits trunk lists, hides defaults and resets ports", async () => {
      await change(sim, "leaf1", [
        "interface Ethernet1",
        "switchport mode trunk",
        "switchport trunk allowed vlan none",
        "switchport trunk allowed vlan add 5-7,9",
        "interface Ethernet2",
        "switchport mode trunk",
        "switchport trunk allowed vlan remove 1-99,200-4094",
        "interface Ethernet3",
        "switchport mode access",
        "switchport access vlan 1",
        "interface Ethernet10",
        "switchport access vlan 30",
      ]);
      const text = sim.runningConfig("leaf1");
      assert.ok(
        text.includes(
          "interface Ethernet1\n   switchport trunk allowed vlan 5-7,9\n   switchport mode trunk\n!",
        ),
      );
      assert.ok(
        text.includes(
          "interface Ethernet2\n   switchport trunk allowed vlan 100-199\n   switchport mode trunk\n!",
        ),
      );
      assert.ok(text.includes("interface Ethernet3\n!"), "access mode and VLAN 1 are defaults");
      await change(
        sim,
        "leaf1",
        [
          "interface Ethernet2",
          "switchport trunk allowed vlan add 1-4094",
          "default interface Ethernet1",
          "no interface Ethernet10",
        ],
        "s2",
      );
      const cfg = sim.config("leaf1");
      assert.deepEqual(cfg.ethernet["Ethernet2"], { mode: "trunk" }, "all VLANs is the default");
      assert.deepEqual(cfg.ethernet["Ethernet1"], {});
      assert.deepEqual(cfg.ethernet["Ethernet10"], {});
    });

    it("prints VLANs without settings together, as EOS does", async () => {
      await change(sim, "leaf1", [
        "vlan 12",
        "vlan 11",
        "vlan 20",
        "name app",
        "vlan 30",
        "vlan 31",
        "vlan 33",
      ]);
      assert.ok(
        sim.runningConfig("leaf1").includes("!\nvlan 11-12\n!\nvlan 20\n   name app\n!\nvlan 30-31,33\n!\n"),
      );
    });
  });

  describe("HTTP", () => {
    it("rejects bad credentials with 401 and never logs the password", async () => {
      const wrong = await post(sim, "leaf1", {}, { authorization: authHeader(USER, "nope") });
      assert.equal(wrong.status, 401);
      assert.match(wrong.headers.get("www-authenticate") ?? "", /^Basic realm=/);
      const res = await fetch(`${sim.urlOf("leaf1")}/command-api`, { method: "POST" });
      assert.equal(res.status, 401);
      await ok(sim, "leaf1", ["enable"]);
      const entries = sim.log;
      assert.equal(entries.length, 3);
      assert.deepEqual(
        entries.map((e) => e.status),
        [401, 401, 200],
      );
      assert.equal(entries[2]?.requestHeaders["authorization"], "[REDACTED]");
      assert.equal(entries[2]?.switch, "leaf1");
      assert.equal(entries[2]?.path, "/leaf1/command-api");
      assert.ok(!JSON.stringify(entries).includes(PASS));
      assert.ok(!JSON.stringify(entries).includes(Buffer.from(`${USER}:${PASS}`).toString("base64")));
    });

    it("answers misuse the way an HTTP JSON-RPC server would", async () => {
      const get = await post(sim, "leaf1", undefined, {}, "GET");
      assert.equal(get.status, 405);
      assert.equal(get.headers.get("allow"), "POST");
      const plain = await post(sim, "leaf1", { jsonrpc: "2.0" }, { "content-type": "text/plain" });
      assert.equal(plain.status, 415);
      const garbage = await post(sim, "leaf1", "{not json");
      assert.equal(garbage.status, 400);
      assert.deepEqual(garbage.body, {
        jsonrpc: "2.0",
        id: null,
        error: { code: -32700, message: "Parse error: the body is not valid JSON" },
      });
      const noVersion = await post(sim, "leaf1", {
        method: "runCmds",
        params: { version: 1, cmds: ["enable"] },
        id: 7,
      });
      assert.equal(noVersion.status, 400);
      assert.equal(noVersion.body.error?.code, -32600);
      assert.equal(noVersion.body.id, 7);
      const method = await post(sim, "leaf1", { jsonrpc: "2.0", method: "runCmd", params: {}, id: "x" });
      assert.equal(method.body.error?.code, -32601);
      const params = await post(sim, "leaf1", {
        jsonrpc: "2.0",
        method: "runCmds",
        params: { version: 1, cmds: [] },
        id: "x",
      });
      assert.equal(params.body.error?.code, -32602);
      const json = await post(
        sim,
        "leaf1",
        { jsonrpc: "2.0", method: "runCmds", params: { version: 1, cmds: ["enable"] }, id: 1 },
        {
          "content-type": "application/json",
        },
      );
      assert.equal(json.status, 200, "application/json is accepted too");
      assert.equal((await fetch(`${sim.url}/nosuch/command-api`)).status, 404);
      assert.equal((await fetch(`${sim.url}/leaf1/other`)).status, 404);
    });
  });

  describe("faults", () => {
    it("answers 500/503 or drops the connection without doing anything", async () => {
      sim.setKnobs({
        faults: [
          { switch: "leaf1", command: "^commit$", mode: "503", times: 1 },
          { switch: "leaf1", command: "^commit$", mode: "500", times: 1 },
          { switch: "leaf1", command: "^commit$", mode: "drop", times: 1 },
        ],
      });
      const cmds = ["enable", "configure session f", "vlan 10", "commit"];
      assert.equal((await runCmds(sim, "leaf1", cmds)).status, 503);
      assert.equal((await runCmds(sim, "leaf1", cmds)).status, 500);
      await assert.rejects(runCmds(sim, "leaf1", cmds));
      assert.deepEqual(
        sim.log.map((e) => e.injected),
        ["5xx", "5xx", "drop"],
      );
      assert.equal(sim.commits("leaf1"), 0);
      assert.deepEqual(sim.pendingSessions("leaf1"), []);
      await ok(sim, "leaf1", cmds);
      assert.equal(sim.commits("leaf1"), 1);
    });

    it("drop-after commits but loses the answer", async () => {
      sim.setKnobs({ faults: [{ command: "^commit$", mode: "drop-after", times: 1 }] });
      await assert.rejects(runCmds(sim, "leaf2", ["enable", "configure session d", "vlan 10", "commit"]));
      assert.equal(sim.commits("leaf2"), 1);
      assert.deepEqual(sim.config("leaf2").vlans, { "10": {} });
    });

    it("fails a commit whose session holds a matching line, once", async () => {
      sim.setKnobs({
        faults: [{ switch: "leaf1", command: "^no vrf instance ", mode: "commit-fail", times: 1 }],
      });
      await change(sim, "leaf1", ["vrf instance RED"]);
      const undo = ["enable", "configure session undo", "no vrf instance RED", "commit"];
      const e = await fails(sim, "leaf1", undo);
      assert.equal(e.code, 1002);
      assert.deepEqual(e.data.at(-1), {
        errors: ["Commit failed: injected fault on line 'no vrf instance RED'"],
      });
      assert.equal(sim.log.at(-1)?.injected, "commit-fail");
      assert.deepEqual(Object.keys(sim.config("leaf1").vrfs), ["RED"]);
      await ok(sim, "leaf1", ["enable", "configure session undo", "commit"]);
      assert.deepEqual(sim.config("leaf1").vrfs, {});
    });

    it("injects a seeded fraction of 503s and adds latency", async () => {
      const pattern = async (seed: number) => {
        sim.setKnobs({ rate5xx: 0.5, seed });
        const out: number[] = [];
        for (let i = 0; i < 12; i++) out.push((await runCmds(sim, "leaf1", ["show version"])).status);
        return out;
      };
      const a = await pattern(42);
      assert.deepEqual(await pattern(42), a);
      assert.ok(a.includes(503) && a.includes(200));
      sim.setKnobs({ rate5xx: 0, latencyMs: 80 });
      const t0 = Date.now();
      await runCmds(sim, "leaf1", ["show version"]);
      assert.ok(Date.now() - t0 >= 75);
    });
  });
});

describe("EOS eAPI simulator state file", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "eos-sim-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("persists running-configs, commit counts and pending sessions; never credentials", async () => {
    const stateFile = join(dir, "eos.json");
    const opts = { switches: SPECS, username: USER, password: PASS, stateFile };
    const first = await startEosSimulator(opts);
    await change(first, "leaf1", VPC_LINES);
    await ok(first, "leaf2", ["enable", "configure session later", "vlan 99"]);
    await first.close();

    const text = readFileSync(stateFile, "utf8");
    assert.ok(!text.includes(PASS), "the state file holds no password");
    assert.ok(!text.includes(USER), "nor the user name");

    const second = await startEosSimulator(opts);
    try {
      assert.equal(second.runningConfig("leaf1"), VPC_RUNNING_CONFIG);
      assert.equal(second.commits("leaf1"), 1);
      assert.deepEqual(second.pendingSessions("leaf2"), ["later"]);
      await ok(second, "leaf2", ["enable", "configure session later", "commit"]);
      assert.deepEqual(second.config("leaf2").vlans, { "99": {} });
    } finally {
      await second.close();
    }
  });
});
