// Tests of the Equinix Metal simulator, driven with plain fetch (never the client under test), and
// with every response checked against the vendor's OpenAPI schemas after each test.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  loadInventory,
  startMetalSimulator,
  type MetalInventory,
  type MetalSimKnobs,
  type MetalSimulator,
} from "../../sim/metal";
import { loadMetalContract, type MetalContract } from "../contract/openapi";
import { checkTraffic } from "../contract/traffic";

const TOKEN = "sim-test-token-5f2c9d1e7a";
const inventory = loadInventory(join(__dirname, "../../sim/metal/inventory.example.json"));
const PROJECT = inventory.project.id;
const FAST: MetalSimKnobs = { gatewayActivateMs: 40, gatewayDeleteMs: 40, batchStepMs: 25 };

/** The example inventory plus a second metro (sv) with one device, for per-metro rules. */
function twoMetroInventory(): MetalInventory {
  const inv = structuredClone(inventory);
  inv.metros.push({ id: "3b1b8f4e-0a53-4e31-9d51-1e8a4f1f2c11", code: "sv", name: "Silicon Valley" });
  inv.devices.push({
    id: "c0f2bb7e-2f7a-4b8e-8a8e-0a3a8d6c5e01",
    hostname: "sv-node-1",
    metro: "sv",
    private_ipv4: "10.70.9.2/31",
    ports: [
      { id: "c0f2bb7e-2f7a-4b8e-8a8e-0a3a8d6c5e02", name: "bond0", type: "NetworkBondPort" },
      { id: "c0f2bb7e-2f7a-4b8e-8a8e-0a3a8d6c5e03", name: "eth0", type: "NetworkPort" },
      { id: "c0f2bb7e-2f7a-4b8e-8a8e-0a3a8d6c5e04", name: "eth1", type: "NetworkPort" },
    ],
  });
  return inv;
}

function portId(device: number, name: string): string {
  const port = inventory.devices[device]?.ports.find((p) => p.name === name);
  if (!port) throw new Error(`no port ${name} on device ${device}`);
  return port.id;
}

function deviceId(device: number): string {
  const d = inventory.devices[device];
  if (!d) throw new Error(`no device ${device}`);
  return d.id;
}

interface Href {
  href: string;
}
interface Obj {
  id: string;
  href: string;
  [key: string]: unknown;
}
interface Meta {
  total: number;
  current_page: number;
  last_page: number;
  next?: Href;
  previous?: Href;
}
interface Errors {
  errors: string[];
}
interface Reply<T> {
  status: number;
  body: T;
  headers: Headers;
}

let sim: MetalSimulator;

async function api<T = Obj>(
  method: string,
  path: string,
  body?: unknown,
  opts: { token?: string | null; raw?: string } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (token !== null) headers["x-auth-token"] = token;
  const res = await fetch(`${sim.url}/metal/v1${path}`, {
    method,
    headers,
    body: opts.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (text === "" ? undefined : JSON.parse(text)) as T,
    headers: res.headers,
  };
}

async function expectError(
  promise: Promise<Reply<unknown>>,
  status: number,
  pattern?: RegExp,
): Promise<string> {
  const res = await promise;
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  const { errors } = res.body as Errors;
  assert.ok(Array.isArray(errors) && typeof errors[0] === "string", "error body is {errors: [string]}");
  if (pattern) assert.match(errors.join("; "), pattern);
  return errors.join("; ");
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const createVrf = (body: Record<string, unknown> = {}) =>
  api("POST", `/projects/${PROJECT}/vrfs`, { name: "vpc", metro: "da", ip_ranges: ["10.1.0.0/16"], ...body });
const createVlan = (body: Record<string, unknown> = {}) =>
  api("POST", `/projects/${PROJECT}/virtual-networks`, { metro: "da", ...body });
const reserve = (vrfId: string, network: string, cidr: number) =>
  api("POST", `/projects/${PROJECT}/ips`, { type: "vrf", vrf_id: vrfId, network, cidr });
const gatewayFor = (vlanId: string, reservationId: string) =>
  api("POST", `/projects/${PROJECT}/metal-gateways`, {
    virtual_network_id: vlanId,
    ip_reservation_id: reservationId,
  });

describe("Equinix Metal simulator", function () {
  let contract: MetalContract;
  // These tests send bad requests on purpose; what must always match the spec is the answers.
  const responseProblems = (log: typeof sim.requests) =>
    checkTraffic(contract, log).filter((v) => v.where === "response");

  before(async () => {
    contract = await loadMetalContract();
  });

  beforeEach(async () => {
    sim = await startMetalSimulator({ inventory, token: TOKEN, knobs: FAST });
  });

  afterEach(async () => {
    const problems = responseProblems(sim.requests);
    await sim.close();
    assert.deepEqual(problems, [], "every response matches the spec's schema");
  });

  describe("protocol", () => {
    it("answers 401 without or with a wrong token, with an error body and a request id", async () => {
      const missing = await api("GET", `/projects/${PROJECT}/vrfs`, undefined, { token: null });
      assert.equal(missing.status, 401);
      assert.ok(Array.isArray((missing.body as unknown as Errors).errors));
      assert.match(missing.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
      await expectError(api("GET", `/projects/${PROJECT}/vrfs`, undefined, { token: "nope" }), 401);
      const ok = await api("GET", `/projects/${PROJECT}/vrfs`);
      assert.equal(ok.status, 200);
      const ids = sim.requests.map((r) => r.requestId);
      assert.equal(new Set(ids).size, 3, "each response has its own request id");
      assert.equal(sim.requests[2]?.responseHeaders["x-request-id"], ok.headers.get("x-request-id"));
    });

    it("answers unknown routes 404, wrong methods 405, bad JSON and missing fields 422", async () => {
      await expectError(api("GET", "/no-such-thing"), 404);
      await expectError(api("GET", `/projects/${PROJECT}/vrfs/extra`), 404);
      const wrong = await api("PATCH", `/projects/${PROJECT}/vrfs`, {});
      assert.equal(wrong.status, 405);
      assert.match(wrong.headers.get("allow") ?? "", /POST/);
      await expectError(api("POST", `/projects/${PROJECT}/vrfs`, undefined, { raw: "{nope" }), 422, /JSON/);
      await expectError(api("POST", `/projects/${PROJECT}/vrfs`, { metro: "da" }), 422, /name/);
      await expectError(api("POST", `/projects/${PROJECT}/vrfs`, { name: "x" }), 422, /metro/);
      await expectError(api("POST", `/projects/${PROJECT}/vrfs`, { name: "x", metro: "zz" }), 422, /metro/);
      await expectError(api("POST", `/projects/${PROJECT}/vrfs`, { name: 3, metro: "da" }), 422, /name/);
      await expectError(api("GET", `/projects/00000000-0000-4000-8000-000000000000/vrfs`), 404);
      await expectError(api("GET", `/vrfs/00000000-0000-4000-8000-000000000000`), 404);
      assert.equal(sim.snapshot().vrfs.length, 0);
    });

    it("logs every request with redacted headers, parsed bodies and the status sent", async () => {
      await createVrf({ tags: ["t1"] });
      const [entry] = sim.requests;
      assert.ok(entry);
      assert.equal(entry.seq, 1);
      assert.equal(entry.method, "POST");
      assert.equal(entry.path, `/metal/v1/projects/${PROJECT}/vrfs`);
      assert.equal(entry.apiPath, `/projects/${PROJECT}/vrfs`);
      assert.equal(entry.requestHeaders["x-auth-token"], "[REDACTED]");
      assert.deepEqual((entry.requestBody as Record<string, unknown>).tags, ["t1"]);
      assert.equal(entry.status, 201);
      assert.equal((entry.responseBody as Obj).name, "vpc");
      assert.equal(entry.injected, undefined);
    });
  });

  describe("VRFs", () => {
    it("creates with tags and lists with pagination; meta only on lists whose schema has it", async () => {
      for (const name of ["a", "b", "c"])
        assert.equal((await createVrf({ name, tags: [`owner=${name}`] })).status, 201);
      const first = await api<{ vrfs: Obj[]; meta: Meta }>("GET", `/projects/${PROJECT}/vrfs?per_page=1`);
      assert.equal(first.status, 200);
      assert.equal(first.body.vrfs.length, 1);
      assert.equal(first.body.vrfs[0]?.name, "a");
      assert.deepEqual(first.body.vrfs[0]?.tags, ["owner=a"]);
      assert.equal(first.body.meta.total, 3);
      assert.equal(first.body.meta.last_page, 3);
      assert.match(first.body.meta.next?.href ?? "", /page=2/);
      const last = await api<{ vrfs: Obj[]; meta: Meta }>(
        "GET",
        `/projects/${PROJECT}/vrfs?per_page=1&page=3`,
      );
      assert.equal(last.body.vrfs[0]?.name, "c");
      assert.equal(last.body.meta.next, undefined);
      assert.ok(last.body.meta.previous);
      const byMetro = await api<{ vrfs: Obj[] }>("GET", `/projects/${PROJECT}/vrfs?metro=sv`);
      assert.equal(byMetro.body.vrfs.length, 0);
      await createVlan();
      await createVlan();
      const vlans = await api<Record<string, unknown>>(
        "GET",
        `/projects/${PROJECT}/virtual-networks?per_page=1`,
      );
      assert.equal((vlans.body.virtual_networks as Obj[]).length, 1);
      assert.equal("meta" in vlans.body, false, "VirtualNetworkList has no meta");
      const clamped = await api<{ vrfs: Obj[]; meta: Meta }>(
        "GET",
        `/projects/${PROJECT}/vrfs?per_page=0&page=x`,
      );
      assert.deepEqual([clamped.body.vrfs.length, clamped.body.meta.current_page], [1, 1]);
      const big = await api<{ vrfs: Obj[]; meta: Meta }>("GET", `/projects/${PROJECT}/vrfs?per_page=5000`);
      assert.equal(big.body.vrfs.length, 3);
    });

    it("validates ip_ranges, updates in place and refuses to delete a VRF that holds reservations", async () => {
      await expectError(createVrf({ ip_ranges: ["10.0.0.0/30"] }), 422, /ip_ranges/);
      await expectError(createVrf({ ip_ranges: ["10.0.0.1/16"] }), 422, /network address/);
      await expectError(createVrf({ ip_ranges: ["10.0.0.0/16", "10.0.128.0/17"] }), 422, /overlaps/);
      await expectError(createVrf({ ip_ranges: ["2001:db8::/56"] }), 422, /ip_ranges/);
      const vrf = (await createVrf({ ip_ranges: ["10.1.0.0/16", "10.2.0.0/16", "2001:db8:0:40::/59"] })).body;
      const res = (await reserve(vrf.id, "10.2.4.0", 24)).body;
      await expectError(api("DELETE", `/vrfs/${vrf.id}`), 422, /reservations/);
      const put = await api("PUT", `/vrfs/${vrf.id}`, {
        description: "d",
        tags: ["x"],
        ip_ranges: ["10.2.0.0/16"],
      });
      assert.equal(put.status, 200);
      assert.deepEqual(put.body.ip_ranges, ["10.2.0.0/16"]);
      assert.equal(put.body.description, "d");
      assert.ok(
        sim.snapshot().ipReservations.some((r) => r.id === res.id),
        "reservation inside a kept range stays",
      );
      await api("PUT", `/vrfs/${vrf.id}`, { ip_ranges: ["10.1.0.0/16"] });
      assert.ok(!sim.snapshot().ipReservations.some((r) => r.id === res.id), "removing its range deletes it");
      await expectError(api("PUT", `/vrfs/${vrf.id}`, { metro: "sv" }), 422, /metro/);
      assert.equal((await api("DELETE", `/vrfs/${vrf.id}`)).status, 204);
      await expectError(api("GET", `/vrfs/${vrf.id}`), 404);
    });

    it("accepts VRF reservations only inside a range, sized 22-29 (IPv4) or 64 (IPv6), without overlap", async () => {
      const vrf = (await createVrf({ ip_ranges: ["10.1.0.0/16", "2001:db8:0:40::/59"] })).body;
      await expectError(reserve(vrf.id, "10.9.0.0", 24), 422, /not inside/);
      await expectError(reserve(vrf.id, "10.1.0.0", 21), 422, /cidr/);
      await expectError(reserve(vrf.id, "10.1.0.0", 30), 422, /cidr/);
      await expectError(reserve(vrf.id, "10.1.0.8", 28), 422, /network address/);
      await expectError(
        api("POST", `/projects/${PROJECT}/ips`, { type: "vrf", vrf_id: vrf.id, cidr: 24 }),
        422,
        /network/,
      );
      const first = await reserve(vrf.id, "10.1.0.0", 24);
      assert.equal(first.status, 201);
      assert.equal(first.body.type, "vrf");
      assert.equal(first.body.gateway, "10.1.0.1");
      // VrfIpReservation.vrf is a Vrf (required), not an Href: the VRF itself, brief.
      const nestedVrf = first.body.vrf as Obj;
      assert.equal(nestedVrf.id, vrf.id);
      assert.equal(nestedVrf.href, `/metal/v1/vrfs/${vrf.id}`);
      assert.deepEqual(nestedVrf.ip_ranges, ["10.1.0.0/16", "2001:db8:0:40::/59"]);
      await expectError(reserve(vrf.id, "10.1.0.128", 25), 422, /overlaps/);
      await expectError(reserve(vrf.id, "10.1.0.0", 22), 422, /overlaps/);
      assert.equal((await reserve(vrf.id, "10.1.1.0", 29)).status, 201);
      assert.equal((await reserve(vrf.id, "2001:db8:0:41::", 64)).status, 201);
      await expectError(reserve(vrf.id, "2001:db8:0:42::", 64), 422, /IPv6/);
      const list = await api<Record<string, unknown>>("GET", `/vrfs/${vrf.id}/ips`);
      assert.equal((list.body.ip_addresses as Obj[]).length, 3);
      assert.equal("meta" in list.body, false, "VrfIpReservationList has no meta");
      const one = await api("GET", `/vrfs/${vrf.id}/ips/${first.body.id}`);
      assert.equal(one.body.network, "10.1.0.0");
      const all = await api<{ ip_addresses: Obj[]; meta: Meta }>("GET", `/projects/${PROJECT}/ips?types=vrf`);
      assert.equal(all.body.ip_addresses.length, 3);
      assert.equal(all.body.meta.total, 3, "IPReservationList has meta");
    });
  });

  describe("VLANs", () => {
    it("keeps vxlan unique per project and metro, picks 1000+ when omitted, validates the range", async () => {
      const explicit = await createVlan({ vxlan: 1100, description: "web", tags: ["owner=x"] });
      assert.equal(explicit.status, 201);
      assert.equal(explicit.body.vxlan, 1100);
      assert.equal(explicit.body.metro_code, "da");
      assert.deepEqual(explicit.body.tags, ["owner=x"]);
      await expectError(createVlan({ vxlan: 1100 }), 422, /1100/);
      await expectError(createVlan({ vxlan: 1 }), 422, /vxlan/);
      await expectError(createVlan({ vxlan: 4000 }), 422, /vxlan/);
      await expectError(createVlan({ vxlan: 5, metro: undefined }), 422, /metro/);
      assert.equal((await createVlan()).body.vxlan, 1000);
      assert.equal((await createVlan()).body.vxlan, 1001);
      const put = await api("PUT", `/virtual-networks/${explicit.body.id}`, {
        description: "web2",
        tags: [],
      });
      assert.equal(put.body.description, "web2");
      assert.deepEqual(put.body.tags, []);
    });

    it("allows the same vxlan in another metro", async () => {
      await sim.close();
      sim = await startMetalSimulator({ inventory: twoMetroInventory(), token: TOKEN, knobs: FAST });
      assert.equal((await createVlan({ vxlan: 1100 })).status, 201);
      assert.equal((await createVlan({ vxlan: 1100, metro: "sv" })).status, 201);
      const sv = await api<{ virtual_networks: Obj[] }>(
        "GET",
        `/projects/${PROJECT}/virtual-networks?metro=sv`,
      );
      assert.equal(sv.body.virtual_networks.length, 1);
    });

    it("refuses to delete a VLAN while a port carries it, and deletes it after unassign", async () => {
      const vlan = (await createVlan({ vxlan: 1100 })).body;
      const bond = portId(0, "bond0");
      await expectError(api("POST", `/ports/${bond}/assign`, { vnid: vlan.id }), 422, /Layer 3/);
      assert.equal((await api("POST", `/ports/${bond}/convert/layer-2`, {})).status, 200);
      const assigned = await api("POST", `/ports/${bond}/assign`, { vnid: "1100" });
      assert.equal(assigned.status, 200);
      // Port.virtual_networks lists VirtualNetworks, not Hrefs: brief, without their own lists.
      const [carried, ...more] = assigned.body.virtual_networks as Obj[];
      assert.equal(more.length, 0);
      assert.equal(carried?.id, vlan.id);
      assert.equal(carried?.href, `/metal/v1/virtual-networks/${vlan.id}`);
      assert.equal(carried?.vxlan, 1100);
      assert.equal("instances" in (carried ?? {}), false);
      await expectError(api("POST", `/ports/${bond}/assign`, { vnid: vlan.id }), 422, /already assigned/);
      const withInstances = await api("GET", `/virtual-networks/${vlan.id}?include=instances`);
      assert.equal((withInstances.body.instances as Obj[])[0]?.hostname, "node-1");
      await expectError(
        api("DELETE", `/virtual-networks/${vlan.id}`),
        422,
        /Cannot delete Virtual Network when port is assigned/,
      );
      assert.equal((await api("POST", `/ports/${bond}/unassign`, { vnid: vlan.id })).status, 200);
      await expectError(api("POST", `/ports/${bond}/unassign`, { vnid: 1100 }), 422, /not assigned/);
      assert.equal((await api("DELETE", `/virtual-networks/${vlan.id}`)).status, 204);
      await expectError(api("GET", `/virtual-networks/${vlan.id}`), 404);
    });
  });

  describe("metal gateways", () => {
    it("goes ready -> active, and deleting -> 404; the reservation is held until the gateway is gone", async () => {
      const vrf = (await createVrf()).body;
      const vlan = (await createVlan({ vxlan: 1200 })).body;
      const res = (await reserve(vrf.id, "10.1.4.0", 24)).body;
      const created = await gatewayFor(vlan.id, res.id);
      assert.equal(created.status, 201);
      assert.equal(created.body.state, "ready");
      assert.equal((created.body.ip_reservation as Obj).type, "vrf");
      await until(
        "gateway active",
        async () => (await api("GET", `/metal-gateways/${created.body.id}`)).body.state === "active",
      );
      await expectError(gatewayFor(vlan.id, res.id), 422, /already used/);
      await expectError(api("DELETE", `/virtual-networks/${vlan.id}`), 422, /metal gateway/);
      await expectError(api("DELETE", `/vrfs/${vrf.id}`), 422);
      const list = await api<{ metal_gateways: Obj[]; meta: Meta }>(
        "GET",
        `/projects/${PROJECT}/metal-gateways`,
      );
      assert.equal(list.body.meta.total, 1);
      const deleting = await api("DELETE", `/metal-gateways/${created.body.id}`);
      assert.equal(deleting.status, 202);
      assert.equal(deleting.body.state, "deleting");
      assert.equal((await api("GET", `/metal-gateways/${created.body.id}`)).body.state, "deleting");
      await expectError(api("DELETE", `/ips/${res.id}`), 422, /associated metal gateway/);
      await until(
        "gateway gone",
        async () => (await api("GET", `/metal-gateways/${created.body.id}`)).status === 404,
      );
      assert.equal((await api("DELETE", `/ips/${res.id}`)).status, 204);
      assert.equal((await api("DELETE", `/virtual-networks/${vlan.id}`)).status, 204);
      assert.equal((await api("DELETE", `/vrfs/${vrf.id}`)).status, 204);
    });

    it("requires the VLAN and the reservation in the same metro, and known ids", async () => {
      await sim.close();
      sim = await startMetalSimulator({ inventory: twoMetroInventory(), token: TOKEN, knobs: FAST });
      const vrf = (await createVrf()).body;
      const res = (await reserve(vrf.id, "10.1.4.0", 24)).body;
      const svVlan = (await createVlan({ metro: "sv" })).body;
      await expectError(gatewayFor(svVlan.id, res.id), 422, /same metro/);
      await expectError(gatewayFor("00000000-0000-4000-8000-000000000000", res.id), 422, /Virtual network/);
      await expectError(
        api("POST", `/projects/${PROJECT}/metal-gateways`, { ip_reservation_id: res.id }),
        422,
        /virtual_network_id/,
      );
    });
  });

  describe("ports and batches", () => {
    it("runs a batch queued -> in_progress -> completed and applies it only on completion", async () => {
      const bond = portId(1, "bond0");
      const web = (await createVlan({ vxlan: 1100 })).body;
      await createVlan({ vxlan: 1101 });
      await api("POST", `/ports/${bond}/convert/layer-2`, {});
      const created = await api("POST", `/ports/${bond}/vlan-assignments/batches`, {
        vlan_assignments: [
          { vlan: "1100", state: "assigned", native: true },
          { vlan: "1101", state: "assigned" },
        ],
      });
      assert.equal(created.status, 201);
      assert.equal(created.body.state, "queued");
      assert.equal(created.body.quantity, 2);
      // PortVlanAssignmentBatch.port is a Port (brief), its project an Href.
      assert.equal((created.body.port as Obj).id, bond);
      assert.equal((created.body.port as Obj).name, "bond0");
      assert.deepEqual(created.body.project, { href: `/metal/v1/projects/${PROJECT}` });
      const seen = new Set<string>();
      await until("batch completed", async () => {
        // Snapshot first: if the batch is still open after it, it was open when the snapshot was taken.
        const before = sim.snapshot().ports.find((p) => p.id === bond);
        const b = await api("GET", `/ports/${bond}/vlan-assignments/batches/${created.body.id}`);
        const state = String(b.body.state);
        seen.add(state);
        if (state !== "completed") assert.deepEqual(before?.vxlans, [], "nothing applies before completion");
        return state === "completed";
      });
      assert.ok(seen.has("in_progress"), `saw ${[...seen].join(", ")}`);
      const port = await api("GET", `/ports/${bond}?include=virtual_networks,native_virtual_network`);
      assert.deepEqual((port.body.virtual_networks as Obj[]).map((v) => v.vxlan).sort(), [1100, 1101]);
      assert.equal((port.body.native_virtual_network as Obj).id, web.id);
      const assignments = await api<Record<string, unknown>>("GET", `/ports/${bond}/vlan-assignments`);
      const items = assignments.body.vlan_assignments as Obj[];
      assert.equal(items.length, 2);
      assert.ok(items.every((a) => a.state === "assigned"));
      assert.equal(items.find((a) => a.vlan === 1100)?.native, true);
      assert.equal("meta" in assignments.body, false);
      const list = await api<Record<string, unknown>>("GET", `/ports/${bond}/vlan-assignments/batches`);
      assert.equal((list.body.batches as Obj[]).length, 1);
      assert.equal("meta" in list.body, false, "PortVlanAssignmentBatchList has no meta");
      const state = sim.snapshot().ports.find((p) => p.id === bond);
      assert.equal(state?.network_type, "layer2-bonded");
      assert.equal(state?.native_virtual_network_id, web.id);
    });

    it("fails a batch with error_messages (unknown VLAN, layer-3 port) and applies none of it", async () => {
      const bond = portId(2, "bond0");
      await createVlan({ vxlan: 1100 });
      const post = (items: unknown[]) =>
        api("POST", `/ports/${bond}/vlan-assignments/batches`, { vlan_assignments: items });
      const layer3 = (await post([{ vlan: "1100", state: "assigned" }])).body;
      await api("POST", `/ports/${portId(1, "bond0")}/convert/layer-2`, {});
      const unknownVlan = (
        await api("POST", `/ports/${portId(1, "bond0")}/vlan-assignments/batches`, {
          vlan_assignments: [
            { vlan: "1100", state: "assigned" },
            { vlan: "3999", state: "assigned" },
          ],
        })
      ).body;
      const finished = async (port: string, id: string) =>
        (await api("GET", `/ports/${port}/vlan-assignments/batches/${id}`)).body;
      await until("layer-3 batch failed", async () => (await finished(bond, layer3.id)).state === "failed");
      const failed = await finished(bond, layer3.id);
      assert.match((failed.error_messages as string[]).join(), /Layer 3/);
      await until(
        "unknown-VLAN batch failed",
        async () => (await finished(portId(1, "bond0"), unknownVlan.id)).state === "failed",
      );
      assert.match(
        ((await finished(portId(1, "bond0"), unknownVlan.id)).error_messages as string[]).join(),
        /3999/,
      );
      assert.ok(
        sim.snapshot().ports.every((p) => p.vxlans.length === 0),
        "failed batches change nothing",
      );
      await expectError(post([]), 422, /vlan_assignments/);
      await expectError(post([{ vlan: "1100", state: "maybe" }]), 422, /state/);
    });

    it("models bond, disbond and layer conversions, refusing invalid transitions", async () => {
      const bond = portId(0, "bond0");
      const eth0 = portId(0, "eth0");
      const eth1 = portId(0, "eth1");
      const types = () =>
        sim
          .snapshot()
          .ports.filter((p) => p.device_id === deviceId(0))
          .map((p) => p.network_type);
      await createVlan({ vxlan: 1100 });
      await expectError(api("POST", `/ports/${bond}/disbond`), 422, /Layer 3/);
      await expectError(api("POST", `/ports/${eth0}/disbond`), 422, /eth0/);
      await expectError(
        api("POST", `/ports/${bond}/convert/layer-3`, {}),
        422,
        /already configured for Layer 3/,
      );
      await expectError(api("POST", `/ports/${eth1}/bond`), 422, /already bonded/);
      const hybrid = await api("POST", `/ports/${eth1}/disbond`);
      assert.equal(hybrid.status, 200);
      assert.equal(hybrid.body.network_type, "hybrid");
      assert.deepEqual(hybrid.body.data, { bonded: false, mac: (hybrid.body.data as { mac: string }).mac });
      assert.ok(types().every((t) => t === "hybrid"));
      assert.equal((await api("POST", `/ports/${eth1}/assign`, { vnid: "1100" })).status, 200);
      await expectError(api("POST", `/ports/${bond}/assign`, { vnid: "1100" }), 422, /Layer 3/);
      await expectError(api("POST", `/ports/${eth1}/bond`), 422, /VLANs/);
      await api("POST", `/ports/${eth1}/unassign`, { vnid: "1100" });
      assert.equal((await api("POST", `/ports/${eth1}/bond`)).body.network_type, "layer3");
      const l2 = await api("POST", `/ports/${bond}/convert/layer-2`, {});
      assert.equal(l2.body.network_type, "layer2-bonded");
      assert.equal(
        (await api<Record<string, Obj[]>>("GET", `/devices/${deviceId(0)}/ips`)).body.ip_addresses?.length,
        0,
      );
      await expectError(
        api("POST", `/ports/${bond}/convert/layer-2`, {}),
        422,
        /already configured for Layer 2/,
      );
      assert.equal((await api("POST", `/ports/${bond}/disbond`)).body.network_type, "layer2-individual");
      await expectError(api("POST", `/ports/${bond}/convert/layer-3`, {}), 422, /Bond/);
      assert.equal((await api("POST", `/ports/${eth0}/assign`, { vnid: "1100" })).status, 200);
      await expectError(api("POST", `/ports/${bond}/bond`), 422, /VLANs/);
      await api("POST", `/ports/${eth0}/unassign`, { vnid: "1100" });
      assert.equal(
        (await api("POST", `/ports/${bond}/bond?bulk_enable=true`)).body.network_type,
        "layer2-bonded",
      );
      const back = await api("POST", `/ports/${bond}/convert/layer-3`, {
        request_ips: [{ address_family: 4, public: false }],
      });
      assert.equal(back.body.network_type, "layer3");
      const ips =
        (await api<Record<string, Obj[]>>("GET", `/devices/${deviceId(0)}/ips`)).body.ip_addresses ?? [];
      assert.deepEqual(
        ips.map((a) => [a.address, a.cidr, a.public]),
        [["10.70.1.2", 31, false]],
      );
    });
  });

  describe("devices", () => {
    it("lists devices with meta and returns ports and addresses in full", async () => {
      const list = await api<{ devices: Obj[]; meta: Meta }>(
        "GET",
        `/projects/${PROJECT}/devices?per_page=2`,
      );
      assert.deepEqual(
        list.body.devices.map((d) => d.hostname),
        ["node-1", "node-2"],
      );
      assert.equal(list.body.meta.total, inventory.devices.length);
      const filtered = await api<{ devices: Obj[] }>("GET", `/projects/${PROJECT}/devices?hostname=node-3`);
      assert.equal(filtered.body.devices.length, 1);
      const device = await api("GET", `/devices/${deviceId(0)}?include=metro`);
      const ports = device.body.network_ports as Obj[];
      assert.deepEqual(
        ports.map((p) => [p.name, p.type, p.network_type]),
        [
          ["bond0", "NetworkBondPort", "layer3"],
          ["eth0", "NetworkPort", "layer3"],
          ["eth1", "NetworkPort", "layer3"],
        ],
      );
      assert.equal((device.body.metro as Obj).code, "da");
      const [ip] = device.body.ip_addresses as Obj[];
      assert.deepEqual([ip?.address, ip?.cidr, ip?.public, ip?.address_family], ["10.70.1.2", 31, false, 4]);
      assert.equal(ip?.gateway, "10.70.1.3");
      assert.equal((ip?.parent_block as Obj).network, "10.70.1.0");
    });

    it("sets and clears the native VLAN of a port, which must carry it", async () => {
      const bond = portId(0, "bond0");
      const vlan = (await createVlan({ vxlan: 1100 })).body;
      await api("POST", `/ports/${bond}/convert/layer-2`, {});
      await expectError(api("POST", `/ports/${bond}/native-vlan?vnid=1100`), 422, /not assigned/);
      await api("POST", `/ports/${bond}/assign`, { vnid: vlan.id });
      const set = await api("POST", `/ports/${bond}/native-vlan?vnid=1100`);
      const native = set.body.native_virtual_network as Obj;
      assert.equal(native.id, vlan.id);
      assert.equal(native.href, `/metal/v1/virtual-networks/${vlan.id}`);
      const cleared = await api("DELETE", `/ports/${bond}/native-vlan`);
      assert.equal(cleared.body.native_virtual_network, undefined);
    });
  });

  describe("quotas", () => {
    it("enforces the VLAN and VRF quotas from the knobs", async () => {
      sim.setKnobs({ quotas: { vlans: 2, vrfs: 1 } });
      await createVlan();
      await createVlan();
      await expectError(createVlan(), 422, /limit of 2/);
      await createVrf();
      await expectError(createVrf({ name: "second" }), 422, /limit of 1/);
    });

    it("defaults to 5 VLANs and 8 VRFs", async () => {
      for (let i = 0; i < 5; i++) assert.equal((await createVlan()).status, 201);
      await expectError(createVlan(), 422, /limit of 5/);
      for (let i = 0; i < 8; i++) assert.equal((await createVrf({ name: `v${i}` })).status, 201);
      await expectError(createVrf(), 422, /limit of 8/);
    });

    it("hands out public blocks within 256 addresses; beyond, 422 or pending", async () => {
      const req = (quantity: number, extra: Record<string, unknown> = {}) =>
        api("POST", `/projects/${PROJECT}/ips`, { type: "public_ipv4", metro: "da", quantity, ...extra });
      const big = await req(128, { tags: ["svc"] });
      assert.equal(big.status, 201);
      assert.equal(big.body.state, "created");
      assert.equal(big.body.cidr, 25);
      assert.equal(big.body.network, "147.28.0.0");
      assert.deepEqual(big.body.tags, ["svc"]);
      assert.equal((await req(128)).body.network, "147.28.0.128");
      await expectError(req(8, { fail_on_approval_required: true }), 422, /quota/);
      const pending = await req(8);
      assert.equal(pending.status, 201);
      assert.equal(pending.body.state, "pending");
      assert.equal(pending.body.network, undefined);
      // Read back, it is valid both as IPAssignment and IPReservation: a listed ambiguity of the spec
      // (test/contract/metal-ambiguities.ts), which the strict response check after each test allows.
      const read = await api("GET", `/ips/${String(pending.body.id)}`);
      assert.equal(read.body.state, "pending");
      assert.equal(read.body.type, "public_ipv4");
      await expectError(req(3), 422, /quantity/);
      await expectError(
        api("POST", `/projects/${PROJECT}/ips`, { type: "public_ipv4", quantity: 1 }),
        422,
        /metro/,
      );
    });
  });

  describe("IP assignments", () => {
    it("assigns addresses inside a project reservation, unassigns by assignment id", async () => {
      const block = (
        await api("POST", `/projects/${PROJECT}/ips`, { type: "public_ipv4", metro: "da", quantity: 8 })
      ).body;
      const device = deviceId(0);
      await expectError(api("POST", `/devices/${device}/ips`, { address: "192.0.2.1" }), 422, /not inside/);
      await expectError(api("POST", `/devices/${device}/ips`, {}), 422, /address/);
      const assigned = await api("POST", `/devices/${device}/ips`, { address: "147.28.0.5" });
      assert.equal(assigned.status, 201);
      assert.equal(assigned.body.cidr, 32);
      assert.equal(assigned.body.public, true);
      assert.deepEqual(assigned.body.assigned_to, { href: `/metal/v1/devices/${device}` });
      await expectError(
        api("POST", `/devices/${deviceId(1)}/ips`, { address: "147.28.0.5" }),
        422,
        /already/,
      );
      await expectError(api("DELETE", `/ips/${block.id}`), 422, /assigned/);
      const read = await api("GET", `/ips/${assigned.body.id}`);
      assert.equal(read.body.address, "147.28.0.5");
      const withBlock = await api("GET", `/ips/${block.id}?include=assignments`);
      assert.equal((withBlock.body.assignments as Obj[])[0]?.address, "147.28.0.5");
      assert.equal((await api("DELETE", `/ips/${assigned.body.id}`)).status, 204);
      assert.equal((await api("DELETE", `/ips/${block.id}`)).status, 204);
      const device0 = await api("GET", `/devices/${device}`);
      const addresses = (device0.body.ip_addresses as Obj[]).map((a) => [a.address, a.management, a.public]);
      assert.deepEqual(addresses, [["10.70.1.2", true, false]]);
    });
  });

  describe("BGP", () => {
    it("reads an empty config while disabled, enables it, and serves sessions and neighbors", async () => {
      const empty = await fetch(`${sim.url}/metal/v1/projects/${PROJECT}/bgp-config`, {
        headers: { "x-auth-token": TOKEN },
      });
      assert.equal(empty.status, 200);
      assert.equal(await empty.text(), "");
      const device = deviceId(0);
      await expectError(
        api("POST", `/devices/${device}/bgp/sessions`, { address_family: "ipv4" }),
        422,
        /not enabled/,
      );
      await expectError(
        api("POST", `/projects/${PROJECT}/bgp-configs`, { deployment_type: "local" }),
        422,
        /asn/,
      );
      await expectError(
        api("POST", `/projects/${PROJECT}/bgp-configs`, {
          deployment_type: "local",
          asn: 65000,
          md5: "short",
        }),
        422,
        /md5/,
      );
      const enable = await api("POST", `/projects/${PROJECT}/bgp-configs`, {
        deployment_type: "local",
        asn: 65100,
        md5: "Secret12345",
      });
      assert.equal(enable.status, 204);
      assert.equal(enable.body, undefined);
      const config = await api("GET", `/projects/${PROJECT}/bgp-config`);
      assert.equal(config.body.status, "enabled");
      assert.equal(config.body.asn, 65100);
      const session = await api("POST", `/devices/${device}/bgp/sessions`, { address_family: "ipv4" });
      assert.equal(session.status, 201);
      assert.equal(session.body.address_family, "ipv4");
      await expectError(
        api("POST", `/devices/${device}/bgp/sessions`, { address_family: "ipv4" }),
        422,
        /already has session/,
      );
      const sessions = await api<Record<string, Obj[]>>("GET", `/devices/${device}/bgp/sessions`);
      assert.equal(sessions.body.bgp_sessions?.length, 1);
      assert.equal("meta" in sessions.body, false);
      const neighbors = await api<{ bgp_neighbors: Record<string, unknown>[] }>(
        "GET",
        `/devices/${device}/bgp/neighbors`,
      );
      assert.deepEqual(neighbors.body.bgp_neighbors[0], {
        address_family: 4,
        customer_as: 65100,
        customer_ip: "10.70.1.2",
        md5_enabled: true,
        md5_password: "Secret12345",
        multihop: true,
        peer_as: 65530,
        peer_ips: ["169.254.255.1", "169.254.255.2"],
        routes_in: [],
        routes_out: [],
      });
      assert.equal((await api("DELETE", `/bgp/sessions/${session.body.id}`)).status, 204);
      await expectError(api("GET", `/bgp/sessions/${session.body.id}`), 404);
    });
  });

  describe("include", () => {
    it("returns nested resources brief unless included (in full then, dotted paths too), and Hrefs as {href}", async () => {
      const vrf = (await createVrf()).body;
      // Vrf.project is a Project and Vrf.metro a Metro: the resources themselves, never a bare {href}.
      const project = vrf.project as Obj;
      assert.equal(project.id, PROJECT);
      assert.equal(project.href, `/metal/v1/projects/${PROJECT}`);
      assert.equal(project.name, inventory.project.name);
      assert.equal("devices" in project, false, "a brief project leaves out its lists");
      assert.equal((vrf.metro as Obj).code, "da");
      const full = await api("GET", `/vrfs/${vrf.id}?include=project,metro`);
      assert.equal((full.body.project as Obj).name, inventory.project.name);
      // Project.devices lists Hrefs: {href} only, unless included.
      const devices = (full.body.project as Obj).devices as Obj[];
      assert.equal(devices.length, inventory.devices.length);
      assert.deepEqual(Object.keys(devices[0] ?? {}), ["href"]);
      assert.equal((full.body.metro as Obj).code, "da");
      const vlan = (await createVlan()).body;
      const res = (await reserve(vrf.id, "10.1.8.0", 29)).body;
      const gw = (await gatewayFor(vlan.id, res.id)).body;
      const briefVlan = gw.virtual_network as Obj;
      assert.equal(briefVlan.id, vlan.id);
      assert.equal(briefVlan.vxlan, vlan.vxlan);
      assert.equal("metal_gateways" in briefVlan, false);
      const nested = await api(
        "GET",
        `/metal-gateways/${gw.id}?include=virtual_network.metro,ip_reservation.vrf`,
      );
      const vn = nested.body.virtual_network as Obj;
      assert.equal(vn.vxlan, vlan.vxlan);
      assert.equal((vn.metro as Obj).code, "da");
      assert.deepEqual(
        (vn.metal_gateways as Obj[]).map((g) => g.id),
        [gw.id],
        "an included VLAN lists its gateways",
      );
      const includedVrf = (nested.body.ip_reservation as Obj).vrf as Obj;
      assert.equal(includedVrf.name, "vpc");
      assert.deepEqual(includedVrf.virtual_circuits, [], "an included VRF lists its circuits");
      const briefVrf = nested.body.vrf as Obj;
      assert.equal(briefVrf.id, vrf.id);
      assert.equal("virtual_circuits" in briefVrf, false, "a brief VRF leaves out its circuits");
      const excluded = await api("GET", `/vrfs/${vrf.id}?include=project,metro&exclude=project`);
      assert.equal("devices" in (excluded.body.project as Obj), false);
    });
  });

  describe("faults", () => {
    it("drop-after-commit performs the create but drops the connection, once", async () => {
      sim.setKnobs({
        faults: [{ method: "POST", path: "^/projects/[^/]+/vrfs$", mode: "drop-after-commit", times: 1 }],
      });
      await assert.rejects(createVrf({ name: "ghost" }));
      const snapshot = sim.snapshot();
      assert.deepEqual(
        snapshot.vrfs.map((v) => v.name),
        ["ghost"],
      );
      const entry = sim.requests.at(-1);
      assert.equal(entry?.status, 0);
      assert.equal(entry?.injected, "drop-after-commit");
      assert.equal((await createVrf({ name: "second" })).status, 201);
      assert.equal(sim.snapshot().vrfs.length, 2);
    });

    it("drop and scripted statuses change nothing and fire only on matching requests", async () => {
      sim.setKnobs({
        faults: [
          { method: "POST", path: "virtual-networks$", mode: "drop", times: 1 },
          { method: "POST", path: "virtual-networks$", mode: "503", times: 1 },
          { method: "GET", mode: "500", times: 1 },
        ],
      });
      await assert.rejects(createVlan());
      await expectError(createVlan(), 503);
      assert.equal(sim.snapshot().virtualNetworks.length, 0);
      await expectError(api("GET", `/projects/${PROJECT}/virtual-networks`), 500);
      assert.equal((await createVlan()).status, 201);
      assert.deepEqual(
        sim.requests.map((r) => [r.status, r.injected]),
        [
          [0, "drop"],
          [503, "5xx"],
          [500, "5xx"],
          [201, undefined],
        ],
      );
    });

    it("rate429=1 answers 429 with Retry-After and X-RateLimit-Reset, before any handling", async () => {
      sim.setKnobs({ rate429: 1 });
      const res = await createVrf();
      assert.equal(res.status, 429);
      assert.equal(res.headers.get("retry-after"), "1");
      const reset = Number(res.headers.get("x-ratelimit-reset"));
      assert.ok(reset >= Math.floor(Date.now() / 1000), `reset ${reset} is epoch seconds`);
      assert.equal(sim.requests.at(-1)?.injected, "429");
      sim.setKnobs({ rate429: 0, rate5xx: 1 });
      const failed = await createVrf();
      assert.ok([500, 502, 503].includes(failed.status));
      assert.equal(sim.snapshot().vrfs.length, 0);
      sim.setKnobs({ rate5xx: 0 });
      assert.equal((await createVrf()).status, 201);
    });

    it("draws random faults from the seed, so runs repeat", async () => {
      const pattern = async (): Promise<string> => {
        sim.setKnobs({ seed: 42, rate429: 0.3, rate5xx: 0.3 });
        const out: number[] = [];
        for (let i = 0; i < 12; i++) out.push((await api("GET", `/projects/${PROJECT}/vrfs`)).status);
        return out.join(",");
      };
      const first = await pattern();
      assert.equal(await pattern(), first);
      assert.match(first, /200/);
      assert.match(first, /429|50\d/);
    });

    it("applies latency before responding", async () => {
      sim.setKnobs({ latencyMs: 60 });
      const started = Date.now();
      await api("GET", `/projects/${PROJECT}/vrfs`);
      assert.ok(Date.now() - started >= 55);
    });
  });

  describe("interconnections and VRF virtual circuits", () => {
    const conn = inventory.interconnections?.[0];
    const connId = () => conn?.id ?? assert.fail("the example inventory has an interconnection");
    const primary = () => conn?.ports[0]?.id ?? "";
    const secondary = () => conn?.ports[1]?.id ?? "";
    const circuit = (vrfId: string, body: Record<string, unknown> = {}, port = primary()) =>
      api("POST", `/connections/${connId()}/ports/${port}/virtual-circuits`, {
        project_id: PROJECT,
        vrf: vrfId,
        nni_vlan: 100,
        peer_asn: 65000,
        subnet: "10.1.255.0/30",
        ...body,
      });
    const vcKnobs: MetalSimKnobs = { ...FAST, vcActivateMs: 60, vcDeleteMs: 40 };

    it("serves the dedicated interconnection and its ports; unknown ids answer 404", async () => {
      const c = await api("GET", `/connections/${connId()}?include=metro`);
      assert.equal(c.status, 200);
      assert.equal(c.body.type, "dedicated");
      assert.equal((c.body.metro as { code: string }).code, "da");
      assert.deepEqual(
        (c.body.ports as Obj[]).map((p) => [p.name, p.role]),
        [
          ["primary", "primary"],
          ["secondary", "secondary"],
        ],
      );
      const page1 = await api<{ ports: Obj[] }>("GET", `/connections/${connId()}/ports?per_page=1`);
      const page2 = await api<{ ports: Obj[] }>("GET", `/connections/${connId()}/ports?per_page=1&page=2`);
      assert.deepEqual(
        [...page1.body.ports, ...page2.body.ports].map((p) => p.id),
        [primary(), secondary()],
      );
      const unknown = "00000000-0000-4000-8000-000000000000";
      await expectError(api("GET", `/connections/${unknown}`), 404);
      await expectError(api("GET", `/connections/${connId()}/ports/${unknown}/virtual-circuits`), 404);
      await expectError(api("GET", `/virtual-circuits/${unknown}`), 404);
    });

    it("creates VRF circuits by the API's rules and walks pending -> activating -> active, deleting -> 404", async () => {
      await sim.close();
      sim = await startMetalSimulator({ inventory: twoMetroInventory(), token: TOKEN, knobs: vcKnobs });
      const vrf = (await createVrf({ ip_ranges: ["10.1.0.0/16"] })).body;
      const svVrf = (await createVrf({ name: "sv", metro: "sv", ip_ranges: ["10.9.0.0/16"] })).body;
      await expectError(circuit(svVrf.id, { subnet: "10.9.0.0/30" }), 422, /metro sv/);
      await expectError(circuit(vrf.id, { subnet: "10.2.0.0/30" }), 422, /not inside any IP range/);
      await expectError(circuit(vrf.id, { subnet: "10.1.0.0/29" }), 422, /\/30 or a \/31/);
      await expectError(circuit(vrf.id, { subnet: "10.1.0.1/30" }), 422, /not a network address/);
      await expectError(circuit(vrf.id, { nni_vlan: 1 }), 422, /nni_vlan/);
      await expectError(circuit(vrf.id, { nni_vlan: 4095 }), 422, /nni_vlan/);
      await expectError(circuit(vrf.id, { metal_ip: "10.1.255.3" }), 422, /not a usable address/);
      await expectError(
        circuit(vrf.id, { metal_ip: "10.1.255.1", customer_ip: "10.1.255.1" }),
        422,
        /different/,
      );
      await expectError(circuit(vrf.id, { md5: "short" }), 422, /md5/);
      await expectError(circuit(vrf.id, { vrf: undefined, vnid: 1000 }), 422, /not supported/);
      const res = (await reserve(vrf.id, "10.1.4.0", 24)).body;
      await expectError(circuit(vrf.id, { subnet: "10.1.4.8/30" }), 422, /VRF IP reservation/);

      const created = await circuit(vrf.id, { md5: "Passw0rdPassw0rd", tags: ["t"] });
      assert.equal(created.status, 201);
      assert.equal(created.body.status, "pending");
      assert.deepEqual([created.body.metal_ip, created.body.customer_ip], ["10.1.255.1", "10.1.255.2"]);
      assert.equal(created.body.type, "vrf");
      await expectError(circuit(vrf.id, { subnet: "10.1.255.4/31" }), 422, /NNI VLAN 100/);
      await expectError(circuit(vrf.id, { nni_vlan: 101, subnet: "10.1.255.2/31" }), 422, /overlaps/);
      await expectError(reserve(vrf.id, "10.1.255.0", 29), 422, /virtual circuit/);
      const other = await circuit(vrf.id, { subnet: "10.1.255.4/31", metal_ip: "10.1.255.5" }, secondary());
      assert.deepEqual([other.body.metal_ip, other.body.customer_ip], ["10.1.255.5", "10.1.255.4"]);

      const statuses = new Set<string>();
      await until("circuit active", async () => {
        const status = String((await api("GET", `/virtual-circuits/${created.body.id}`)).body.status);
        statuses.add(status);
        return status === "active";
      });
      assert.ok(statuses.has("activating") || statuses.has("pending"));
      const listed = await api<{ virtual_circuits: Obj[] }>(
        "GET",
        `/connections/${connId()}/ports/${primary()}/virtual-circuits`,
      );
      assert.deepEqual(
        listed.body.virtual_circuits.map((vc) => vc.id),
        [created.body.id],
      );
      assert.equal(((await api("GET", `/vrfs/${vrf.id}`)).body.virtual_circuits as unknown[]).length, 2);
      await expectError(api("DELETE", `/vrfs/${vrf.id}`), 422, /virtual circuits/);

      const deleting = await api("DELETE", `/virtual-circuits/${created.body.id}`);
      assert.equal(deleting.status, 202);
      assert.equal(deleting.body.status, "deleting");
      assert.equal((await api("GET", `/virtual-circuits/${created.body.id}`)).body.status, "deleting");
      await until(
        "circuit gone",
        async () => (await api("GET", `/virtual-circuits/${created.body.id}`)).status === 404,
      );
      await api("DELETE", `/virtual-circuits/${other.body.id}`);
      await until("other circuit gone", async () => sim.snapshot().virtualCircuits.length === 0);
      assert.equal((await api("DELETE", `/ips/${res.id}`)).status, 204);
      assert.equal((await api("DELETE", `/vrfs/${vrf.id}`)).status, 204);
    });

    it("fails activation on request, and a VRF PUT that drops a range drops the circuits in it", async () => {
      sim.setKnobs({ vcActivateMs: 0, vcActivationFails: true });
      const vrf = (await createVrf({ ip_ranges: ["10.1.0.0/16", "10.3.0.0/24"] })).body;
      const failed = await circuit(vrf.id, { subnet: "10.3.0.0/31" });
      assert.equal(failed.body.status, "activation_failed");
      sim.setKnobs({ vcActivationFails: false });
      const kept = await circuit(vrf.id, { nni_vlan: 200 });
      assert.equal(kept.body.status, "active");
      await api("PUT", `/vrfs/${vrf.id}`, { ip_ranges: ["10.1.0.0/16"] });
      assert.deepEqual(
        sim.snapshot().virtualCircuits.map((vc) => vc.id),
        [kept.body.id],
      );
    });

    it("keeps circuits and their deadlines in the state file", async () => {
      const dir = mkdtempSync(join(tmpdir(), "metal-vc-"));
      const stateFile = join(dir, "state.json");
      try {
        await sim.close();
        sim = await startMetalSimulator({ inventory, token: TOKEN, knobs: vcKnobs, stateFile });
        const vrf = (await createVrf()).body;
        const vc = (await circuit(vrf.id)).body;
        assert.equal(vc.status, "pending");
        const problems = responseProblems(sim.requests);
        await sim.close();
        assert.deepEqual(problems, []);
        sim = await startMetalSimulator({ inventory, token: TOKEN, knobs: vcKnobs, stateFile });
        await until(
          "circuit active after restart",
          async () => (await api("GET", `/virtual-circuits/${vc.id}`)).body.status === "active",
        );
        await expectError(circuit(vrf.id, { subnet: "10.1.255.4/30" }), 422, /NNI VLAN 100/);
        // A state file from before circuits were modelled still loads.
        await sim.close();
        const old = JSON.parse(readFileSync(stateFile, "utf8")) as Record<string, unknown>;
        delete old.virtualCircuits;
        writeFileSync(stateFile, JSON.stringify(old));
        sim = await startMetalSimulator({ inventory, token: TOKEN, knobs: vcKnobs, stateFile });
        assert.deepEqual(sim.snapshot().virtualCircuits, []);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("rejects a broken interconnection in the inventory", () => {
      const dir = mkdtempSync(join(tmpdir(), "metal-inv-"));
      try {
        const broken = structuredClone(inventory) as unknown as {
          interconnections: { type: string; metro: string; ports: { id: string; name: string }[] }[];
        };
        const first = broken.interconnections[0]!;
        first.type = "shared";
        first.metro = "zz";
        first.ports = [...first.ports, { id: first.ports[0]!.id, name: "third" }];
        const file = join(dir, "inv.json");
        writeFileSync(file, JSON.stringify(broken));
        assert.throws(
          () => loadInventory(file),
          /type must be dedicated.*unknown metro zz.*one or two ports.*is used twice/,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("persistence and secrets", () => {
    it("continues from a state file in a later process, and never stores the token", async () => {
      const dir = mkdtempSync(join(tmpdir(), "metal-sim-"));
      const stateFile = join(dir, "state.json");
      try {
        await sim.close();
        sim = await startMetalSimulator({ inventory, token: TOKEN, knobs: FAST, stateFile });
        const vrf = (await createVrf({ tags: ["keep"] })).body;
        const vlan = (await createVlan({ vxlan: 1500 })).body;
        const res = (await reserve(vrf.id, "10.1.0.0", 24)).body;
        const gw = (await gatewayFor(vlan.id, res.id)).body;
        await api("GET", `/vrfs/${vrf.id}?token=${TOKEN}`, undefined, { token: "wrong-token-value" });
        const log = JSON.stringify(sim.requests);
        assert.ok(!log.includes(TOKEN), "the token is not in the request log");
        assert.ok(!log.includes("wrong-token-value"), "nor is a wrong token");
        assert.ok(!readFileSync(stateFile, "utf8").includes(TOKEN), "nor in the state file");
        const problems = responseProblems(sim.requests);
        await sim.close();
        assert.deepEqual(problems, []);

        sim = await startMetalSimulator({ inventory, token: TOKEN, knobs: FAST, stateFile });
        const again = await api("GET", `/vrfs/${vrf.id}`);
        assert.deepEqual(again.body.tags, ["keep"]);
        await until(
          "gateway active after restart",
          async () => (await api("GET", `/metal-gateways/${gw.id}`)).body.state === "active",
        );
        await expectError(createVlan({ vxlan: 1500 }), 422, /1500/);
        assert.ok(!readFileSync(stateFile, "utf8").includes(TOKEN));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("inventory", () => {
    it("loads the example and rejects broken inventories", () => {
      assert.equal(inventory.devices.length, 4);
      assert.deepEqual(
        inventory.devices.map((d) => d.hostname),
        ["node-1", "node-2", "node-3", "node-4"],
      );
      const dir = mkdtempSync(join(tmpdir(), "metal-inv-"));
      try {
        const broken = structuredClone(inventory) as unknown as {
          devices: { metro: string; ports: unknown[] }[];
        };
        const first = broken.devices[0];
        if (first) {
          first.metro = "zz";
          first.ports = [];
        }
        const file = join(dir, "inv.json");
        writeFileSync(file, JSON.stringify(broken));
        assert.throws(() => loadInventory(file), /unknown metro zz.*port bond0 missing/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
