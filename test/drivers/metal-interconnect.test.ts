// The Metal driver's VRF virtual circuits on a dedicated interconnection port (the Metal end of a
// hybrid VPC's link to on-prem border leaves), against the Metal simulator: creation polled until
// active with the peering addresses defaulted, adoption on a re-run and after a crash, the API's
// 422 rules, teardown order (a VRF with a circuit cannot go), the BGP password kept out of logs
// and errors, and every request and response of the file checked against the official spec.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { ApiError } from "../../provider/errors";
import { MetalClient, type MetalLogLine } from "../../provider/drivers/metal/client";
import {
  deleteVrf,
  deleteVrfVirtualCircuit,
  ensureVrf,
  ensureVrfVirtualCircuit,
  ownerTag,
  resolveConnectionPort,
  VirtualCircuitError,
  type MetalSite,
  type VrfVirtualCircuitSpec,
} from "../../provider/drivers/metal/realize";
import { defaultRetryPolicy } from "../../provider/drivers/retry";
import { loadInventory, startMetalSimulator, type MetalSimulator } from "../../sim/metal";
import { componentValidator } from "../contract/openapi";
import { assertTrafficMatchesSpec } from "../contract/traffic";

const token = `metal-ic-token-${process.pid}-${Date.now().toString(36)}`;
const md5 = "Peer1ngPassw0rd";
const inventory = loadInventory(path.join(__dirname, "..", "..", "sim", "metal", "inventory.example.json"));
const connection = inventory.interconnections?.[0];
const fast = { intervalMs: 15, timeoutMs: 20_000 };
const VC_POST = /^\/connections\/[^/]+\/ports\/[^/]+\/virtual-circuits$/;

describe("Metal driver: VRF virtual circuits on a dedicated interconnection", function () {
  this.timeout(120_000);
  let sim: MetalSimulator;
  let client: MetalClient;
  let vrfId: string;
  const logLines: MetalLogLine[] = [];
  const errorsSeen: string[] = [];
  const site: MetalSite = { projectId: inventory.project.id, metro: inventory.metros[0]!.code };
  const vpcOwner = "proj/dev/Vpc/hybrid";

  const ic = () => {
    assert.ok(connection, "the example inventory has a dedicated interconnection");
    return connection;
  };
  const portOf = (name: string) => ic().ports.find((p) => p.name === name)!;
  const spec = (over: Partial<VrfVirtualCircuitSpec> = {}): VrfVirtualCircuitSpec => ({
    owner: "proj/dev/Vpc/hybrid#link/ams-da",
    connectionId: ic().id,
    portName: "primary",
    vrfId,
    nniVlan: 100,
    peerAsn: 65000,
    subnet: "10.50.255.0/30",
    ...over,
  });
  const circuitsTagged = (owner: string) =>
    sim.snapshot().virtualCircuits.filter((vc) => vc.tags.includes(ownerTag(owner)));

  async function expectApiError(p: Promise<unknown>, status: number, pattern?: RegExp): Promise<ApiError> {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof ApiError, `expected an ApiError, got ${String(e)}`);
      errorsSeen.push(e.message, JSON.stringify(e), String(e.stack));
      assert.equal(e.status, status, e.message);
      if (pattern) assert.match(e.apiMessage, pattern);
      return e;
    }
    assert.fail("expected the call to fail");
  }

  before(async () => {
    sim = await startMetalSimulator({
      inventory,
      token,
      knobs: { vcActivateMs: 90, vcDeleteMs: 60, seed: 11 },
    });
    client = new MetalClient({
      baseUrl: `${sim.url}/metal/v1`,
      token,
      perPage: 2, // small pages, so the circuit lists really paginate
      retry: { ...defaultRetryPolicy, baseDelayMs: 5, maxDelayMs: 40, maxRetryAfterMs: 50 },
      log: (l) => logLines.push(l),
    });
    const vrf = await ensureVrf(client, site, {
      owner: vpcOwner,
      name: "hybrid",
      ipRanges: ["10.50.0.0/16"],
    });
    vrfId = vrf.id;
  });
  after(() => sim?.close());

  it("reads the inventory's dedicated interconnection and its two ports", async () => {
    const c = await client.getConnection(ic().id, "metro");
    assert.equal(c.type, "dedicated");
    assert.equal(c.metro?.code, site.metro);
    assert.equal(c.redundancy, "redundant");
    const ports = await client.listConnectionPorts(ic().id);
    assert.deepEqual(
      ports.map((p) => [p.id, p.name, p.role]),
      ic().ports.map((p) => [p.id, p.name, p.role]),
    );
    assert.equal(
      (await resolveConnectionPort(client, ic().id, { portName: "secondary" })).id,
      portOf("secondary").id,
    );
    assert.equal(
      (await resolveConnectionPort(client, ic().id, { portId: portOf("primary").id })).name,
      "primary",
    );
    await assert.rejects(
      resolveConnectionPort(client, ic().id, { portName: "tertiary" }),
      /has no port tertiary/,
    );
  });

  it("creates a circuit and polls it through pending and activating until active; addresses default to first/last usable", async () => {
    const vc = await ensureVrfVirtualCircuit(client, site, spec({ md5 }), fast);
    assert.deepEqual(
      { ...vc, id: undefined },
      {
        id: undefined,
        metal_ip: "10.50.255.1",
        customer_ip: "10.50.255.2",
        subnet: "10.50.255.0/30",
        nni_vlan: 100,
        status: "active",
      },
    );
    const seen = sim.requests
      .filter((r) => r.method === "GET" && r.apiPath === `/virtual-circuits/${vc.id}`)
      .map((r) => (r.responseBody as { status?: string }).status);
    assert.ok(seen.includes("pending") || seen.includes("activating"), `polled: ${seen.join(", ")}`);
    assert.equal(seen.at(-1), "active");
    const [record] = circuitsTagged(spec().owner);
    assert.equal(record?.port_id, portOf("primary").id);
    assert.equal(record?.vrf_id, vrfId);
    assert.equal(record?.md5, md5, "the password reached the API");
    // The VRF lists its circuit.
    const vrf = await client.getVrf(vrfId);
    assert.equal((vrf as { virtual_circuits?: unknown[] }).virtual_circuits?.length, 1);
  });

  it("a re-run adopts the same circuit: no second POST, exactly one circuit", async () => {
    const posts = () => sim.requests.filter((r) => r.method === "POST" && VC_POST.test(r.apiPath)).length;
    const before = posts();
    const first = circuitsTagged(spec().owner)[0]!;
    const again = await ensureVrfVirtualCircuit(client, site, spec({ md5 }), fast);
    assert.equal(again.id, first.id);
    const byId = await ensureVrfVirtualCircuit(
      client,
      site,
      spec({ md5, portName: undefined, portId: portOf("primary").id }),
      fast,
    );
    assert.equal(byId.id, first.id);
    assert.equal(posts(), before);
    assert.equal(circuitsTagged(spec().owner).length, 1);
  });

  it("refuses to adopt a circuit of the owner that differs from the spec", async () => {
    await assert.rejects(
      ensureVrfVirtualCircuit(client, site, spec({ nniVlan: 101 }), fast),
      (e: unknown) =>
        e instanceof VirtualCircuitError &&
        /nni_vlan is 100, not 101/.test(e.message) &&
        !e.message.includes(md5),
    );
  });

  it("places one of a /31 as asked (customer_ip given, metal_ip the other address)", async () => {
    const owner = "proj/dev/Vpc/hybrid#link/slash31";
    const vc = await ensureVrfVirtualCircuit(
      client,
      site,
      spec({ owner, nniVlan: 110, subnet: "10.50.255.8/31", customerIp: "10.50.255.8" }),
      fast,
    );
    assert.deepEqual([vc.metal_ip, vc.customer_ip], ["10.50.255.9", "10.50.255.8"]);
  });

  it("a crash between the create's commit and its response, then a retry, leaves exactly one circuit", async () => {
    sim.setKnobs({ faults: [{ method: "POST", path: VC_POST.source, mode: "drop-after-commit", times: 1 }] });
    const owner = "proj/dev/Vpc/hybrid#link/crash";
    const vc = await ensureVrfVirtualCircuit(
      client,
      site,
      spec({ owner, nniVlan: 120, subnet: "10.50.255.12/30" }),
      fast,
    );
    assert.equal(vc.status, "active");
    assert.equal(
      sim.requests.filter((r) => r.injected === "drop-after-commit").length,
      1,
      "the create crashed",
    );
    assert.deepEqual(
      circuitsTagged(owner).map((c) => c.id),
      [vc.id],
    );
  });

  it("answers 422 for a subnet outside the VRF's ranges, a duplicate NNI VLAN on the port, an overlapping or oversized subnet", async () => {
    await expectApiError(
      ensureVrfVirtualCircuit(
        client,
        site,
        spec({ owner: "x/outside", nniVlan: 130, subnet: "192.168.0.0/30" }),
        fast,
      ),
      422,
      /not inside any IP range/,
    );
    await expectApiError(
      ensureVrfVirtualCircuit(
        client,
        site,
        spec({ owner: "x/dup-vlan", nniVlan: 100, subnet: "10.50.255.16/30", md5 }),
        fast,
      ),
      422,
      /NNI VLAN 100 is already used on port primary/,
    );
    await expectApiError(
      ensureVrfVirtualCircuit(
        client,
        site,
        spec({ owner: "x/overlap", nniVlan: 131, subnet: "10.50.255.2/31" }),
        fast,
      ),
      422,
      /overlaps the subnet 10\.50\.255\.0\/30/,
    );
    await expectApiError(
      ensureVrfVirtualCircuit(
        client,
        site,
        spec({ owner: "x/big", nniVlan: 132, subnet: "10.50.254.0/29" }),
        fast,
      ),
      422,
      /must be a \/30 or a \/31/,
    );
    await expectApiError(
      ensureVrfVirtualCircuit(
        client,
        site,
        spec({ owner: "x/bad-ip", nniVlan: 133, subnet: "10.50.255.20/30", metalIp: "10.50.255.20" }),
        fast,
      ),
      422,
      /metal_ip 10\.50\.255\.20 is not a usable address/,
    );
    for (const owner of ["x/outside", "x/dup-vlan", "x/overlap", "x/big", "x/bad-ip"]) {
      assert.equal(circuitsTagged(owner).length, 0, `${owner} made nothing`);
    }
  });

  it("the same NNI VLAN is free on the other port of the connection", async () => {
    const owner = "proj/dev/Vpc/hybrid#link/secondary";
    const vc = await ensureVrfVirtualCircuit(
      client,
      site,
      spec({ owner, portName: "secondary", nniVlan: 100, subnet: "10.50.255.24/30" }),
      fast,
    );
    assert.equal(vc.nni_vlan, 100);
    assert.equal(circuitsTagged(owner)[0]?.port_id, portOf("secondary").id);
  });

  it("a circuit that fails to activate is a VirtualCircuitError; it can still be deleted", async () => {
    sim.setKnobs({ vcActivationFails: true });
    const owner = "proj/dev/Vpc/hybrid#link/failing";
    let failedId = "";
    try {
      await assert.rejects(
        ensureVrfVirtualCircuit(
          client,
          site,
          spec({ owner, nniVlan: 140, subnet: "10.50.255.28/30", md5 }),
          fast,
        ),
        (e: unknown) => {
          assert.ok(e instanceof VirtualCircuitError);
          assert.equal(e.status, "activation_failed");
          assert.ok(!e.message.includes(md5) && !JSON.stringify(e).includes(md5));
          failedId = e.circuitId;
          errorsSeen.push(e.message, JSON.stringify(e), String(e.stack));
          return true;
        },
      );
    } finally {
      sim.setKnobs({ vcActivationFails: false });
    }
    await deleteVrfVirtualCircuit(client, failedId, fast);
    assert.equal(circuitsTagged(owner).length, 0);
  });

  it("the VRF cannot be deleted while it has a circuit (422)", async () => {
    await expectApiError(deleteVrf(client, vrfId), 422, /virtual circuits/);
    assert.equal(sim.snapshot().vrfs.length, 1);
  });

  it("deleting the circuits (each polled through deleting until gone), then the VRF, leaves the metro empty", async () => {
    const ours = sim.snapshot().virtualCircuits;
    assert.equal(ours.length, 4);
    for (const vc of ours) await deleteVrfVirtualCircuit(client, vc.id, fast);
    const deleting = sim.requests.filter(
      (r) => r.method === "GET" && r.apiPath.startsWith("/virtual-circuits/") && r.status === 200,
    );
    assert.ok(deleting.some((r) => (r.responseBody as { status?: string }).status === "deleting"));
    // Already gone: a second delete is a no-op (404 counts as gone).
    await deleteVrfVirtualCircuit(client, ours[0]!.id, fast);
    await deleteVrf(client, vrfId);
    const s = sim.snapshot();
    assert.deepEqual(s.virtualCircuits, []);
    assert.deepEqual(s.vrfs, []);
    assert.deepEqual(s.metalGateways, []);
    assert.deepEqual(
      s.ipReservations.filter((r) => !r.management),
      [],
    );
  });

  it("never lets the token or the BGP password into a log line or an error", () => {
    assert.ok(logLines.length > 30);
    assert.ok(errorsSeen.length >= 6);
    const everything = [JSON.stringify(logLines), ...errorsSeen].join("\n");
    assert.ok(!everything.includes(token), "the token leaked");
    assert.ok(!everything.includes(md5), "the BGP password leaked");
  });

  it("redacts the BGP password even when an API error message repeats it", async () => {
    const echo = createServer((req, res) => {
      let raw = "";
      req.on("data", (c: Buffer) => (raw += c.toString("utf8")));
      req.on("end", () => {
        const body = JSON.parse(raw || "{}") as { md5?: string };
        res.writeHead(422, { "content-type": "application/json", "x-request-id": "echo-1" });
        res.end(JSON.stringify({ errors: [`md5 ${body.md5 ?? ""} is not accepted`] }));
      });
    });
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = echo.address() as AddressInfo;
      const lines: MetalLogLine[] = [];
      const echoClient = new MetalClient({
        baseUrl: `http://127.0.0.1:${port}/metal/v1`,
        token,
        log: (l) => lines.push(l),
      });
      const e = await expectApiError(
        echoClient.createVrfVirtualCircuit(ic().id, portOf("primary").id, {
          project_id: site.projectId,
          vrf: "00000000-0000-4000-8000-000000000000",
          nni_vlan: 150,
          peer_asn: 65000,
          subnet: "10.50.255.32/30",
          md5,
        }),
        422,
        /md5 \[REDACTED\] is not accepted/,
      );
      assert.ok(![e.message, e.apiMessage, JSON.stringify(e), JSON.stringify(lines)].join().includes(md5));
    } finally {
      await new Promise<void>((resolve) => echo.close(() => resolve()));
    }
  });

  it("lists stop when an endpoint ignores paging (the spec declares no page parameters for these lists)", async () => {
    const all = ["a", "b", "c"].map((x) => ({ id: `${x}-circuit`, type: "vrf", status: "active" }));
    let requests = 0;
    const ignoring = createServer((_req, res) => {
      requests++;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ virtual_circuits: all.slice(0, 2) }));
    });
    await new Promise<void>((resolve) => ignoring.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = ignoring.address() as AddressInfo;
      const paged = new MetalClient({ baseUrl: `http://127.0.0.1:${port}/metal/v1`, token, perPage: 2 });
      // The same page twice: stop after the repeat instead of asking for 10,000 pages.
      assert.deepEqual(
        (await paged.listPortVirtualCircuits(ic().id, portOf("primary").id)).map((vc) => vc.id),
        ["a-circuit", "b-circuit"],
      );
      assert.equal(requests, 2);
    } finally {
      await new Promise<void>((resolve) => ignoring.close(() => resolve()));
    }
  });

  it("sent and received only what the official spec allows (every request and response of this file)", async () => {
    await assertTrafficMatchesSpec(sim.requests);
    // The spec's VirtualCircuitCreateInput is a oneOf whose VLAN branch accepts almost anything, so
    // every create body is also held to the VRF branch on its own.
    const vrfBranch = componentValidator("VrfVirtualCircuitCreateInput");
    const creates = sim.requests.filter((r) => r.method === "POST" && VC_POST.test(r.apiPath));
    assert.ok(creates.length >= 8);
    for (const r of creates) assert.ok(vrfBranch(r.requestBody), JSON.stringify(vrfBranch.errors));
    assert.ok(
      sim.requests.some((r) => r.apiPath.endsWith("/virtual-circuits") && r.query.page === "2"),
      "a circuit list was read past its first page",
    );
    // Every operation this feature uses was exercised (and so checked).
    const exercised = new Set(
      sim.requests.map((r) => `${r.method} ${r.apiPath.replace(/[0-9a-f-]{36}/g, "{}")} ${r.status}`),
    );
    for (const op of [
      "GET /connections/{} 200",
      "GET /connections/{}/ports 200",
      "GET /connections/{}/ports/{}/virtual-circuits 200",
      "POST /connections/{}/ports/{}/virtual-circuits 201",
      "POST /connections/{}/ports/{}/virtual-circuits 422",
      "GET /virtual-circuits/{} 200",
      "GET /virtual-circuits/{} 404",
      "DELETE /virtual-circuits/{} 202",
      "DELETE /virtual-circuits/{} 404",
      "DELETE /vrfs/{} 422",
    ]) {
      assert.ok(exercised.has(op), `not exercised: ${op}`);
    }
  });
});
