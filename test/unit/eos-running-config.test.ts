// Reading EOS back: `show running-config` text as a tree, the CLI modes of a list of lines, and
// whether a running-config holds a list of lines (what EOS prints differently from what was sent:
// defaults left out, VLANs grouped, trunk lists compressed, ACL ports by name).
import assert from "node:assert/strict";
import { AnyvpcError } from "../../provider/errors";
import {
  closeModes,
  holdsLines,
  missingLines,
  parseRunningConfig,
  walkModes,
  type ConfigNode,
} from "../../provider/drivers/eos/running-config";
import {
  portLines,
  removePortLines,
  subnetLines,
  vipLines,
  vrfLines,
} from "../../provider/drivers/eos/intent";
import { sessionBlock } from "../../provider/drivers/eos/site";

const text = [
  "! Command: show running-config",
  "! device: leaf1 (vEOS-lab, EOS-4.32.0F)",
  "!",
  "hostname leaf1",
  "!",
  "vlan 10",
  "   name web",
  "!",
  "vlan 20,30-31",
  "!",
  "vrf instance RED",
  "!",
  "interface Ethernet1",
  "   switchport access vlan 10",
  "   ip access-group lb-api out",
  "!",
  "interface Ethernet2",
  "   switchport trunk allowed vlan 10,20-22",
  "   switchport mode trunk",
  "!",
  "interface Ethernet3",
  "!",
  "interface Vlan10",
  "   vrf RED",
  "   ip address virtual 10.10.0.1/24",
  "   ipv6 address virtual fd00::1/64",
  "!",
  "interface Vxlan1",
  "   vxlan source-interface Loopback1",
  "   vxlan udp-port 4789",
  "   vxlan vlan 10 vni 10010",
  "   vxlan vrf RED vni 5001",
  "!",
  "ip access-list lb-api",
  "   10 permit tcp any host 10.0.0.32 eq https",
  "   20 permit udp any host 10.0.0.32 eq domain",
  "   100000 deny ip any host 10.0.0.32",
  "   100010 permit ip any any",
  "!",
  "ip routing",
  "ip routing vrf RED",
  "!",
  "ip route vrf RED 10.0.0.32/32 10.10.0.2",
  "ip route vrf RED 10.0.0.32/32 10.10.0.3",
  "!",
  "router bgp 65001",
  "   router-id 10.0.0.1",
  "   !",
  "   vlan 10",
  "      rd 10.0.0.1:10010",
  "      route-target both 10010:10010",
  "      redistribute learned",
  "   !",
  "   vrf RED",
  "      rd 10.0.0.1:5001",
  "      route-target import evpn 65000:5001",
  "      route-target export evpn 65000:5001",
  "      redistribute connected",
  "      redistribute static",
  "!",
  "end",
  "",
].join("\n");

const lines = (n: ConfigNode): string[] => n.children.map((c) => c.line);
const child = (n: ConfigNode, line: string): ConfigNode => {
  const c = n.children.find((x) => x.line === line);
  assert.ok(c, `${line} under ${n.line || "(root)"}`);
  return c;
};

describe("EOS running-config parser", () => {
  it("indentation gives the tree (3 spaces a level); `!` lines, blank lines and `end` are left out", () => {
    const tree = parseRunningConfig(text);
    assert.equal(tree.line, "");
    assert.deepEqual(lines(tree).slice(0, 6), [
      "hostname leaf1",
      "vlan 10",
      "vlan 20,30-31",
      "vrf instance RED",
      "interface Ethernet1",
      "interface Ethernet2",
    ]);
    assert.ok(!lines(tree).includes("end"));
    assert.ok(!lines(tree).some((l) => l.startsWith("!")));
    assert.deepEqual(lines(child(tree, "vlan 10")), ["name web"]);
    assert.deepEqual(lines(child(tree, "interface Ethernet3")), []);
    const bgp = child(tree, "router bgp 65001");
    assert.deepEqual(lines(bgp), ["router-id 10.0.0.1", "vlan 10", "vrf RED"]);
    assert.deepEqual(lines(child(bgp, "vrf RED")), [
      "rd 10.0.0.1:5001",
      "route-target import evpn 65000:5001",
      "route-target export evpn 65000:5001",
      "redistribute connected",
      "redistribute static",
    ]);
    assert.deepEqual(lines(child(tree, "ip routing")), []);
  });

  it("takes CRLF, trailing spaces, runs of spaces and an over-deep indent (child of the deepest open line)", () => {
    const tree = parseRunningConfig("router bgp 1\r\n   vrf  A   \r\n         rd 1:1\r\n   !\r\nend\r\n");
    const vrf = child(child(tree, "router bgp 1"), "vrf A");
    assert.deepEqual(lines(vrf), ["rd 1:1"]);
    assert.deepEqual(parseRunningConfig("").children, []);
    assert.deepEqual(lines(parseRunningConfig("!\n! only comments\nend\n")), []);
  });
});

describe("EOS CLI modes", () => {
  it("places each line under the sub-modes it is in, falling back to enclosing modes as EOS does", () => {
    const { placed, depth } = walkModes([
      "router bgp 65001",
      "vrf RED",
      "rd 1:1",
      "vlan 10", // not a vrf line: BGP's vlan
      "rd 1:2",
      "interface Vxlan1", // global
      "vxlan vlan 10 vni 10",
      "vlan 10", // global again
      "name web",
    ]);
    assert.deepEqual(
      placed.map((p) => [...p.path, p.line].join(" > ")),
      [
        "router bgp 65001",
        "router bgp 65001 > vrf RED",
        "router bgp 65001 > vrf RED > rd 1:1",
        "router bgp 65001 > vlan 10",
        "router bgp 65001 > vlan 10 > rd 1:2",
        "interface Vxlan1",
        "interface Vxlan1 > vxlan vlan 10 vni 10",
        "vlan 10",
        "vlan 10 > name web",
      ],
    );
    assert.equal(depth, 1);
    assert.deepEqual(closeModes(["router bgp 1", "vrf A", "rd 1:1"]).slice(-2), ["exit", "exit"]);
    assert.throws(() => walkModes(["vlan 10", "exit", "exit"]), AnyvpcError);
  });

  it("a caller's lines are refused before sharing a session when they could end or escape it", () => {
    for (const bad of [
      "commit",
      "abort",
      "end",
      "configure session x",
      "no configure session x",
      "show running-config",
      "vlan 10\nno router bgp 1",
      "",
      "exit",
    ])
      assert.throws(() => sessionBlock("leaf1", [bad]), AnyvpcError, JSON.stringify(bad));
    assert.deepEqual(sessionBlock("leaf1", ["interface Ethernet1", "shutdown"]), [
      "interface Ethernet1",
      "shutdown",
      "exit",
    ]);
  });
});

describe("EOS read-back: does the running-config hold the lines", () => {
  const tree = parseRunningConfig(text);

  it("holds the avd-style VRF, subnet, port and VIP lines as EOS prints them", () => {
    assert.deepEqual(
      missingLines(
        tree,
        vrfLines({ vrf: "RED", l3Vni: 5001, routeTarget: "65000:5001", asn: 65001, routerId: "10.0.0.1" }),
      ),
      [],
    );
    assert.deepEqual(
      missingLines(
        tree,
        subnetLines({
          vrf: "RED",
          vlan: 10,
          vni: 10010,
          gateways: ["10.10.0.1/24", "fd00:0::1/64"],
          name: "web",
          asn: 65001,
          routerId: "10.0.0.1",
        }),
      ),
      [],
    );
    // `switchport mode access` is the default: EOS does not print it.
    assert.ok(holdsLines(tree, portLines({ port: "Ethernet1", vlan: 10, mode: "access" })));
    // A trunk list printed compressed holds each VLAN added.
    assert.ok(holdsLines(tree, portLines({ port: "Ethernet2", vlan: 21, mode: "trunk" })));
    assert.ok(holdsLines(tree, ["interface Ethernet2", "switchport trunk allowed vlan 10,20,21,22"]));
    // ACL ports printed by name (https, domain) hold entries written with numbers.
    assert.deepEqual(
      missingLines(
        tree,
        vipLines({
          vrf: "RED",
          vip: "10.0.0.32",
          nextHops: ["10.10.0.2", "10.10.0.3"],
          listeners: [
            { port: 443, protocol: "tcp" },
            { port: 53, protocol: "udp" },
          ],
          acl: "lb-api",
          egressPorts: ["Ethernet1"],
        }),
      ),
      [],
    );
  });

  it("names what is missing, and a line of another value does not count", () => {
    assert.deepEqual(
      missingLines(tree, ["interface Vlan10", "vrf BLUE", "ip address virtual 10.10.0.1/24"]),
      ["interface Vlan10 > vrf BLUE"],
    );
    assert.deepEqual(missingLines(tree, ["router bgp 65001", "vrf BLUE", "rd 1:1"]), [
      "router bgp 65001 > vrf BLUE",
      "router bgp 65001 > vrf BLUE > rd 1:1",
    ]);
    assert.ok(!holdsLines(tree, portLines({ port: "Ethernet2", vlan: 40, mode: "trunk" })));
    assert.ok(
      !holdsLines(tree, portLines({ port: "Ethernet2", vlan: 10, mode: "access" })),
      "a trunk is no access port",
    );
    assert.ok(!holdsLines(tree, ["ip access-list lb-api", "10 permit tcp any host 10.0.0.32 eq 80"]));
    // A trunk port at defaults allows every VLAN.
    assert.ok(holdsLines(tree, ["interface Ethernet3", "switchport trunk allowed vlan add 77"]));
  });

  it("`no` lines hold when their subject is absent, blocks included (VLANs also inside a grouped line)", () => {
    assert.ok(
      holdsLines(tree, [
        "no vlan 40",
        "no interface Vlan20",
        "no vrf instance BLUE",
        "router bgp 65001",
        "no vrf BLUE",
      ]),
    );
    assert.deepEqual(missingLines(tree, ["no vlan 30", "no vlan 10", "no vrf instance RED"]), [
      "no vlan 30",
      "no vlan 10",
      "no vrf instance RED",
    ]);
    assert.deepEqual(
      missingLines(tree, [
        "interface Ethernet1",
        "no switchport access vlan",
        "no ip access-group lb-api out",
      ]),
      [
        "interface Ethernet1 > no switchport access vlan",
        "interface Ethernet1 > no ip access-group lb-api out",
      ],
    );
    assert.ok(
      holdsLines(tree, removePortLines({ port: "Ethernet3", vlan: 10, mode: "access", lastUse: true })),
    );
    assert.ok(!holdsLines(tree, removePortLines({ port: "Ethernet2", vlan: 20, mode: "trunk" })));
    assert.ok(holdsLines(tree, removePortLines({ port: "Ethernet2", vlan: 23, mode: "trunk" })));
    // Entering a sub-mode creates its block, so the block must be there even for a `no` inside it.
    assert.deepEqual(missingLines(tree, ["interface Vlan99", "no vrf RED"]), ["interface Vlan99"]);
    assert.deepEqual(missingLines(tree, ["interface Vlan99", "vrf RED"]), [
      "interface Vlan99",
      "interface Vlan99 > vrf RED",
    ]);
  });

  it("the last word on a setting wins: `no <seq>` then the entry, a removed block then recreated", () => {
    assert.ok(
      holdsLines(tree, ["ip access-list lb-api", "no 10", "10 permit tcp any host 10.0.0.32 eq 443"]),
    );
    assert.ok(
      !holdsLines(tree, ["ip access-list lb-api", "10 permit tcp any host 10.0.0.32 eq 443", "no 10"]),
    );
    assert.ok(holdsLines(tree, ["no vlan 10", "vlan 10", "name web"]));
    assert.ok(holdsLines(tree, ["vlan 10", "name other", "exit", "no vlan 10", "vlan 10", "name web"]));
    assert.ok(holdsLines(tree, ["interface Ethernet2", "switchport mode access", "switchport mode trunk"]));
    assert.ok(
      holdsLines(tree, [
        "interface Ethernet2",
        "switchport trunk allowed vlan remove 10",
        "switchport trunk allowed vlan add 10",
      ]),
    );
  });
});
