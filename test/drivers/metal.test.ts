// The Metal driver against the Metal simulator: each realization step, crash recovery, teardown
// with attached ports, convergence under injected 429/5xx, no token anywhere, and every request and
// response of the suite checked against the official spec.
import assert from "node:assert/strict";
import path from "node:path";
import { ApiError } from "../../provider/errors";
import { MetalClient, type MetalLogLine } from "../../provider/drivers/metal/client";
import {
  ensurePortVlan,
  ensureVlan,
  ensureVrf,
  ensureVrfGateway,
  ensureVrfReservation,
  idOf,
  ownerTag,
  teardownSubnet,
  deleteVrf,
  type MetalSite,
} from "../../provider/drivers/metal/realize";
import { defaultRetryPolicy } from "../../provider/drivers/retry";
import { loadInventory, startMetalSimulator, type MetalSimulator } from "../../sim/metal";
import { loadMetalContract } from "../contract/openapi";
import { assertTrafficMatchesSpec, checkTraffic } from "../contract/traffic";

const token = `metal-test-token-${process.pid}-${Date.now().toString(36)}`;
const inventory = loadInventory(path.join(__dirname, "..", "..", "sim", "metal", "inventory.example.json"));
const fast = { intervalMs: 20, timeoutMs: 20_000 };

describe("Metal driver against the simulator", function () {
  this.timeout(120_000);
  let sim: MetalSimulator;
  let client: MetalClient;
  const logLines: MetalLogLine[] = [];
  const errorsSeen: string[] = [];
  const site: MetalSite = { projectId: inventory.project.id, metro: inventory.metros[0]!.code };

  before(async () => {
    sim = await startMetalSimulator({
      inventory,
      token,
      knobs: { gatewayActivateMs: 60, gatewayDeleteMs: 60, batchStepMs: 30, seed: 7 },
    });
    client = new MetalClient({
      baseUrl: `${sim.url}/metal/v1`,
      token,
      perPage: 2, // small pages, so every list really paginates
      retry: { ...defaultRetryPolicy, baseDelayMs: 5, maxDelayMs: 40, maxRetryAfterMs: 50 },
      log: (l) => logLines.push(l),
    });
  });
  after(() => sim?.close());

  async function expectApiError(p: Promise<unknown>): Promise<ApiError> {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof ApiError, `expected an ApiError, got ${String(e)}`);
      errorsSeen.push(e.message, JSON.stringify(e), String(e.stack));
      return e;
    }
    assert.fail("expected the call to fail");
  }

  it("VPC → VRF: created once, tagged with its owner, adopted on a re-run, ranges updated in place", async () => {
    const spec = { owner: "proj/dev/Vpc/prod", name: "prod", ipRanges: ["10.1.0.0/16"] };
    const vrf = await ensureVrf(client, site, spec);
    assert.deepEqual(vrf.tags, [ownerTag(spec.owner)]);
    const again = await ensureVrf(client, site, spec);
    assert.equal(again.id, vrf.id);
    const widened = await ensureVrf(client, site, { ...spec, ipRanges: ["10.1.0.0/16", "10.2.0.0/16"] });
    assert.equal(widened.id, vrf.id);
    assert.deepEqual([...(widened.ip_ranges ?? [])].sort(), ["10.1.0.0/16", "10.2.0.0/16"]);
    assert.equal(sim.snapshot().vrfs.length, 1);
  });

  it("Subnet → VLAN + VRF IP reservation + gateway, polled until active; a re-run adopts all three", async () => {
    const vrf = await ensureVrf(client, site, {
      owner: "proj/dev/Vpc/prod",
      name: "prod",
      ipRanges: ["10.1.0.0/16", "10.2.0.0/16"],
    });
    const owner = "proj/dev/Subnet/web";
    const vlan = await ensureVlan(client, site, { owner, vxlan: 1100, description: "web" });
    const res = await ensureVrfReservation(client, site, {
      owner,
      vrfId: vrf.id,
      network: "10.1.4.0",
      cidr: 24,
    });
    const gw = await ensureVrfGateway(client, site, { vlanId: vlan.id, reservationId: res.id }, fast);
    assert.equal(gw.state, "active");
    assert.equal(vlan.vxlan, 1100);
    const again = {
      vlan: await ensureVlan(client, site, { owner, vxlan: 1100 }),
      res: await ensureVrfReservation(client, site, { owner, vrfId: vrf.id, network: "10.1.4.0", cidr: 24 }),
    };
    const gw2 = await ensureVrfGateway(
      client,
      site,
      { vlanId: again.vlan.id, reservationId: again.res.id },
      fast,
    );
    assert.deepEqual([again.vlan.id, again.res.id, gw2.id], [vlan.id, res.id, gw.id]);
    const s = sim.snapshot();
    assert.equal(s.virtualNetworks.length, 1);
    assert.equal(s.metalGateways.length, 1);
  });

  it("refuses a VLAN number held by an object that is not anyvpc's", async () => {
    await client.createVlan(site.projectId, {
      metro: site.metro,
      vxlan: 1200,
      description: "someone else's",
    });
    await assert.rejects(
      ensureVlan(client, site, { owner: "proj/dev/Subnet/db", vxlan: 1200 }),
      /VLAN 1200 in metro .* is not anyvpc's/,
    );
  });

  it("Attachment → a layer-3 port is converted and carries the VLAN, as a re-read shows", async () => {
    const device = inventory.devices[0]!;
    const bond = device.ports.find((p) => p.name === "bond0")!;
    const vlan = await ensureVlan(client, site, { owner: "proj/dev/Subnet/web", vxlan: 1100 });
    const port = await ensurePortVlan(client, { portId: bond.id, vlanId: vlan.id, vxlan: 1100 }, fast);
    assert.notEqual(port.network_type, "layer3");
    assert.ok((port.virtual_networks ?? []).some((v) => idOf(v) === vlan.id || v.vxlan === 1100));
    const again = await ensurePortVlan(client, { portId: bond.id, vlanId: vlan.id, vxlan: 1100 }, fast);
    assert.equal(again.id, port.id);
  });

  it("a crash between a create's commit and its response, then a retry, leaves exactly one object", async () => {
    sim.setKnobs({
      faults: [
        { method: "POST", path: "^/projects/[^/]+/vrfs$", mode: "drop-after-commit", times: 1 },
        { method: "POST", path: "^/projects/[^/]+/virtual-networks$", mode: "drop-after-commit", times: 1 },
        { method: "POST", path: "^/projects/[^/]+/ips$", mode: "drop-after-commit", times: 1 },
        { method: "POST", path: "^/projects/[^/]+/metal-gateways$", mode: "drop-after-commit", times: 1 },
      ],
    });
    const owner = "proj/dev/Subnet/crash";
    const vrf = await ensureVrf(client, site, {
      owner: "proj/dev/Vpc/crash",
      name: "crash",
      ipRanges: ["10.9.0.0/16"],
    });
    const vlan = await ensureVlan(client, site, { owner, vxlan: 1300 });
    const res = await ensureVrfReservation(client, site, {
      owner,
      vrfId: vrf.id,
      network: "10.9.0.0",
      cidr: 24,
    });
    await ensureVrfGateway(client, site, { vlanId: vlan.id, reservationId: res.id }, fast);
    const dropped = sim.requests.filter((r) => r.injected === "drop-after-commit");
    assert.equal(dropped.length, 4, "every create met a crash");
    const s = sim.snapshot();
    assert.equal(s.vrfs.filter((v) => (v.tags ?? []).includes(ownerTag("proj/dev/Vpc/crash"))).length, 1);
    assert.equal(s.virtualNetworks.filter((v) => v.vxlan === 1300).length, 1);
    assert.equal(s.metalGateways.filter((g) => idOf(g.virtual_network) === vlan.id).length, 1);
  });

  it("tears down a subnet whose VLAN is still on ports, confirming each step; a second teardown is a no-op", async () => {
    const vlan = await ensureVlan(client, site, { owner: "proj/dev/Subnet/web", vxlan: 1100 });
    const res = (
      await client.listVrfIpReservations(
        (
          await ensureVrf(client, site, {
            owner: "proj/dev/Vpc/prod",
            name: "prod",
            ipRanges: ["10.1.0.0/16", "10.2.0.0/16"],
          })
        ).id,
      )
    )[0]!;
    const second = inventory.devices[1]!.ports.find((p) => p.name === "bond0")!;
    await ensurePortVlan(client, { portId: second.id, vlanId: vlan.id, vxlan: 1100 }, fast);
    await expectApiError(client.deleteVlan(vlan.id)); // the API refuses while ports carry it
    await teardownSubnet(client, site, { vlanId: vlan.id, vxlan: 1100, reservationId: res.id }, fast);
    await teardownSubnet(client, site, { vlanId: vlan.id, vxlan: 1100, reservationId: res.id }, fast);
    const s = sim.snapshot();
    assert.equal(s.virtualNetworks.filter((v) => v.id === vlan.id).length, 0);
    assert.equal(s.metalGateways.filter((g) => idOf(g.virtual_network) === vlan.id).length, 0);
    assert.ok(!s.ipReservations.some((r) => r.id === res.id));
  });

  it("converges with 30% of requests failing with 429 or 5xx", async () => {
    sim.setKnobs({ rate429: 0.15, rate5xx: 0.15, faults: [] });
    try {
      const owner = "proj/dev/Subnet/flaky";
      const vrf = await ensureVrf(client, site, {
        owner: "proj/dev/Vpc/flaky",
        name: "flaky",
        ipRanges: ["10.20.0.0/16"],
      });
      const vlan = await ensureVlan(client, site, { owner, vxlan: 1400 });
      const res = await ensureVrfReservation(client, site, {
        owner,
        vrfId: vrf.id,
        network: "10.20.0.0",
        cidr: 24,
      });
      await ensureVrfGateway(client, site, { vlanId: vlan.id, reservationId: res.id }, fast);
      const port = inventory.devices[2]!.ports.find((p) => p.name === "bond0")!;
      await ensurePortVlan(client, { portId: port.id, vlanId: vlan.id, vxlan: 1400 }, fast);
      await teardownSubnet(client, site, { vlanId: vlan.id, vxlan: 1400, reservationId: res.id }, fast);
      await deleteVrf(client, vrf.id);
      const injected = sim.requests.filter((r) => r.injected === "429" || r.injected === "5xx").length;
      assert.ok(injected > 10, `only ${injected} faults were injected`);
      const s = sim.snapshot();
      assert.equal(s.vrfs.filter((v) => v.id === vrf.id).length, 0);
      assert.equal(s.virtualNetworks.filter((v) => v.vxlan === 1400).length, 0);
    } finally {
      sim.setKnobs({ rate429: 0, rate5xx: 0 });
    }
  });

  it("reports API failures as typed errors with status, method, path, message and request id", async () => {
    const e = await expectApiError(client.createVlan(site.projectId, { metro: site.metro, vxlan: 1200 }));
    assert.equal(e.status, 422);
    assert.equal(e.method, "POST");
    assert.equal(e.path, `/projects/${site.projectId}/virtual-networks`);
    assert.ok(e.apiMessage.length > 0);
    assert.match(e.requestId ?? "", /^[0-9a-f-]{36}$/);
    assert.equal(e.ambiguous, false);
    const bad = new MetalClient({
      baseUrl: `${sim.url}/metal/v1`,
      token: `${token}-wrong`,
      retry: { ...defaultRetryPolicy, limit: 0 },
    });
    const unauthorized = await expectApiError(bad.listVrfs(site.projectId));
    assert.equal(unauthorized.status, 401);
  });

  it("never lets the token into a log line, an error or the simulator's request log", () => {
    assert.ok(logLines.length > 50);
    const everything = [
      JSON.stringify(logLines),
      ...errorsSeen,
      JSON.stringify(sim.requests),
      JSON.stringify(sim.snapshot()),
    ].join("\n");
    assert.ok(!everything.includes(token), "the token leaked");
  });

  it("Attachment on eth1 → hybrid: eth1 leaves the bond and carries the VLAN, bond0 keeps Layer 3", async () => {
    const device = inventory.devices[3]!; // bonded in Layer 3 until now: no other test uses it
    const eth1 = device.ports.find((p) => p.name === "eth1")!;
    const bond = device.ports.find((p) => p.name === "bond0")!;
    const vlan = await ensureVlan(client, site, { owner: "proj/dev/Subnet/hybrid", vxlan: 1101 });
    const port = await ensurePortVlan(client, { portId: eth1.id, vlanId: vlan.id, vxlan: 1101 }, fast);
    assert.equal(port.data?.bonded, false);
    assert.ok((port.virtual_networks ?? []).some((v) => idOf(v) === vlan.id || v.vxlan === 1101));
    assert.equal((await client.getPort(bond.id)).network_type, "hybrid");
  });

  it("sent and received only what the official spec allows (every request and response of this suite)", async () => {
    await assertTrafficMatchesSpec(sim.requests);
  });

  it("the contract check fails when a request drops a required field", async () => {
    const contract = await loadMetalContract();
    const create = sim.requests.find(
      (r) => r.method === "POST" && /^\/projects\/[^/]+\/vrfs$/.test(r.apiPath),
    )!;
    assert.deepEqual(checkTraffic(contract, [create]), []);
    const mutated = { ...create, requestBody: { ...(create.requestBody as object), metro: undefined } };
    delete (mutated.requestBody as { metro?: string }).metro;
    const violations = checkTraffic(contract, [mutated]);
    assert.equal(violations.length, 1);
    assert.match(violations[0]!.errors.join(" "), /metro/);
  });
});
