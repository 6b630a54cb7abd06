// The Metal driver's public LoadBalancer VIP steps against the Metal simulator: the elastic IP
// reservation (created once, adopted on a re-run and after a crash, quota rules, idempotent
// delete), project BGP (enabled once, a different ASN refused), device BGP sessions (adopted,
// refused while project BGP is off), the peering facts with the BGP password kept apart and out
// of every log line and error, the BIRD snippet for the speaker, and every request and response of
// the file checked against the official spec.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { inspect } from "node:util";
import { AnyvpcError, ApiError } from "../../provider/errors";
import { MetalClient, type MetalLogLine } from "../../provider/drivers/metal/client";
import {
  BGP_PASSWORD_PLACEHOLDER,
  BgpError,
  bgpPeeringFacts,
  deleteDeviceBgpSession,
  deleteElasticIp,
  ElasticIpError,
  ensureDeviceBgpSession,
  ensureElasticIp,
  ensureProjectBgp,
  ownerTag,
  speakerConfig,
  type BgpPeeringFacts,
  type MetalSite,
} from "../../provider/drivers/metal/realize";
import { defaultRetryPolicy } from "../../provider/drivers/retry";
import { loadInventory, startMetalSimulator, type MetalSimulator } from "../../sim/metal";
import { componentValidator } from "../contract/openapi";
import { assertTrafficMatchesSpec } from "../contract/traffic";

const token = `metal-lb-token-${process.pid}-${Date.now().toString(36)}`;
// 10-20 letters and digits with a lower, an upper and a digit, as the API requires; unique per run
// so that finding it anywhere means it leaked.
const md5 = `Lb${Date.now().toString(36).slice(-6)}Q7z`;
const inventory = loadInventory(path.join(__dirname, "..", "..", "sim", "metal", "inventory.example.json"));
const fast = { intervalMs: 15, timeoutMs: 20_000 };
const IPS_POST = /^\/projects\/[^/]+\/ips$/;
const device = (i: number) => inventory.devices[i]!;

describe("Metal driver: public LoadBalancer VIP (elastic IP + BGP)", function () {
  this.timeout(120_000);
  let sim: MetalSimulator;
  let client: MetalClient;
  const logLines: MetalLogLine[] = [];
  const errorsSeen: string[] = [];
  const site: MetalSite = { projectId: inventory.project.id, metro: inventory.metros[0]!.code };
  const vipOwner = "proj/dev/LoadBalancer/web";
  let vip: string;

  const reservationsOf = (owner: string) =>
    sim.snapshot().ipReservations.filter((r) => r.tags.includes(ownerTag(owner)));
  const sessionsOf = (deviceId: string) => sim.snapshot().bgpSessions.filter((s) => s.device_id === deviceId);

  /** Records every error's message, JSON and stack, for the leak check at the end. */
  async function expectError<E extends Error>(
    p: Promise<unknown>,
    type: new (...a: never[]) => E,
  ): Promise<E> {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof type, `expected a ${type.name}, got ${String(e)}`);
      errorsSeen.push(e.message, JSON.stringify(e), String(e.stack), inspect(e, { depth: 5 }));
      return e;
    }
    assert.fail("expected the call to fail");
  }

  before(async () => {
    sim = await startMetalSimulator({ inventory, token, knobs: { seed: 13 } });
    client = new MetalClient({
      baseUrl: `${sim.url}/metal/v1`,
      token,
      perPage: 2, // small pages, so the reservation list really paginates
      retry: { ...defaultRetryPolicy, baseDelayMs: 5, maxDelayMs: 40, maxRetryAfterMs: 50 },
      log: (l) => logLines.push(l),
    });
  });
  after(() => sim?.close());

  describe("elastic IP", () => {
    it("is reserved once as a tagged public /32 with fail_on_approval_required, and adopted on a re-run", async () => {
      const ip = await ensureElasticIp(client, site, { owner: vipOwner, description: "web VIP" }, fast);
      assert.equal(ip.cidr, 32);
      assert.equal(ip.address, ip.network);
      assert.match(ip.address, /^147\.28\.\d+\.\d+$/);
      vip = ip.address;
      const again = await ensureElasticIp(client, site, { owner: vipOwner, quantity: 1 }, fast);
      assert.deepEqual(again, ip);
      const mine = reservationsOf(vipOwner);
      assert.equal(mine.length, 1, "exactly one reservation");
      assert.equal(mine[0]!.state, "created");
      assert.equal(mine[0]!.metro, site.metro);
      assert.equal(mine[0]!.details, "web VIP");
      const posts = sim.requests.filter((r) => r.method === "POST" && IPS_POST.test(r.apiPath));
      assert.equal(posts.length, 1);
      // The list is asked for public blocks only (the spec's form-style `types`), metros expanded.
      const lists = sim.requests.filter((r) => r.method === "GET" && IPS_POST.test(r.apiPath));
      assert.ok(lists.length > 0);
      for (const r of lists) assert.deepEqual([r.query.types, r.query.include], ["public_ipv4", "metro"]);
      assert.deepEqual(posts[0]!.requestBody, {
        type: "public_ipv4",
        quantity: 1,
        metro: site.metro,
        fail_on_approval_required: true,
        details: "web VIP",
        tags: [ownerTag(vipOwner)],
      });
    });

    it("a crash between the create's commit and its response, then a retry, leaves exactly one", async () => {
      const owner = "proj/dev/LoadBalancer/crash";
      sim.setKnobs({
        faults: [{ method: "POST", path: IPS_POST.source, mode: "drop-after-commit", times: 1 }],
      });
      try {
        const ip = await ensureElasticIp(client, site, { owner, quantity: 4 }, fast);
        assert.equal(ip.cidr, 30);
        assert.equal(sim.requests.filter((r) => r.injected === "drop-after-commit").length, 1);
        assert.equal(reservationsOf(owner).length, 1);
        assert.deepEqual(await ensureElasticIp(client, site, { owner, quantity: 4 }, fast), ip);
        assert.equal(reservationsOf(owner).length, 1);
      } finally {
        sim.setKnobs({ faults: [] });
      }
    });

    it("refuses an impossible size before any request, and an adopted block of another size", async () => {
      const before = sim.requests.length;
      const odd = await expectError(ensureElasticIp(client, site, { owner: "x", quantity: 3 }), AnyvpcError);
      assert.match(odd.message, /3 addresses/);
      assert.match(odd.details.fix ?? "", /1, 2, 4/);
      assert.equal(sim.requests.length, before, "nothing was sent");
      const resized = await expectError(
        ensureElasticIp(client, site, { owner: "proj/dev/LoadBalancer/crash", quantity: 1 }),
        ElasticIpError,
      );
      assert.match(resized.message, /is a \/30, not a \/32/);
      assert.match(resized.details.fix ?? "", /deleteElasticIp/);
    });

    it("deletes idempotently: a second delete of the gone reservation (404) succeeds", async () => {
      const owner = "proj/dev/LoadBalancer/temp";
      const ip = await ensureElasticIp(client, site, { owner }, fast);
      await deleteElasticIp(client, ip.id);
      assert.equal(reservationsOf(owner).length, 0);
      await deleteElasticIp(client, ip.id);
      const gone = await expectError(client.getIp(ip.id), ApiError);
      assert.equal(gone.status, 404);
      assert.ok(
        sim.requests.some((r) => r.method === "DELETE" && r.apiPath === `/ips/${ip.id}` && r.status === 404),
      );
    });

    it("over quota: refused at once (422) with a fix, and a tagged pending request is waited for, not duplicated", async () => {
      // Fill the project's 256 public addresses exactly.
      let used = sim
        .snapshot()
        .ipReservations.filter((r) => r.type === "public_ipv4" && !r.management && r.state === "created")
        .reduce((sum, r) => sum + 2 ** (32 - r.cidr), 0);
      const fillers: string[] = [];
      for (let size = 128; used < 256; size /= 2) {
        if (used + size > 256) continue;
        const block = await client.requestPublicIps(site.projectId, {
          type: "public_ipv4",
          quantity: size,
          metro: site.metro,
          fail_on_approval_required: true,
        });
        fillers.push(block.id);
        used += size;
      }
      const owner = "proj/dev/LoadBalancer/over";
      const refused = await expectError(ensureElasticIp(client, site, { owner }, fast), ElasticIpError);
      assert.match(refused.message, /quota/);
      assert.equal(refused.details.status, 422);
      assert.match(refused.details.fix ?? "", /quota/);
      assert.equal(reservationsOf(owner).length, 0);

      // An older request made without the flag waits for Equinix's review: adopt it and report it.
      const waiting = "proj/dev/LoadBalancer/waiting";
      const pending = await client.requestPublicIps(site.projectId, {
        type: "public_ipv4",
        quantity: 1,
        metro: site.metro,
        tags: [ownerTag(waiting)],
      });
      assert.equal(pending.state, "pending");
      const stuck = await expectError(
        ensureElasticIp(client, site, { owner: waiting }, { intervalMs: 15, timeoutMs: 100 }),
        ElasticIpError,
      );
      assert.equal(stuck.state, "pending");
      assert.equal(stuck.reservationId, pending.id);
      assert.match(stuck.message, /pending.*quota/);
      assert.equal(reservationsOf(waiting).length, 1, "no second request");

      for (const id of [...fillers, pending.id]) await deleteElasticIp(client, id);
      assert.deepEqual(
        reservationsOf(waiting).map((r) => r.id),
        [],
      );
    });
  });

  describe("BGP", () => {
    it("a device session is refused (422) while project BGP is not enabled", async () => {
      const e = await expectError(ensureDeviceBgpSession(client, device(0).id, "ipv4"), BgpError);
      assert.equal(e.details.status, 422);
      assert.match(e.message, /not enabled/);
      assert.match(e.details.fix ?? "", /ensureProjectBgp/);
      assert.equal(sessionsOf(device(0).id).length, 0);
    });

    it("project BGP is enabled once and adopted on a re-run; the config returned holds no password", async () => {
      const bgp = await ensureProjectBgp(client, site.projectId, { asn: 65100, md5 });
      assert.deepEqual(
        { ...bgp, id: undefined },
        {
          id: undefined,
          status: "enabled",
          asn: 65100,
          deploymentType: "local",
          maxPrefix: 10,
          md5Enabled: true,
        },
      );
      assert.ok(!JSON.stringify(bgp).includes(md5), "the config as returned holds no password");
      const again = await ensureProjectBgp(client, site.projectId, { asn: 65100, md5 });
      assert.deepEqual(again, bgp);
      assert.deepEqual(await ensureProjectBgp(client, site.projectId, { asn: 65100 }), bgp);
      const posts = sim.requests.filter((r) => r.method === "POST" && r.apiPath.endsWith("/bgp-configs"));
      assert.deepEqual(
        posts.map((r) => r.status),
        [204],
      );
    });

    it("a crash between enabling BGP and the answer, then a retry, adopts the config (one POST)", async () => {
      // A project of its own, since this one has BGP enabled already.
      const other = await startMetalSimulator({ inventory, token, knobs: { seed: 17 } });
      try {
        other.setKnobs({
          faults: [
            { method: "POST", path: "^/projects/[^/]+/bgp-configs$", mode: "drop-after-commit", times: 1 },
          ],
        });
        const otherClient = new MetalClient({
          baseUrl: `${other.url}/metal/v1`,
          token,
          retry: { ...defaultRetryPolicy, baseDelayMs: 5, maxDelayMs: 40, maxRetryAfterMs: 50 },
          log: (l) => logLines.push(l),
        });
        const bgp = await ensureProjectBgp(otherClient, site.projectId, { asn: 65100, md5 });
        assert.equal(bgp.status, "enabled");
        const posts = other.requests.filter((r) => r.method === "POST" && r.apiPath.endsWith("/bgp-configs"));
        assert.deepEqual(
          posts.map((r) => r.injected),
          ["drop-after-commit"],
        );
        assert.equal(other.snapshot().bgpConfig?.asn, 65100);
        await assertTrafficMatchesSpec(other.requests);
      } finally {
        await other.close();
      }
    });

    it("refuses another ASN, deployment type or password with a clear error that shows no password", async () => {
      const asn = await expectError(ensureProjectBgp(client, site.projectId, { asn: 65200 }), BgpError);
      assert.match(asn.message, /ASN 65100/);
      assert.match(asn.message, /ASN 65200/);
      assert.match(asn.details.fix ?? "", /use ASN 65100.*disable/);
      const type = await expectError(
        ensureProjectBgp(client, site.projectId, { asn: 65100, deploymentType: "global" }),
        BgpError,
      );
      assert.match(type.message, /local BGP.*not global/);
      const other = "Other1Passw0rd";
      const password = await expectError(
        ensureProjectBgp(client, site.projectId, { asn: 65100, md5: other }),
        BgpError,
      );
      assert.match(password.message, /another BGP password/);
      for (const text of [password.message, JSON.stringify(password), inspect(password, { depth: 5 })]) {
        assert.ok(!text.includes(other) && !text.includes(md5), "a password shows in the error");
      }
    });

    it("an API refusal that echoes the password is redacted in the error", async () => {
      // A stand-in for an API whose 422 repeats the request body: the client must redact the md5.
      const echo = createServer((req, res) => {
        let body = "";
        req.on("data", (chunk: Buffer) => (body += chunk.toString()));
        req.on("end", () => {
          res.setHeader("content-type", "application/json");
          if (req.method === "GET") {
            res.writeHead(200).end();
            return;
          }
          res.writeHead(422).end(JSON.stringify({ errors: [`invalid BGP request ${body}`] }));
        });
      });
      await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
      try {
        const { port } = echo.address() as AddressInfo;
        const echoing = new MetalClient({
          baseUrl: `http://127.0.0.1:${port}/metal/v1`,
          token,
          retry: { ...defaultRetryPolicy, limit: 0 },
          log: (l) => logLines.push(l),
        });
        const e = await expectError(ensureProjectBgp(echoing, site.projectId, { asn: 65100, md5 }), ApiError);
        assert.equal(e.status, 422);
        assert.match(e.apiMessage, /"md5":"\[REDACTED\]"/);
      } finally {
        await new Promise<void>((resolve) => echo.close(() => resolve()));
      }
    });

    it("device sessions are created once, adopted on a re-run and after a crash; the API refuses a second one", async () => {
      const s0 = await ensureDeviceBgpSession(client, device(0).id, "ipv4");
      assert.equal(s0.status, "unknown");
      assert.deepEqual(await ensureDeviceBgpSession(client, device(0).id, "ipv4"), s0);
      assert.equal(sessionsOf(device(0).id).length, 1);
      const dup = await expectError(
        client.createBgpSession(device(0).id, { address_family: "ipv4" }),
        ApiError,
      );
      assert.equal(dup.status, 422);
      assert.match(dup.apiMessage, /already has session/);
      sim.setKnobs({
        faults: [
          { method: "POST", path: "^/devices/[^/]+/bgp/sessions$", mode: "drop-after-commit", times: 1 },
        ],
      });
      try {
        const s1 = await ensureDeviceBgpSession(client, device(1).id, "ipv4");
        const dropped = sim.requests.filter(
          (r) => r.injected === "drop-after-commit" && r.apiPath === `/devices/${device(1).id}/bgp/sessions`,
        );
        assert.equal(dropped.length, 1);
        assert.deepEqual(
          sessionsOf(device(1).id).map((s) => s.id),
          [s1.id],
        );
      } finally {
        sim.setKnobs({ faults: [] });
      }
    });

    it("deletes a session idempotently; a device without a session has no neighbors", async () => {
      const s2 = await ensureDeviceBgpSession(client, device(2).id, "ipv4");
      assert.equal((await bgpPeeringFacts(client, device(2).id)).neighbors.length, 1);
      await deleteDeviceBgpSession(client, s2.id);
      await deleteDeviceBgpSession(client, s2.id);
      assert.equal(sessionsOf(device(2).id).length, 0);
      const facts = await bgpPeeringFacts(client, device(2).id);
      assert.deepEqual(facts.neighbors, []);
      assert.equal(facts.password, undefined);
      assert.throws(() => speakerConfig(facts, vip), /has no ipv4 BGP neighbors/);
    });
  });

  describe("peering facts and the speaker's config", () => {
    let facts: BgpPeeringFacts;

    before(async () => {
      facts = await bgpPeeringFacts(client, device(0).id);
    });

    it("returns each neighbor's peering data, and the password apart, as a non-enumerable secret", () => {
      assert.equal(facts.deviceId, device(0).id);
      assert.equal(facts.neighbors.length, 1);
      const n = facts.neighbors[0]!;
      assert.deepEqual(
        { ...n, routesIn: undefined },
        {
          addressFamily: 4,
          customerIp: device(0).private_ipv4.split("/")[0],
          customerAs: 65100,
          peerIps: ["169.254.255.1", "169.254.255.2"],
          peerAs: 65530,
          md5Enabled: true,
          multihop: true,
          routesIn: undefined,
          routesOut: [],
        },
      );
      // The project's public blocks in the metro, the VIP's /32 among them.
      assert.ok(n.routesIn?.some((r) => r.route === `${vip}/32` && r.exact === false));
      assert.equal(facts.password, md5);
      assert.ok(!Object.keys(facts).includes("password"));
      for (const shown of [
        JSON.stringify(facts),
        inspect(facts, { depth: 5 }),
        JSON.stringify({ ...facts }),
      ]) {
        assert.ok(!shown.includes(md5), `the password shows in ${shown}`);
      }
    });

    it("speakerConfig peers with every Metal peer and announces only the VIP /32, with no password in it", () => {
      const conf = speakerConfig(facts, vip);
      assert.ok(conf.includes(`route ${vip}/32`));
      assert.ok(conf.includes(`if net = ${vip}/32 then accept;`));
      assert.ok(conf.includes(`router id ${device(0).private_ipv4.split("/")[0]};`));
      assert.ok(conf.includes(`local ${device(0).private_ipv4.split("/")[0]} as 65100;`));
      assert.ok(conf.includes("neighbor 169.254.255.1 as 65530;"));
      assert.ok(conf.includes("neighbor 169.254.255.2 as 65530;"));
      assert.ok(conf.includes("multihop 2;"));
      assert.ok(conf.includes(`password "${BGP_PASSWORD_PLACEHOLDER}";`));
      assert.ok(!conf.includes(md5), "the snippet holds no secret");
      assert.ok(!conf.includes("# Note:"), "the VIP is a project IP Metal accepts");
      assert.equal(speakerConfig(facts, `${vip}/32`), conf);
      assert.match(speakerConfig(facts, "192.0.2.10"), /# Note: .*\n# 192\.0\.2\.10\/32 is not inside them/);
      assert.throws(() => speakerConfig(facts, "2001:db8::1"), /is not an IPv4 address/);
      assert.throws(() => speakerConfig(facts, "147.28.0.300"), /is not an IPv4 address/);
    });

    it("speakerConfig is a configuration BIRD 2 accepts (when bird is installed)", function () {
      let bird: string | undefined;
      for (const dir of ["/usr/sbin", "/usr/local/sbin", ...(process.env.PATH ?? "").split(":")]) {
        if (dir && fs.existsSync(path.join(dir, "bird"))) {
          bird = path.join(dir, "bird");
          break;
        }
      }
      if (!bird) this.skip();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anyvpc-bird-"));
      try {
        const file = path.join(dir, "bird.conf");
        // On a host, the placeholder is replaced with the secret; any value parses the same.
        fs.writeFileSync(file, speakerConfig(facts, vip).replace(BGP_PASSWORD_PLACEHOLDER, "placeholder"));
        execFileSync(bird, ["-p", "-c", file], { stdio: "pipe" });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  // Mocha runs a suite's own tests before its nested suites: these go last, in a suite of their own.
  describe("the whole file", () => {
    it("never lets the BGP password or the token into a log line or an error", () => {
      assert.ok(logLines.length > 30);
      assert.ok(errorsSeen.length > 0);
      const everything = [JSON.stringify(logLines), ...errorsSeen].join("\n");
      assert.ok(!everything.includes(md5), "the BGP password leaked");
      assert.ok(!everything.includes(token), "the token leaked");
      // ... while the API did carry it where the spec says (the config and the neighbors).
      assert.ok(JSON.stringify(sim.requests).includes(md5));
    });

    it("sent and received only what the official spec allows (every request and response of this file)", async () => {
      await assertTrafficMatchesSpec(sim.requests);
      // POST /projects/{id}/ips takes a oneOf; hold every public request to its own branch too.
      const publicBranch = componentValidator("IPReservationRequestInput");
      const creates = sim.requests.filter((r) => r.method === "POST" && IPS_POST.test(r.apiPath));
      assert.ok(creates.length >= 5);
      for (const r of creates) assert.ok(publicBranch(r.requestBody), JSON.stringify(publicBranch.errors));
      assert.ok(
        sim.requests.some((r) => IPS_POST.test(r.apiPath) && r.method === "GET" && r.query.page === "2"),
        "the reservation list was read past its first page",
      );
      const exercised = new Set(
        sim.requests.map((r) => `${r.method} ${r.apiPath.replace(/[0-9a-f-]{36}/g, "{}")} ${r.status}`),
      );
      for (const op of [
        "GET /projects/{}/ips 200",
        "POST /projects/{}/ips 201",
        "POST /projects/{}/ips 422",
        "GET /ips/{} 404",
        "DELETE /ips/{} 204",
        "DELETE /ips/{} 404",
        "GET /projects/{}/bgp-config 200",
        "POST /projects/{}/bgp-configs 204",
        "GET /devices/{}/bgp/sessions 200",
        "POST /devices/{}/bgp/sessions 201",
        "POST /devices/{}/bgp/sessions 422",
        "DELETE /bgp/sessions/{} 204",
        "DELETE /bgp/sessions/{} 404",
        "GET /devices/{}/bgp/neighbors 200",
      ]) {
        assert.ok(exercised.has(op), `not exercised: ${op}`);
      }
    });
  });
});
