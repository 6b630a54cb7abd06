// The NVUE switch simulator over plain HTTP: the revision state machine, config tree semantics,
// apply-time validation, serialized applies, fault knobs, persistence and secret hygiene.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNvueSimulator, type NvueSimulator, type SwitchSpec } from "../../sim/nvue";

const USER = "cumulus";
const PASS = "Sw1tch-S3cret!";
const ports = (n: number) => Array.from({ length: n }, (_, i) => `swp${i + 1}`);
const SWITCHES: SwitchSpec[] = [
  { name: "leaf1", ports: ports(32), vtep: "10.0.0.1", asn: 65101 },
  { name: "leaf2", ports: ports(32), vtep: "10.0.0.2", asn: 65102 },
];

interface Reply {
  status: number;
  body: unknown;
}

type Json = Record<string, unknown>;

function authHeader(user = USER, pass = PASS): string {
  return "Basic " + Buffer.from(`${user}:${pass}`).toString("base64");
}

function api(sim: NvueSimulator, sw = "leaf1") {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(sim.baseUrlOf(sw) + path, {
      method,
      headers: { authorization: authHeader(), "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined } as Reply;
  };
  const enc = encodeURIComponent;
  return {
    call,
    async newRevision(): Promise<string> {
      const r = await call("POST", "/revision");
      assert.equal(r.status, 200);
      const ids = Object.keys(r.body as Json);
      assert.equal(ids.length, 1);
      return ids[0] as string;
    },
    patch: (rev: string, path: string, body: unknown) => call("PATCH", `${path}?rev=${enc(rev)}`, body),
    del: (rev: string, path: string) => call("DELETE", `${path}?rev=${enc(rev)}`),
    get: (path: string, rev?: string) => call("GET", rev === undefined ? path : `${path}?rev=${enc(rev)}`),
    apply: (rev: string, autoPrompt = true) =>
      call(
        "PATCH",
        `/revision/${enc(rev)}`,
        autoPrompt ? { state: "apply", "auto-prompt": { ays: "ays_yes" } } : { state: "apply" },
      ),
    revision: async (rev: string) => (await call("GET", `/revision/${enc(rev)}`)).body as Json,
    async waitFor(rev: string, timeoutMs = 5000): Promise<Json> {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const r = (await call("GET", `/revision/${enc(rev)}`)).body as Json;
        if (r["state"] !== "apply" && r["state"] !== "pending") return r;
        if (Date.now() > end) throw new Error(`revision ${rev} still ${String(r["state"])}`);
        await new Promise((res) => setTimeout(res, 10));
      }
    },
  };
}

/** Stage `tree` at the root of a new revision, apply it and wait for the final state. */
async function applyTree(sim: NvueSimulator, sw: string, tree: Json): Promise<Json> {
  const c = api(sim, sw);
  const rev = await c.newRevision();
  assert.equal((await c.patch(rev, "/", tree)).status, 200);
  assert.equal((await c.apply(rev)).status, 200);
  return c.waitFor(rev);
}

function reasons(rev: Json): string[] {
  const issue = (rev["transition"] as { issue: Record<string, { data: { reason: string } }> }).issue;
  return Object.values(issue).map((i) => i.data.reason);
}

const VRF_RED = {
  evpn: { enable: "on", vni: { "4001": {} } },
  router: {
    bgp: {
      enable: "on",
      "autonomous-system": 65101,
      rd: "10.0.0.1:1",
      "route-import": { "from-evpn": { "route-target": { "65000:4001": {} } } },
      "route-export": { "to-evpn": { "route-target": { "65000:4001": {} } } },
    },
  },
};

describe("NVUE simulator", () => {
  let sim: NvueSimulator;
  beforeEach(async () => {
    sim = await startNvueSimulator({
      switches: SWITCHES,
      credentials: { username: USER, password: PASS },
      knobs: { applyMs: 30 },
    });
  });
  afterEach(async () => sim.close());

  it("runs the revision lifecycle: create, stage, read back, apply, count", async () => {
    const c = api(sim);
    assert.equal(sim.baseUrlOf("leaf1"), `${sim.url}/leaf1/nvue_v1`);
    const created = await c.call("POST", "/revision");
    assert.equal(created.status, 200);
    const [rev, body] = Object.entries(created.body as Json)[0] as [string, Json];
    assert.match(rev, /^changeset\/cumulus\/\d{4}-\d\d-\d\d_\d\d\.\d\d\.\d\d_[A-Z0-9]{4}$/);
    assert.deepEqual(body, { state: "pending", transition: { issue: {}, progress: "" } });

    const staged = await c.patch(rev, "/vrf/RED", VRF_RED);
    assert.equal(staged.status, 200);
    assert.deepEqual(staged.body, VRF_RED);
    const more = await c.patch(rev, "/bridge/domain/br_default/vlan", { "10": { vni: { "10010": {} } } });
    assert.deepEqual(more.body, { "10": { vni: { "10010": {} } } });

    assert.deepEqual((await c.get("/vrf/RED/evpn/vni", rev)).body, { "4001": {} });
    assert.equal((await c.get("/vrf/RED", "applied")).status, 404);
    assert.equal((await c.get("/vrf/RED")).status, 404, "no rev means applied");
    // "pending" reads the newest pending revision.
    assert.deepEqual((await c.get("/vrf/RED/evpn", "pending")).body, VRF_RED.evpn);
    assert.equal((await c.revision(rev))["state"], "pending");

    const applying = await c.apply(rev);
    assert.deepEqual(applying.body, { state: "apply", transition: { issue: {}, progress: "" } });
    assert.equal((await c.revision(rev))["state"], "apply");
    assert.equal(sim.applyCount("leaf1"), 0);
    const done = await c.waitFor(rev);
    assert.equal(done["state"], "applied");
    assert.equal(sim.applyCount("leaf1"), 1);
    assert.equal(sim.applyCount("leaf2"), 0);
    assert.deepEqual((await c.get("/vrf/RED")).body, VRF_RED);
    assert.deepEqual((await c.get("/")).body, sim.applied("leaf1"));
    assert.equal((await api(sim, "leaf2").get("/vrf/RED")).status, 404, "switches are independent");

    // Applying again is a no-op; changing an applied revision is refused.
    assert.equal(((await c.apply(rev)).body as Json)["state"], "applied");
    assert.equal(sim.applyCount("leaf1"), 1);
    assert.equal((await c.patch(rev, "/vrf/BLUE", {})).status, 400);
    assert.notEqual(await c.newRevision(), rev, "revision ids are unique");
    const listed = (await c.call("GET", "/revision")).body as Json;
    assert.equal((listed[rev] as Json)["state"], "applied");

    // applied() is a copy.
    const copy = sim.applied("leaf1");
    delete copy["vrf"];
    assert.ok(sim.applied("leaf1")["vrf"]);
  });

  it("unsets with null and DELETE, and replaces a subtree with DELETE then PATCH", async () => {
    const c = api(sim);
    await applyTree(sim, "leaf1", {
      vrf: { RED: VRF_RED },
      bridge: {
        domain: { br_default: { vlan: { "10": { vni: { "10010": {} } }, "20": { vni: { "10020": {} } } } } },
      },
      interface: {
        swp5: { bridge: { domain: { br_default: { vlan: { "10": {}, "20": {} }, untagged: 10 } } } },
        swp6: { bridge: { domain: { br_default: { access: 10 } } } },
      },
    });
    const rev = await c.newRevision();
    const r1 = await c.patch(rev, "/vrf/RED/router/bgp", { rd: null });
    assert.equal(r1.status, 200);
    assert.equal((r1.body as Json)["rd"], undefined);
    assert.equal((await c.del(rev, "/interface/swp6")).status, 204);
    assert.equal((await c.del(rev, "/interface/swp5/bridge")).status, 204);
    await c.patch(rev, "/interface/swp5/bridge", { domain: { br_default: { access: 20 } } });
    await c.patch(rev, "/", { bridge: { domain: { br_default: { vlan: { "10": null } } } } });
    assert.equal((await c.get("/interface/swp6", rev)).status, 404);
    assert.equal((await c.get("/interface/swp6")).status, 200, "applied config unchanged until apply");
    assert.equal((await c.apply(rev)).status, 200);
    assert.equal((await c.waitFor(rev))["state"], "applied");
    const applied = sim.applied("leaf1") as Json;
    assert.deepEqual((applied["interface"] as Json)["swp5"], {
      bridge: { domain: { br_default: { access: 20 } } },
    });
    assert.equal((applied["interface"] as Json)["swp6"], undefined);
    assert.deepEqual(Object.keys(((await c.get("/bridge/domain/br_default/vlan")).body as Json) ?? {}), [
      "20",
    ]);
    assert.equal(((await c.get("/vrf/RED/router/bgp")).body as Json)["rd"], undefined);
  });

  it("goes to ays_fail without auto-prompt, and applies once the prompt is answered", async () => {
    const c = api(sim);
    const rev = await c.newRevision();
    await c.patch(rev, "/vrf/RED", VRF_RED);
    const r = await c.apply(rev, false);
    assert.equal(r.status, 200);
    assert.equal((r.body as Json)["state"], "ays_fail");
    assert.equal((await c.revision(rev))["state"], "ays_fail");
    await new Promise((res) => setTimeout(res, 60));
    assert.equal(sim.applyCount("leaf1"), 0);
    await c.apply(rev);
    assert.equal((await c.waitFor(rev))["state"], "applied");
    assert.equal(sim.applyCount("leaf1"), 1);
  });

  it("rejects bad credentials with 401 and never logs or stores the password", async () => {
    const url = sim.baseUrlOf("leaf1") + "/revision";
    const wrong = await fetch(url, { method: "POST", headers: { authorization: authHeader(USER, "nope") } });
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get("www-authenticate") ?? "", /^Basic/);
    const missing = await fetch(url, { method: "POST" });
    assert.equal(missing.status, 401);
    assert.equal((await api(sim).call("GET", "/revision")).status, 200);
    const entries = sim.requests.filter((e) => e.switch === "leaf1");
    assert.equal(entries.length, 3);
    assert.deepEqual(
      entries.map((e) => e.status),
      [401, 401, 200],
    );
    assert.equal(entries[0]?.requestHeaders["authorization"], "[REDACTED]");
    assert.equal(entries[1]?.requestHeaders["authorization"], undefined);
    const dump = JSON.stringify(sim.requests);
    assert.ok(!dump.includes(PASS));
    assert.ok(!dump.includes(Buffer.from(`${USER}:${PASS}`).toString("base64")));
    assert.equal(sim.applyCount("leaf1"), 0);
  });

  it("logs every request with the decoded path, query and bodies", async () => {
    const c = api(sim);
    const rev = await c.newRevision();
    await c.patch(rev, "/vrf/RED", VRF_RED);
    const entry = sim.requests.find((e) => e.method === "PATCH");
    assert.ok(entry);
    assert.equal(entry.switch, "leaf1");
    assert.equal(entry.path, "/vrf/RED");
    assert.deepEqual(entry.query, { rev });
    assert.deepEqual(entry.requestBody, VRF_RED);
    assert.equal(entry.status, 200);
    assert.deepEqual(entry.responseBody, VRF_RED);
    assert.equal(entry.requestHeaders["content-type"], "application/json");
    const seqs = sim.requests.map((e) => e.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );
  });

  it("answers API misuse the way a switch would", async () => {
    const c = api(sim);
    const rev = await c.newRevision();
    // An id with raw "/" in the path does not name the revision.
    assert.equal((await c.call("GET", `/revision/${rev}`)).status, 404);
    assert.equal((await c.call("PATCH", "/vrf/RED", {})).status, 400, "a change needs ?rev=");
    assert.equal((await c.patch("applied", "/vrf/RED", {})).status, 400);
    assert.equal((await c.patch("changeset/cumulus/nope", "/vrf/RED", {})).status, 404);
    assert.equal((await c.get("/vrf/RED", "changeset/cumulus/nope")).status, 404);
    assert.equal((await c.patch(rev, "/vrf/RED/evpn", { enable: true })).status, 400, "enable is on|off");
    assert.equal((await c.patch(rev, "/vrf/RED", { evpn: [1] })).status, 400, "no arrays");
    assert.equal((await c.patch(rev, "/", "x")).status, 400);
    const noType = await fetch(sim.baseUrlOf("leaf1") + `/vrf/RED?rev=${encodeURIComponent(rev)}`, {
      method: "PATCH",
      headers: { authorization: authHeader() },
      body: "{}",
    });
    assert.equal(noType.status, 415);
    const badJson = await c.call("PATCH", `/vrf/RED?rev=${encodeURIComponent(rev)}`);
    assert.equal(badJson.status, 400);
    const err = (await c.call("PUT", `/vrf/RED?rev=${encodeURIComponent(rev)}`, {})).body as Json;
    assert.equal(err["status"], 405);
    assert.equal(typeof err["detail"], "string");
    assert.equal((await fetch(`${sim.url}/nosuch/nvue_v1/revision`)).status, 404);
  });

  it("supports the wrapped revision shape as a knob", async () => {
    const c = api(sim);
    const rev = await c.newRevision();
    sim.setKnobs({ revisionShape: "wrapped" });
    const body = await c.revision(rev);
    assert.deepEqual(body, { [rev]: { state: "pending", transition: { issue: {}, progress: "" } } });
  });

  describe("validation on apply", () => {
    const base = {
      vrf: { RED: VRF_RED },
      bridge: { domain: { br_default: { vlan: { "10": { vni: { "10010": {} } } } } } },
    };

    async function expectInvalid(tree: Json, pattern: RegExp, location?: RegExp): Promise<void> {
      const before = sim.applied("leaf1");
      const count = sim.applyCount("leaf1");
      const rev = await applyTree(sim, "leaf1", tree);
      assert.equal(rev["state"], "invalid", JSON.stringify(rev));
      const issues = (rev["transition"] as { issue: Record<string, Json> }).issue;
      const first = issues["0"] as {
        code: string;
        data: { location: string; reason: string };
        severity: string;
      };
      assert.equal(first.severity, "error");
      assert.equal(typeof first.code, "string");
      assert.ok(
        reasons(rev).some((r) => pattern.test(r)),
        `${pattern} not among ${JSON.stringify(reasons(rev))}`,
      );
      if (location)
        assert.ok(
          Object.values(issues).some((i) =>
            location.test((i as { data: { location: string } }).data.location),
          ),
        );
      assert.deepEqual(sim.applied("leaf1"), before, "an invalid revision changes nothing");
      assert.equal(sim.applyCount("leaf1"), count);
    }

    it("rejects VLAN 5000", async () => {
      await expectInvalid(
        { bridge: { domain: { br_default: { vlan: { "5000": {} } } } } },
        /5000.*1-4094/,
        /^\/bridge\/domain\/br_default\/vlan\/5000$/,
      );
      await expectInvalid({ bridge: { domain: { br_default: { vlan: { "0": {} } } } } }, /out of range/);
      await expectInvalid({ bridge: { domain: { br_default: { vlan: { "4090-4095": {} } } } } }, /4095/);
    });

    it("rejects a VNI used twice, and an L3VNI equal to an L2VNI", async () => {
      await expectInvalid(
        {
          bridge: {
            domain: { br_default: { vlan: { "10": { vni: { "777": {} } }, "20": { vni: { "777": {} } } } } },
          },
        },
        /VNI 777 is mapped by both VLAN 10 .* and VLAN 20/,
      );
      await expectInvalid(
        { ...base, vrf: { RED: VRF_RED, BLUE: { evpn: { enable: "on", vni: { "4001": {} } } } } },
        /L3VNI 4001 is used by VRFs RED and BLUE/,
      );
      await expectInvalid(
        { ...base, vrf: { RED: { evpn: { enable: "on", vni: { "10010": {} } } } } },
        /L3VNI 10010 of VRF RED is also the L2VNI of VLAN 10/,
        /^\/vrf\/RED\/evpn\/vni\/10010$/,
      );
      await expectInvalid(
        { bridge: { domain: { br_default: { vlan: { "30-31": { vni: { "5000": {} } } } } } } },
        /VNI 5000 is mapped by both VLAN 30 .* VLAN 31/,
      );
    });

    it("rejects an SVI in a VRF that does not exist, and an SVI without its VLAN", async () => {
      const svi = {
        type: "svi",
        vlan: 10,
        ip: { vrf: "GREEN", vrr: { enable: "on", address: { "10.1.10.1/24": {} } } },
      };
      await expectInvalid(
        { ...base, interface: { vlan10: svi } },
        /vlan10 is in VRF GREEN, which does not exist/,
      );
      await expectInvalid(
        { vrf: { RED: VRF_RED }, interface: { vlan10: { ...svi, ip: { vrf: "RED" } } } },
        /VLAN 10 does not exist in any bridge domain/,
      );
    });

    it("rejects interfaces the switch does not have and VLANs a port references but the bridge lacks", async () => {
      await expectInvalid(
        { ...base, interface: { swp99: { bridge: { domain: { br_default: { access: 10 } } } } } },
        /interface swp99 does not exist/,
        /^\/interface\/swp99$/,
      );
      await expectInvalid({ interface: { eth7: {} } }, /eth7 does not exist/);
      await expectInvalid({ interface: { bond1: { bond: { member: { swp1: {} } } } } }, /needs type bond/);
      await expectInvalid(
        { interface: { bond1: { type: "bond", bond: { member: { swp77: {} } } } } },
        /bond member swp77 is not a port/,
      );
      await expectInvalid(
        { ...base, interface: { swp1: { bridge: { domain: { br_default: { access: 11 } } } } } },
        /access VLAN 11 is not in bridge br_default/,
      );
      await expectInvalid(
        { ...base, interface: { swp1: { bridge: { domain: { br_default: { vlan: { "10-12": {} } } } } } } },
        /trunk VLAN 11 is not in bridge/,
      );
      await expectInvalid({ interface: { "swp1\n": {} } }, /control character/);
    });

    it("rejects malformed route targets, prefixes and next hops", async () => {
      await expectInvalid(
        {
          vrf: {
            RED: {
              router: { bgp: { "route-import": { "from-evpn": { "route-target": { "65000-4001": {} } } } } },
            },
          },
        },
        /route target "65000-4001"/,
      );
      await expectInvalid(
        { vrf: { RED: { router: { static: { "10.9.9.0/24": { via: { "10.1.10.300": {} } } } } } } },
        /next hop "10.1.10.300"/,
      );
      await expectInvalid({ vrf: { RED: { router: { static: { "10.9.9.0": {} } } } } }, /prefix "10.9.9.0"/);
    });

    it("accepts range keys, the documented VPC shapes and ECMP static routes", async () => {
      const tree = {
        vrf: {
          RED: {
            ...VRF_RED,
            router: {
              ...VRF_RED.router,
              static: { "192.0.2.10/32": { via: { "10.1.10.5": {}, "10.1.10.6": {} } } },
            },
          },
        },
        bridge: {
          domain: {
            br_default: {
              type: "vlan-aware",
              untagged: 1,
              vlan: { "10": { vni: { "10010": {} } }, "20,21": {}, "30-32": {}, "40": { vni: { auto: {} } } },
              "vlan-vni-offset": 10000,
            },
          },
        },
        interface: {
          lo: { type: "loopback", ip: { address: { "10.0.0.1/32": {} } } },
          eth0: {},
          vlan10: {
            type: "svi",
            vlan: 10,
            ip: {
              vrf: "RED",
              address: { "10.1.10.2/24": {} },
              vrr: { enable: "on", address: { "10.1.10.1/24": {} }, "mac-address": "00:00:5E:00:01:00" },
            },
          },
          swp1: { bridge: { domain: { br_default: { access: 31 } } } },
          swp2: { bridge: { domain: { br_default: { vlan: { "20": {}, "30-32": {} }, untagged: "none" } } } },
          bond1: {
            type: "bond",
            bond: { member: { swp3: {}, swp4: {} } },
            bridge: { domain: { br_default: { access: 21 } } },
          },
        },
      };
      const rev = await applyTree(sim, "leaf1", tree);
      assert.equal(rev["state"], "applied", JSON.stringify(rev));
      assert.deepEqual(sim.applied("leaf1"), tree);
    });
  });

  it("serializes applies on one switch and layers each revision over the config applied before it", async () => {
    sim.setKnobs({ applyMs: 150 });
    const c = api(sim);
    const r1 = await c.newRevision();
    const r2 = await c.newRevision();
    await c.patch(r1, "/bridge/domain/br_default/vlan/10", { vni: { "10010": {} } });
    await c.patch(r2, "/bridge/domain/br_default/vlan/20", { vni: { "10020": {} } });
    const other = api(sim, "leaf2");
    const r3 = await other.newRevision();
    await other.patch(r3, "/bridge/domain/br_default/vlan/30", {});
    const t0 = Date.now();
    await Promise.all([c.apply(r1), c.apply(r2), other.apply(r3)]);
    await new Promise((res) => setTimeout(res, 220));
    assert.equal((await c.revision(r1))["state"], "applied");
    assert.equal((await c.revision(r2))["state"], "apply", "the second apply waits for the first");
    assert.equal((await other.revision(r3))["state"], "applied", "other switches apply in parallel");
    assert.equal((await c.waitFor(r2))["state"], "applied");
    assert.ok(Date.now() - t0 >= 290, `two applies took ${Date.now() - t0} ms`);
    assert.deepEqual(
      Object.keys(
        (sim.applied("leaf1") as { bridge: { domain: { br_default: { vlan: Json } } } }).bridge.domain
          .br_default.vlan,
      ),
      ["10", "20"],
    );
    assert.equal(sim.applyCount("leaf1"), 2);
    assert.equal(sim.applyCount("leaf2"), 1);
  });

  it("reads a revision created before an apply as changes over the applied config", async () => {
    const c = api(sim);
    const r1 = await c.newRevision();
    const r2 = await c.newRevision();
    await c.patch(r1, "/vrf/RED", VRF_RED);
    await c.patch(r2, "/vrf/BLUE", { evpn: { vni: { "4002": {} } } });
    await c.apply(r1);
    await c.waitFor(r1);
    assert.deepEqual(Object.keys(((await c.get("/vrf", r2)).body as Json) ?? {}).sort(), ["BLUE", "RED"]);
  });

  it("picks up out-of-band changes made with setApplied", async () => {
    const c = api(sim);
    sim.setApplied("leaf1", ["vrf", "RED"], VRF_RED);
    assert.deepEqual((await c.get("/vrf/RED")).body, VRF_RED);
    sim.setApplied("leaf1", ["vrf", "RED", "evpn", "vni"], { "4009": {} });
    assert.deepEqual((await c.get("/vrf/RED/evpn/vni")).body, { "4009": {} });
    sim.setApplied("leaf1", ["vrf", "RED", "router"], null);
    assert.deepEqual(Object.keys((await c.get("/vrf/RED")).body as Json), ["evpn"]);
    assert.equal(sim.applyCount("leaf1"), 0);
  });

  describe("fault knobs", () => {
    it("answers 503 at rate5xx = 1 and logs the injection", async () => {
      sim.setKnobs({ rate5xx: 1, seed: 7 });
      const r = await api(sim).call("POST", "/revision");
      assert.equal(r.status, 503);
      assert.equal(sim.requests.at(-1)?.injected, "5xx");
      sim.setKnobs({ rate5xx: 0 });
      const list = await api(sim).call("GET", "/revision");
      assert.deepEqual(list.body, {}, "the failed POST created nothing");
    });

    it("injects a fraction of 5xx reproducibly with a seed", async () => {
      const statuses = async () => {
        sim.setKnobs({ rate5xx: 0.5, seed: 42 });
        const out: number[] = [];
        for (let i = 0; i < 20; i++) out.push((await api(sim).call("GET", "/revision")).status);
        return out;
      };
      const a = await statuses();
      const b = await statuses();
      assert.deepEqual(a, b);
      assert.ok(a.includes(503) && a.includes(200), JSON.stringify(a));
    });

    it("follows fault rules: N failures on matching requests, then normal service", async () => {
      sim.setKnobs({
        faults: [
          { switch: "leaf1", method: "POST", path: "^/revision$", mode: "500", times: 2 },
          { method: "GET", path: "^/vrf", mode: "drop", times: 1 },
        ],
      });
      const c = api(sim);
      assert.equal((await c.call("POST", "/revision")).status, 500);
      assert.equal((await api(sim, "leaf2").call("POST", "/revision")).status, 200, "rule is for leaf1 only");
      assert.equal((await c.call("POST", "/revision")).status, 500);
      assert.equal((await c.call("POST", "/revision")).status, 200);
      await assert.rejects(c.get("/vrf"));
      assert.equal(sim.requests.at(-1)?.injected, "drop");
      assert.equal((await c.get("/vrf")).status, 404);
    });

    it("drop-after performs the change but loses the answer", async () => {
      sim.setKnobs({ faults: [{ path: "^/revision$", method: "POST", mode: "drop-after", times: 1 }] });
      const c = api(sim);
      await assert.rejects(c.call("POST", "/revision"));
      const list = (await c.call("GET", "/revision")).body as Json;
      assert.equal(Object.keys(list).length, 1, "the revision exists although the client saw no answer");
    });

    it("adds latency", async () => {
      sim.setKnobs({ latencyMs: 80 });
      const t0 = Date.now();
      await api(sim).call("GET", "/revision");
      assert.ok(Date.now() - t0 >= 75);
    });
  });
});

describe("NVUE simulator state file", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "nvue-sim-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("persists applied configs, counters and revisions, and reloads them; never the password", async () => {
    const stateFile = join(dir, "nvue.json");
    const opts = {
      switches: SWITCHES,
      credentials: { username: USER, password: PASS },
      knobs: { applyMs: 20 },
      stateFile,
    };
    const first = await startNvueSimulator(opts);
    const applied = await applyTree(first, "leaf1", { vrf: { RED: VRF_RED } });
    assert.equal(applied["state"], "applied");
    const c1 = api(first);
    const pending = await c1.newRevision();
    await c1.patch(pending, "/vrf/BLUE", { evpn: { enable: "on", vni: { "4002": {} } } });
    const invalid = await applyTree(first, "leaf2", { interface: { swp99: {} } });
    assert.equal(invalid["state"], "invalid");
    const before = { leaf1: first.applied("leaf1"), leaf2: first.applied("leaf2") };
    await first.close();

    const text = readFileSync(stateFile, "utf8");
    assert.ok(!text.includes(PASS), "the state file holds no password");
    assert.ok(!text.includes(Buffer.from(`${USER}:${PASS}`).toString("base64")));

    const second = await startNvueSimulator({ ...opts, port: undefined });
    try {
      assert.deepEqual(second.applied("leaf1"), before.leaf1);
      assert.deepEqual(second.applied("leaf2"), before.leaf2);
      assert.equal(second.applyCount("leaf1"), 1);
      const c2 = api(second);
      assert.equal((await c2.revision(pending))["state"], "pending");
      assert.deepEqual((await c2.get("/vrf/BLUE/evpn/vni", pending)).body, { "4002": {} });
      const list = (await api(second, "leaf2").call("GET", "/revision")).body as Record<string, Json>;
      assert.deepEqual(
        Object.values(list).map((r) => r["state"]),
        ["invalid"],
      );
      await c2.apply(pending);
      assert.equal((await c2.waitFor(pending))["state"], "applied");
      assert.equal(second.applyCount("leaf1"), 2);
      assert.ok(!JSON.stringify(second.requests).includes(PASS));
    } finally {
      await second.close();
    }
    assert.ok(!readFileSync(stateFile, "utf8").includes(PASS));
  });

  it("resumes an apply that was in flight when the simulator stopped", async () => {
    const stateFile = join(dir, "nvue.json");
    const opts = { switches: SWITCHES, credentials: { username: USER, password: PASS }, stateFile };
    const first = await startNvueSimulator({ ...opts, knobs: { applyMs: 10_000 } });
    const c = api(first);
    const rev = await c.newRevision();
    await c.patch(rev, "/vrf/RED", VRF_RED);
    await c.apply(rev);
    await first.close();
    const second = await startNvueSimulator({ ...opts, knobs: { applyMs: 20 } });
    try {
      assert.equal((await api(second).waitFor(rev))["state"], "applied");
      assert.deepEqual((second.applied("leaf1") as { vrf: Json }).vrf["RED"], VRF_RED);
    } finally {
      await second.close();
    }
  });
});
