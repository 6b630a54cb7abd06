// A small simulated fabric for the quick start and the tests: an NVUE site "ams" (two leaves,
// four servers cabled to them), an Arista EOS site "fra" (two leaves, four servers) and an Equinix
// Metal metro "da", the metro joined to ams by an interconnect (leaf2's swp16 cabled to the metro's
// dedicated interconnection). With a state directory the
// simulators keep their state (and the lab its credentials) on disk, so a later process can
// refresh or destroy what an earlier one created.
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:net";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  baselineConfig,
  renderRunningConfig,
  startEosSimulator,
  type EosSimulator,
  type EosSwitchSpec,
} from "./eos";
import { checkInventory, startMetalSimulator, type MetalSimulator } from "./metal";
// Imported rather than read from disk so that the compiled lab (dist/sim) carries it along.
import exampleInventory from "./metal/inventory.example.json";
import {
  canReachVip,
  startNvueSimulator,
  type Endpoint,
  type NvueSimulator,
  type VipReach,
  type VipTarget,
} from "./nvue";
import { canReachAcross, type FabricEndpoint, type HybridFabric } from "./fabric";

export interface LabOptions {
  stateDir?: string;
  /** How long a switch takes to apply a revision (ms). */
  applyMs?: number;
}

export interface Lab {
  /** The `sites` block of the fabric description for this lab (credentials included). */
  sites: Record<string, unknown>;
  /**
   * Secret values inside `sites`, by their config path below anyvpc:fabric; `credential` names the
   * entry of `<stateDir>/credentials.json` that holds the value, so a command can read it from there.
   */
  secrets: { path: string; value: string; credential: "password" | "token" }[];
  /** The `interconnects` block of the fabric description. */
  interconnects: HybridFabric["interconnects"];
  nvue: NvueSimulator;
  eos: EosSimulator;
  /** The running-config an EOS leaf of site fra starts with: what destroy must give back. */
  eosBaseline(sw: string): string;
  metal: MetalSimulator;
  /** Starts answering TCP on a server's port (at its probe address): a healthy backend there. */
  serve(server: string, port: number): Promise<void>;
  /** Stops answering: connections to the port are refused, the backend is unhealthy. */
  stopServing(server: string, port: number): Promise<void>;
  /** Which of `backends` (servers of site ams) receive a packet to vip:port from `client`. */
  canReachVip(client: Endpoint, target: VipTarget, backends: Endpoint[]): VipReach;
  /** The reachability model over both sites and the interconnect, from what they hold now. */
  canReach(a: FabricEndpoint, b: FabricEndpoint): ReturnType<typeof canReachAcross>;
  close(): Promise<void>;
}

const leaves = ["leaf1", "leaf2"];
const eosLeaves: EosSwitchSpec[] = ["eos1", "eos2"].map((name, i) => ({
  name,
  ports: Array.from({ length: 16 }, (_, p) => `Ethernet${p + 1}`),
  asn: 65010,
  routerId: `10.255.1.${i + 1}`,
  vtep: `10.11.10.${i + 1}`,
}));

/**
 * The servers and their cabling. `probe` is where the provider reaches each for load balancer
 * health checks: a loopback address on this machine, where the lab serves the server's ports.
 */
export const labServers: Record<string, { switch: string; port: string; probe: string }> = {
  "node-1": { switch: "leaf1", port: "swp1", probe: "127.77.0.1" },
  "node-2": { switch: "leaf2", port: "swp1", probe: "127.77.0.2" },
  "node-3": { switch: "leaf1", port: "swp2", probe: "127.77.0.3" },
  "node-4": { switch: "leaf2", port: "swp2", probe: "127.77.0.4" },
};

/** The servers of the EOS site fra, likewise. */
export const labEosServers: Record<string, { switch: string; port: string; probe: string }> = {
  "node-5": { switch: "eos1", port: "Ethernet1", probe: "127.77.0.5" },
  "node-6": { switch: "eos2", port: "Ethernet1", probe: "127.77.0.6" },
  "node-7": { switch: "eos1", port: "Ethernet2", probe: "127.77.0.7" },
  "node-8": { switch: "eos2", port: "Ethernet2", probe: "127.77.0.8" },
};

function credentials(stateDir: string | undefined): { password: string; token: string } {
  const fresh = () => ({ password: randomBytes(12).toString("hex"), token: randomBytes(16).toString("hex") });
  if (!stateDir) return fresh();
  const file = path.join(stateDir, "credentials.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as { password: string; token: string };
  const c = fresh();
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(file, JSON.stringify(c), { mode: 0o600 });
  return c;
}

/**
 * The ports a lab with a state directory listens on: chosen on first start, then kept, because
 * Pulumi's refresh and destroy reach the fabric through the provider configuration stored in
 * the stack's state at the last update, URLs included.
 */
function savedPorts(stateDir: string | undefined): { nvue: number; metal: number; eos: number } {
  const file = stateDir && path.join(stateDir, "ports.json");
  return {
    nvue: 0,
    metal: 0,
    eos: 0,
    ...(file && existsSync(file)
      ? (JSON.parse(readFileSync(file, "utf8")) as { nvue: number; metal: number; eos?: number })
      : {}),
  };
}

export async function startLab(opts: LabOptions = {}): Promise<Lab> {
  const { password, token } = credentials(opts.stateDir);
  const ports = savedPorts(opts.stateDir);
  const state = (name: string) => (opts.stateDir ? path.join(opts.stateDir, name) : undefined);
  const nvue = await startNvueSimulator({
    switches: leaves.map((name, i) => ({
      name,
      ports: Array.from({ length: 16 }, (_, p) => `swp${p + 1}`),
      vtep: `10.10.10.${i + 1}`,
      asn: 65101 + i,
    })),
    credentials: { username: "anyvpc", password },
    knobs: { applyMs: opts.applyMs ?? 200 },
    stateFile: state("nvue.json"),
    port: ports.nvue,
  });
  const eos = await startEosSimulator({
    switches: eosLeaves,
    username: "anyvpc",
    password,
    stateFile: state("eos.json"),
    port: ports.eos,
  });
  const inventory = checkInventory(exampleInventory, "sim/metal/inventory.example.json");
  const metal = await startMetalSimulator({
    inventory,
    token,
    knobs: { gatewayActivateMs: 100, gatewayDeleteMs: 100, batchStepMs: 50 },
    stateFile: state("metal.json"),
    port: ports.metal,
  });
  if (opts.stateDir) {
    const port = (url: string) => Number(new URL(url).port);
    writeFileSync(
      path.join(opts.stateDir, "ports.json"),
      JSON.stringify({ nvue: port(nvue.url), metal: port(metal.url), eos: port(eos.url) }),
    );
  }
  const sites = {
    ams: {
      kind: "nvue",
      asn: 65000,
      switches: Object.fromEntries(
        leaves.map((l) => [l, { url: nvue.baseUrlOf(l), username: "anyvpc", password }]),
      ),
      servers: labServers,
    },
    fra: {
      kind: "eos",
      asn: 65010,
      switches: Object.fromEntries(
        eosLeaves.map((l) => [
          l.name,
          { url: eos.urlOf(l.name), username: "anyvpc", password, routerId: l.routerId },
        ]),
      ),
      servers: labEosServers,
    },
    da: {
      kind: "equinix-metal",
      projectId: inventory.project.id,
      metro: inventory.metros[0]!.code,
      url: `${metal.url}/metal/v1`,
      token,
    },
  };
  const connection = inventory.interconnections?.[0];
  const interconnects: HybridFabric["interconnects"] = connection
    ? {
        "ams-da": {
          nvue: { site: "ams", switch: "leaf2", port: "swp16" },
          metal: { site: "da", connectionId: connection.id, port: "primary" },
        },
      }
    : {};
  const model = (): HybridFabric => ({
    nvue: {
      ams: {
        configs: Object.fromEntries(leaves.map((l) => [l, nvue.applied(l)])),
        servers: Object.entries(labServers).map(([server, p]) => ({
          server,
          switch: p.switch,
          port: p.port,
        })),
      },
    },
    metal: {
      da: {
        state: metal.snapshot(),
        devices: inventory.devices.map((d) => ({ id: d.id, hostname: d.hostname })),
      },
    },
    interconnects,
  });
  const listeners = new Map<string, Server>();
  const serve = (server: string, port: number) =>
    new Promise<void>((resolve, reject) => {
      const key = `${server}:${port}`;
      if (listeners.has(key)) return resolve();
      const srv = createServer((socket) => socket.end());
      srv.once("error", reject);
      srv.listen(port, (labServers[server] ?? labEosServers[server])!.probe, () => {
        listeners.set(key, srv);
        resolve();
      });
    });
  const stopServing = (server: string, port: number) =>
    new Promise<void>((resolve) => {
      const key = `${server}:${port}`;
      const srv = listeners.get(key);
      listeners.delete(key);
      if (srv) srv.close(() => resolve());
      else resolve();
    });
  return {
    sites,
    interconnects,
    serve,
    stopServing,
    canReach: (a, b) => canReachAcross(model(), a, b),
    canReachVip: (client, target, backends) => {
      const ams = model().nvue.ams!;
      return canReachVip(ams.configs, ams.servers, client, target, backends);
    },
    secrets: [
      ...leaves.map((l) => ({
        path: `sites.ams.switches.${l}.password`,
        value: password,
        credential: "password" as const,
      })),
      ...eosLeaves.map((l) => ({
        path: `sites.fra.switches.${l.name}.password`,
        value: password,
        credential: "password" as const,
      })),
      { path: "sites.da.token", value: token, credential: "token" as const },
    ],
    nvue,
    eos,
    eosBaseline: (sw) => renderRunningConfig(baselineConfig(eosLeaves.find((l) => l.name === sw)!)),
    metal,
    close: async () => {
      await Promise.all(
        [...listeners.keys()].map((k) => stopServing(k.split(":")[0]!, Number(k.split(":")[1]))),
      );
      await Promise.all([nvue.close(), eos.close(), metal.close()]);
    },
  };
}
