// Loading and checking the fixed part of the simulated account: project, metros, devices, ports.
import { readFileSync } from "node:fs";
import { parseCidr } from "./ip";
import type { InventoryDevice, InventoryInterconnection, MetalInventory } from "./types";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function loadInventory(file: string): MetalInventory {
  const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
  return checkInventory(parsed, file);
}

/** Throws with every problem found, so a broken inventory fails at start, not mid-test. */
export function checkInventory(value: unknown, source = "inventory"): MetalInventory {
  const problems: string[] = [];
  const inv = value as Partial<MetalInventory> | null;
  if (!inv || typeof inv !== "object") throw new Error(`${source}: not an object`);
  if (!inv.project || !UUID.test(String(inv.project.id)) || typeof inv.project.name !== "string") {
    problems.push("project needs a uuid id and a name");
  }
  const metroCodes = new Set<string>();
  for (const [i, m] of (inv.metros ?? []).entries()) {
    if (!UUID.test(String(m.id)) || typeof m.code !== "string" || typeof m.name !== "string") {
      problems.push(`metros[${i}] needs a uuid id, a code and a name`);
    }
    metroCodes.add(String(m.code).toLowerCase());
  }
  if (!Array.isArray(inv.metros) || inv.metros.length === 0) problems.push("metros must be a non-empty list");
  const ids = new Set<string>();
  const claim = (id: string, where: string) => {
    if (!UUID.test(id)) problems.push(`${where}: id ${id} is not a uuid`);
    if (ids.has(id)) problems.push(`${where}: id ${id} is used twice`);
    ids.add(id);
  };
  for (const [i, d] of (inv.devices ?? []).entries())
    checkDevice(d, `devices[${i}]`, metroCodes, claim, problems);
  if (inv.interconnections !== undefined && !Array.isArray(inv.interconnections)) {
    problems.push("interconnections must be a list");
  }
  for (const [i, c] of (Array.isArray(inv.interconnections) ? inv.interconnections : []).entries()) {
    checkInterconnection(c, `interconnections[${i}]`, metroCodes, claim, problems);
  }
  const pool = parseCidr(String(inv.publicIpv4));
  if (!pool || pool.family !== 4) problems.push("publicIpv4 must be an IPv4 CIDR");
  if (problems.length > 0) throw new Error(`${source}: ${problems.join("; ")}`);
  // Devices name their metro by code in any case; records everywhere use the metro's own spelling.
  const checked = structuredClone(inv) as MetalInventory;
  for (const d of checked.devices) {
    d.metro = checked.metros.find((m) => m.code.toLowerCase() === d.metro.toLowerCase())?.code ?? d.metro;
  }
  for (const c of checked.interconnections ?? []) {
    c.metro = checked.metros.find((m) => m.code.toLowerCase() === c.metro.toLowerCase())?.code ?? c.metro;
    c.ports.forEach((p, j) => (p.role ??= j === 0 ? "primary" : "secondary"));
  }
  return checked;
}

function checkDevice(
  d: InventoryDevice,
  where: string,
  metroCodes: Set<string>,
  claim: (id: string, where: string) => void,
  problems: string[],
): void {
  claim(String(d.id), where);
  if (typeof d.hostname !== "string" || d.hostname === "") problems.push(`${where}: hostname missing`);
  if (!metroCodes.has(String(d.metro).toLowerCase())) problems.push(`${where}: unknown metro ${d.metro}`);
  const priv = parseCidr(String(d.private_ipv4));
  if (!priv || priv.family !== 4) problems.push(`${where}: private_ipv4 must be an IPv4 address with prefix`);
  const ports = Array.isArray(d.ports) ? d.ports : [];
  for (const [j, p] of ports.entries()) {
    claim(String(p.id), `${where}.ports[${j}]`);
    if (p.type !== "NetworkBondPort" && p.type !== "NetworkPort") {
      problems.push(`${where}.ports[${j}]: type must be NetworkBondPort or NetworkPort`);
    }
  }
  const names = ports.map((p) => p.name);
  // The network-type model (bond0 with members eth0 and eth1) needs exactly these ports.
  for (const required of ["bond0", "eth0", "eth1"]) {
    if (!names.includes(required)) problems.push(`${where}: port ${required} missing`);
  }
  if (ports.filter((p) => p.type === "NetworkBondPort").length !== 1) {
    problems.push(`${where}: exactly one bond port (bond0) is modelled; its members are the NetworkPorts`);
  }
  const nt = d.network_type;
  if (nt !== undefined && nt !== "layer3" && nt !== "hybrid" && nt !== "layer2-bonded") {
    problems.push(`${where}: network_type must be layer3, hybrid or layer2-bonded`);
  }
}

function checkInterconnection(
  c: InventoryInterconnection,
  where: string,
  metroCodes: Set<string>,
  claim: (id: string, where: string) => void,
  problems: string[],
): void {
  claim(String(c.id), where);
  if (typeof c.name !== "string" || c.name === "") problems.push(`${where}: name missing`);
  if (c.type !== "dedicated")
    problems.push(`${where}: type must be dedicated (only Dedicated Ports are modelled)`);
  if (!metroCodes.has(String(c.metro).toLowerCase())) problems.push(`${where}: unknown metro ${c.metro}`);
  if (!Number.isSafeInteger(c.speed) || c.speed <= 0)
    problems.push(`${where}: speed must be a positive integer (bps)`);
  const ports = Array.isArray(c.ports) ? c.ports : [];
  if (ports.length < 1 || ports.length > 2) problems.push(`${where}: needs one or two ports`);
  const names = new Set<string>();
  const roles = new Set<string>();
  for (const [j, p] of ports.entries()) {
    claim(String(p.id), `${where}.ports[${j}]`);
    if (typeof p.name !== "string" || p.name === "") problems.push(`${where}.ports[${j}]: name missing`);
    if (names.has(p.name)) problems.push(`${where}.ports[${j}]: name ${p.name} is used twice`);
    names.add(p.name);
    const role = p.role ?? (j === 0 ? "primary" : "secondary");
    if (role !== "primary" && role !== "secondary") {
      problems.push(`${where}.ports[${j}]: role must be primary or secondary`);
    }
    if (roles.has(role)) problems.push(`${where}.ports[${j}]: role ${role} is used twice`);
    roles.add(role);
  }
}
