// EOS intent: the CLI lines for each object, in an order EOS accepts inside one session, and no
// name, number or address that could add a word, a command or a comment to a line.
import assert from "node:assert/strict";
import { AnyvpcError } from "../../provider/errors";
import {
  isRouteDistinguisher,
  portLines,
  removePortLines,
  removeSubnetLines,
  removeVipLines,
  removeVrfLines,
  routeDistinguisher,
  subnetLines,
  subnetRouteTarget,
  vipLines,
  vrfLines,
  type SubnetIntent,
  type VipIntent,
  type VrfIntent,
} from "../../provider/drivers/eos/intent";
import { walkModes } from "../../provider/drivers/eos/running-config";

const vrf: VrfIntent = {
  vrf: "prod-lfls",
  l3Vni: 5001,
  routeTarget: "65000:5001",
  asn: 65001,
  routerId: "10.0.0.1",
};
const subnet: SubnetIntent = {
  vrf: "prod-lfls",
  vlan: 120,
  vni: 10120,
  gateways: ["10.1.2.1/24", "FD00:0:0:0::1/64"],
  name: "web",
  asn: 65001,
  routerId: "10.0.0.1",
};
const vip: VipIntent = {
  vrf: "prod-lfls",
  vip: "10.0.0.32",
  nextHops: ["10.1.2.3", "10.1.2.2"],
  listeners: [
    { port: 443, protocol: "tcp" },
    { port: 53, protocol: "udp" },
  ],
  acl: "lb-api",
  egressPorts: ["Ethernet3", "Ethernet4"],
};

/** Every list must end back in global configuration mode, or a combined session would go wrong. */
function endsInGlobalMode(lines: string[]): void {
  assert.equal(walkModes(lines).depth, 0, lines.join("\n"));
}

/** The call throws an AnyvpcError whose message shows the value (escaped as JSON) and whose details hold it. */
function refused(call: () => unknown, value: unknown): void {
  assert.throws(call, (e: unknown) => {
    assert.ok(e instanceof AnyvpcError, String(e));
    const shown =
      typeof value === "string"
        ? JSON.stringify(value.slice(0, 64))
        : typeof value === "object"
          ? JSON.stringify(value)
          : String(value);
    assert.ok(e.message.includes(shown), `${e.message} should name ${shown}`);
    assert.deepEqual(e.details.value, value);
    assert.ok(!/\n/.test(e.message), "the message stays on one line");
    return true;
  });
}

describe("EOS intent: CLI lines", () => {
  it("VPC → vrf instance, ip routing vrf, the L3VNI on Vxlan1 and BGP's vrf with rd, RTs and redistribution", () => {
    const lines = vrfLines(vrf);
    assert.deepEqual(lines, [
      "vrf instance prod-lfls",
      "exit",
      "ip routing vrf prod-lfls",
      "interface Vxlan1",
      "vxlan vrf prod-lfls vni 5001",
      "exit",
      "router bgp 65001",
      "vrf prod-lfls",
      "rd 10.0.0.1:5001",
      "route-target import evpn 65000:5001",
      "route-target export evpn 65000:5001",
      "redistribute connected",
      "redistribute static",
      "exit",
      "exit",
    ]);
    endsInGlobalMode(lines);
    const removal = removeVrfLines(vrf);
    assert.deepEqual(removal, [
      "router bgp 65001",
      "no vrf prod-lfls",
      "exit",
      "interface Vxlan1",
      "no vxlan vrf prod-lfls vni 5001",
      "exit",
      "no ip routing vrf prod-lfls",
      "no vrf instance prod-lfls",
    ]);
    endsInGlobalMode(removal);
  });

  it("an L3VNI above 65535 (the default pool) gets a type-0 RD, since router-id:number takes 2 bytes", () => {
    const lines = vrfLines({ ...vrf, l3Vni: 1_000_001, routeTarget: "65000:1000001" });
    assert.ok(lines.includes("rd 65001:1000001"), lines.join("\n"));
    assert.equal(routeDistinguisher("10.0.0.1", 65001, 65535), "10.0.0.1:65535");
    assert.throws(
      () => routeDistinguisher("10.0.0.1", 4_200_000_000, 1_000_001),
      (e: unknown) => e instanceof AnyvpcError && /2-byte ASN/.test(e.details.fix ?? ""),
    );
    for (const ok of ["65000:1000001", "10.0.0.1:65535", "4200000000:65535", "1:4294967295"])
      assert.ok(isRouteDistinguisher(ok), ok);
    for (const bad of [
      "10.0.0.1:65536",
      "4200000000:65536",
      "065000:1",
      "65000:1 ",
      "a:1",
      "65000",
      "1.2.3:4",
    ])
      assert.ok(!isRouteDistinguisher(bad), bad);
  });

  it("Subnet → VLAN with name, SVI in the VRF (VRF before addresses), L2VNI and BGP's vlan; removal in reverse", () => {
    const lines = subnetLines(subnet);
    assert.deepEqual(lines, [
      "vlan 120",
      "name web",
      "exit",
      "interface Vlan120",
      "vrf prod-lfls",
      "ip address virtual 10.1.2.1/24",
      "ipv6 address virtual fd00::1/64",
      "exit",
      "interface Vxlan1",
      "vxlan vlan 120 vni 10120",
      "exit",
      "router bgp 65001",
      "vlan 120",
      "rd 10.0.0.1:10120",
      "route-target both 10120:10120",
      "redistribute learned",
      "exit",
      "exit",
    ]);
    endsInGlobalMode(lines);
    const removal = removeSubnetLines(subnet);
    assert.deepEqual(removal, [
      "router bgp 65001",
      "no vlan 120",
      "exit",
      "interface Vxlan1",
      "no vxlan vlan 120 vni 10120",
      "exit",
      "no interface Vlan120",
      "no vlan 120",
    ]);
    endsInGlobalMode(removal);
    assert.equal(subnetRouteTarget(65001, 100_000), "65001:100000", "vni:vni is no route target above 65535");
  });

  it("Attachment → access or trunk port lines; removal takes only its VLAN, or everything on last use", () => {
    assert.deepEqual(portLines({ port: "Ethernet3", vlan: 120, mode: "access" }), [
      "interface Ethernet3",
      "switchport mode access",
      "switchport access vlan 120",
      "exit",
    ]);
    assert.deepEqual(portLines({ port: "Ethernet49/1", vlan: 120, mode: "trunk" }), [
      "interface Ethernet49/1",
      "switchport mode trunk",
      "switchport trunk allowed vlan add 120",
      "exit",
    ]);
    assert.deepEqual(portLines({ port: "Ethernet49/1", vlan: 120, mode: "trunk", firstUse: true }), [
      "interface Ethernet49/1",
      "switchport mode trunk",
      "switchport trunk allowed vlan 120",
      "exit",
    ]);
    assert.deepEqual(removePortLines({ port: "Ethernet49/1", vlan: 120, mode: "trunk" }), [
      "interface Ethernet49/1",
      "switchport trunk allowed vlan remove 120",
      "exit",
    ]);
    assert.deepEqual(removePortLines({ port: "Ethernet3", vlan: 120, mode: "access", lastUse: true }), [
      "interface Ethernet3",
      "no switchport access vlan",
      "no switchport mode",
      "exit",
    ]);
    assert.deepEqual(removePortLines({ port: "Ethernet4", vlan: 120, mode: "trunk", lastUse: true }), [
      "interface Ethernet4",
      "no switchport trunk allowed vlan",
      "no switchport mode",
      "exit",
    ]);
  });

  it("VIP → its ACL (listeners, deny to the VIP, permit the rest), the ACL out on the ports, ECMP routes", () => {
    const lines = vipLines(vip);
    assert.deepEqual(lines, [
      "ip access-list lb-api",
      "no 10",
      "10 permit tcp any host 10.0.0.32 eq 443",
      "no 20",
      "20 permit udp any host 10.0.0.32 eq 53",
      "no 100000",
      "100000 deny ip any host 10.0.0.32",
      "no 100010",
      "100010 permit ip any any",
      "exit",
      "interface Ethernet3",
      "ip access-group lb-api out",
      "exit",
      "interface Ethernet4",
      "ip access-group lb-api out",
      "exit",
      "ip route vrf prod-lfls 10.0.0.32/32 10.1.2.3",
      "ip route vrf prod-lfls 10.0.0.32/32 10.1.2.2",
    ]);
    endsInGlobalMode(lines);
    assert.deepEqual(removeVipLines(vip), [
      "no ip route vrf prod-lfls 10.0.0.32/32 10.1.2.3",
      "no ip route vrf prod-lfls 10.0.0.32/32 10.1.2.2",
      "interface Ethernet3",
      "no ip access-group lb-api out",
      "exit",
      "interface Ethernet4",
      "no ip access-group lb-api out",
      "exit",
      "no ip access-list lb-api",
    ]);
  });

  it("a VIP update removes exactly what is no longer wanted: a next hop, a listener, a port", () => {
    const next: VipIntent = {
      ...vip,
      nextHops: ["10.1.2.2"],
      listeners: [{ port: 443, protocol: "tcp" }],
      egressPorts: ["Ethernet4"],
    };
    const lines = vipLines(next, vip);
    assert.deepEqual(lines, [
      "ip access-list lb-api",
      "no 20",
      "no 10",
      "10 permit tcp any host 10.0.0.32 eq 443",
      "no 100000",
      "100000 deny ip any host 10.0.0.32",
      "no 100010",
      "100010 permit ip any any",
      "exit",
      "interface Ethernet4",
      "ip access-group lb-api out",
      "exit",
      "ip route vrf prod-lfls 10.0.0.32/32 10.1.2.2",
      "no ip route vrf prod-lfls 10.0.0.32/32 10.1.2.3",
      "interface Ethernet3",
      "no ip access-group lb-api out",
      "exit",
    ]);
    endsInGlobalMode(lines);
    // A renamed ACL: the old one comes off every port and goes.
    const renamed = vipLines({ ...vip, acl: "lb-api2" }, vip);
    assert.ok(renamed.includes("no ip access-list lb-api"));
    assert.ok(renamed.includes("no ip access-group lb-api out"));
    assert.ok(!renamed.includes("no ip route vrf prod-lfls 10.0.0.32/32 10.1.2.2"));
  });
});

describe("EOS intent: hostile values are refused, naming the value", () => {
  const hostileNames = [
    "prod\nno router bgp 65001",
    "prod\rno router bgp 65001",
    "prod!",
    "prod | include",
    "prod|x",
    "prod lfls",
    " prod",
    "prod\t",
    "prod\u0000",
    "prod\u007f",
    "",
    "1prod",
    "default",
    "x".repeat(101),
  ];

  it("VRF names", () => {
    for (const name of hostileNames) {
      refused(() => vrfLines({ ...vrf, vrf: name }), name);
      refused(() => removeVrfLines({ ...vrf, vrf: name }), name);
      refused(() => subnetLines({ ...subnet, vrf: name }), name);
      refused(() => vipLines({ ...vip, vrf: name }), name);
    }
    assert.doesNotThrow(() => vrfLines({ ...vrf, vrf: "x".repeat(100) }));
  });

  it("ACL, VLAN and port names", () => {
    for (const name of hostileNames.filter((n) => n !== "default")) {
      refused(() => vipLines({ ...vip, acl: name }), name);
      refused(() => removeVipLines({ ...vip, acl: name }), name);
    }
    for (const name of ["web\nshutdown", "web!", "a|b", "we b", "", "x".repeat(33), "web\u001b[0m"])
      refused(() => subnetLines({ ...subnet, name }), name);
    for (const port of [
      "Ethernet1\nshutdown",
      "Ethernet1 ",
      "Ethernet0",
      "Ethernet1/0",
      "eth1",
      "Ethernet1!",
      "Vlan10",
      "Ethernet1|2",
    ]) {
      refused(() => portLines({ port, vlan: 120, mode: "access" }), port);
      refused(() => removePortLines({ port, vlan: 120, mode: "trunk" }), port);
      refused(() => vipLines({ ...vip, egressPorts: [port] }), port);
    }
  });

  it("numbers: typed, integer and in range", () => {
    for (const vlan of [0, 1, 4095, 1.5, -2, Number.NaN, Infinity, "120" as unknown as number])
      refused(() => subnetLines({ ...subnet, vlan }), vlan);
    for (const n of [0, 16_777_215, 2.5, "5001" as unknown as number]) {
      refused(() => vrfLines({ ...vrf, l3Vni: n }), n);
      refused(() => subnetLines({ ...subnet, vni: n }), n);
    }
    for (const asn of [0, 4_294_967_296, 65001.5]) refused(() => vrfLines({ ...vrf, asn }), asn);
    for (const port of [0, 65_536, 443.1])
      refused(() => vipLines({ ...vip, listeners: [{ port, protocol: "tcp" }] }), port);
    refused(() => portLines({ port: "Ethernet1", vlan: 4095, mode: "trunk" }), 4095);
    refused(
      () => vipLines({ ...vip, listeners: [{ port: 443, protocol: "tcp any any\n" as "tcp" }] }),
      "tcp any any\n",
    );
    refused(() => portLines({ port: "Ethernet1", vlan: 10, mode: "routed" as "access" }), "routed");
  });

  it("addresses and route targets", () => {
    for (const addr of [
      "10.0.0.300",
      "10.0.0.01",
      "10.0.0.1 ",
      "10.0.0.1\n",
      "10.0.0",
      "host 10.0.0.1",
      "::1",
    ]) {
      refused(() => vipLines({ ...vip, vip: addr }), addr);
      refused(() => vipLines({ ...vip, nextHops: [addr] }), addr);
      refused(() => vrfLines({ ...vrf, routerId: addr }), addr);
    }
    for (const g of [
      "10.1.2.1",
      "10.1.2.1/33",
      "10.1.2.1/0",
      "fd00::1/129",
      "fd00::g/64",
      "10.1.2.1/24 secondary",
      "10.1.2.1/24\n",
    ])
      refused(() => subnetLines({ ...subnet, gateways: [g] }), g);
    const twoV4 = ["10.1.2.1/24", "10.1.3.1/24"];
    refused(() => subnetLines({ ...subnet, gateways: twoV4 }), twoV4);
    for (const rt of ["65000:5001\nno router bgp 65001", "65000:5001 ", "abc:1", "10.0.0.1:70000"])
      refused(() => vrfLines({ ...vrf, routeTarget: rt }), rt);
  });
});
