import assert from "node:assert/strict";
import { loadBundledSpec, loadMetalContract, METAL_SPEC_PATH } from "./openapi";
import type { MetalContract } from "./openapi";
import { assertTrafficMatchesSpec, checkTraffic } from "./traffic";
import type { LoggedExchange } from "./traffic";

const PROJECT = "6a9c5e1f-1b2c-4d3e-8f90-123456789abc";
const VRF = "0f1e2d3c-4b5a-4697-8877-665544332211";
const PORT = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
const VLAN = "11111111-2222-4333-8444-555555555555";
const RESERVATION = "99999999-8888-4777-8666-555555555555";

const validVrfCreate = { name: "vpc-a", metro: "da", ip_ranges: ["10.0.0.0/16"], tags: ["anyvpc"] };

const validVrf = {
  id: VRF,
  name: "vpc-a",
  description: "managed by anyvpc",
  bill: false,
  local_asn: 65000,
  ip_ranges: ["10.0.0.0/16"],
  virtual_circuits: [],
  metro: { id: "8ea03255-89f9-4e62-9d3f-8817db82ceed", code: "da", name: "Dallas", country: "US" },
  project: { href: `/metal/v1/projects/${PROJECT}` },
  href: `/metal/v1/vrfs/${VRF}`,
  created_at: "2024-09-16T10:00:00Z",
  updated_at: "2024-09-16T10:00:00Z",
  tags: ["anyvpc"],
};

/** Joins the messages of all violations, for regex assertions. */
function messages(violations: { errors: string[] }[]): string {
  return violations.flatMap((v) => v.errors).join("\n");
}

describe("Equinix Metal contract (vendor OpenAPI spec)", () => {
  let contract: MetalContract;

  before(async () => {
    contract = await loadMetalContract();
  });

  describe("loading", () => {
    it("bundles every file into one document whose refs are all internal", () => {
      const doc = loadBundledSpec(METAL_SPEC_PATH);
      const paths = doc.paths as Record<string, unknown>;
      const schemas = (doc.components as { schemas: Record<string, unknown> }).schemas;
      assert.ok(Object.keys(paths).length > 100);
      assert.ok("/projects/{id}/vrfs" in paths);
      const refs: string[] = [];
      const walk = (node: unknown): void => {
        if (Array.isArray(node)) node.forEach(walk);
        else if (typeof node === "object" && node !== null) {
          for (const [key, value] of Object.entries(node)) {
            if (key === "$ref" && typeof value === "string") refs.push(value);
            else walk(value);
          }
        }
      };
      walk(doc);
      assert.ok(refs.length > 500);
      for (const ref of refs) {
        assert.match(ref, /^#\/components\/schemas\/[A-Za-z0-9]+$/);
        assert.ok(ref.slice("#/components/schemas/".length) in schemas, `dangling ${ref}`);
      }
      // Recursion stays a ref instead of being expanded.
      const device = schemas.Device as { properties: Record<string, unknown> };
      assert.deepEqual(device.properties.project, { $ref: "#/components/schemas/Project" });
    });

    it("is memoized", async () => {
      assert.equal(await loadMetalContract(), contract);
    });
  });

  describe("operationFor", () => {
    it("maps concrete paths with uuids to spec templates", () => {
      assert.equal(contract.operationFor("POST", `/projects/${PROJECT}/vrfs`), "POST /projects/{id}/vrfs");
      assert.equal(contract.operationFor("get", `/vrfs/${VRF}`), "GET /vrfs/{id}");
      assert.equal(contract.operationFor("DELETE", `/vrfs/${VRF}`), "DELETE /vrfs/{id}");
      assert.equal(
        contract.operationFor("GET", `/projects/${PROJECT}/ips?types=vrf`),
        "GET /projects/{id}/ips",
      );
    });

    it("prefers literal segments over parameters", () => {
      assert.equal(
        contract.operationFor("POST", `/ports/${PORT}/vlan-assignments/batches`),
        "POST /ports/{id}/vlan-assignments/batches",
      );
      assert.equal(
        contract.operationFor("GET", `/ports/${PORT}/vlan-assignments/batches`),
        "GET /ports/{id}/vlan-assignments/batches",
      );
      assert.equal(
        contract.operationFor("GET", `/ports/${PORT}/vlan-assignments/${VLAN}`),
        "GET /ports/{id}/vlan-assignments/{assignment_id}",
      );
    });

    it("returns undefined for unknown paths and methods", () => {
      assert.equal(contract.operationFor("GET", "/no-such-thing"), undefined);
      assert.equal(contract.operationFor("GET", `/vrfs/${VRF}/nope`), undefined);
      assert.equal(contract.operationFor("PATCH", `/vrfs/${VRF}`), undefined);
      assert.equal(contract.operationFor("GET", `/metal/v1/vrfs/${VRF}`), undefined);
    });
  });

  describe("POST /projects/{id}/vrfs request", () => {
    const path = `/projects/${PROJECT}/vrfs`;

    it("accepts a valid body", () => {
      assert.deepEqual(contract.checkRequest("POST", path, validVrfCreate), []);
    });

    // Mutation tests: dropping a required field must make the contract check fail.
    it("rejects the body without the required metro", () => {
      const { metro: _metro, ...body } = validVrfCreate;
      const violations = contract.checkRequest("POST", path, body);
      assert.equal(violations.length, 1);
      assert.equal(violations[0]?.operation, "POST /projects/{id}/vrfs");
      assert.equal(violations[0]?.where, "request");
      assert.match(messages(violations), /must have required property 'metro'/);
    });

    it("rejects the body without the required name", () => {
      const { name: _name, ...body } = validVrfCreate;
      assert.match(messages(contract.checkRequest("POST", path, body)), /must have required property 'name'/);
    });

    it("rejects a wrong type with the instance path", () => {
      const violations = contract.checkRequest("POST", path, { ...validVrfCreate, ip_ranges: "10.0.0.0/16" });
      assert.match(messages(violations), /body\/ip_ranges must be array/);
    });

    it("rejects a missing required body", () => {
      assert.match(messages(contract.checkRequest("POST", path, undefined)), /required but none was sent/);
    });

    it("rejects a body where the spec defines none", () => {
      assert.deepEqual(contract.checkRequest("GET", `/vrfs/${VRF}`, undefined), []);
      assert.match(
        messages(contract.checkRequest("GET", `/vrfs/${VRF}`, { x: 1 })),
        /defines no request body/,
      );
      assert.match(
        messages(contract.checkRequest("POST", `/ports/${PORT}/bond`, {})),
        /defines no request body/,
      );
    });

    it("reports an unknown operation", () => {
      const violations = contract.checkRequest("POST", "/nope", {});
      assert.equal(violations[0]?.operation, "POST /nope");
      assert.match(messages(violations), /no operation in the spec/);
    });
  });

  describe("VRF responses", () => {
    it("GET /vrfs/{id} 200 accepts a Vrf", () => {
      assert.deepEqual(contract.checkResponse("GET", `/vrfs/${VRF}`, 200, validVrf), []);
    });

    it("GET /vrfs/{id} 200 rejects wrong types and formats", () => {
      const violations = contract.checkResponse("GET", `/vrfs/${VRF}`, 200, {
        ...validVrf,
        id: "not-a-uuid",
        local_asn: "65000",
        created_at: "yesterday",
      });
      assert.equal(violations.length, 1);
      assert.equal(violations[0]?.status, 200);
      assert.equal(violations[0]?.where, "response");
      const text = messages(violations);
      assert.match(text, /body\/id must match format "uuid"/);
      assert.match(text, /body\/local_asn must be integer/);
      assert.match(text, /body\/created_at must match format "date-time"/);
    });

    it("an error status must carry the Error schema", () => {
      assert.deepEqual(contract.checkResponse("GET", `/vrfs/${VRF}`, 404, { errors: ["Not found"] }), []);
      assert.notDeepEqual(contract.checkResponse("GET", `/vrfs/${VRF}`, 404, { errors: "Not found" }), []);
    });

    it("DELETE /vrfs/{id} 204 must have no body", () => {
      assert.deepEqual(contract.checkResponse("DELETE", `/vrfs/${VRF}`, 204, undefined), []);
      assert.deepEqual(contract.checkResponse("DELETE", `/vrfs/${VRF}`, 204, ""), []);
      assert.match(
        messages(contract.checkResponse("DELETE", `/vrfs/${VRF}`, 204, validVrf)),
        /declared without a body/,
      );
    });

    it("an undeclared status is a violation", () => {
      const violations = contract.checkResponse("DELETE", `/vrfs/${VRF}`, 418, undefined);
      assert.equal(violations[0]?.status, 418);
      assert.match(messages(violations), /status 418 is not declared/);
      // Rate limiting is declared on only a couple of operations.
      assert.match(messages(contract.checkResponse("GET", `/vrfs/${VRF}`, 429, {})), /not declared/);
    });

    it("a declared JSON body must be present", () => {
      assert.match(
        messages(contract.checkResponse("GET", `/vrfs/${VRF}`, 200, undefined)),
        /declares a body, but none was sent/,
      );
    });

    it("nested resources may be href stubs, the top-level body may not", () => {
      const withStub = { ...validVrf, virtual_circuits: [{ href: "/metal/v1/virtual-circuits/x" }] };
      assert.deepEqual(contract.checkResponse("GET", `/vrfs/${VRF}`, 200, withStub), []);
      const badStub = { ...validVrf, virtual_circuits: [{ href: "/x", extra: true }] };
      assert.notDeepEqual(contract.checkResponse("GET", `/vrfs/${VRF}`, 200, badStub), []);
      // POST /projects/{id}/ips answers an IPReservation or VrfIpReservation, both of which require `type`.
      assert.notDeepEqual(
        contract.checkResponse("POST", `/projects/${PROJECT}/ips`, 201, { href: "/metal/v1/ips/x" }),
        [],
      );
    });
  });

  describe("other VPC operations", () => {
    it("POST /projects/{id}/virtual-networks", () => {
      const path = `/projects/${PROJECT}/virtual-networks`;
      assert.equal(contract.operationFor("POST", path), "POST /projects/{id}/virtual-networks");
      const body = { metro: "da", vxlan: 1099, description: "vpc-a", tags: ["anyvpc"] };
      assert.deepEqual(contract.checkRequest("POST", path, body), []);
      // No field is required, but types are enforced.
      assert.deepEqual(contract.checkRequest("POST", path, {}), []);
      assert.match(
        messages(contract.checkRequest("POST", path, { ...body, vxlan: "1099" })),
        /body\/vxlan must be integer/,
      );
      const created = { id: VLAN, vxlan: 1099, metro_code: "da", description: "vpc-a", instances: [] };
      assert.deepEqual(contract.checkResponse("POST", path, 201, created), []);
      assert.notDeepEqual(contract.checkResponse("POST", path, 201, { ...created, vxlan: "1099" }), []);
    });

    it("POST /ports/{id}/vlan-assignments/batches", () => {
      const path = `/ports/${PORT}/vlan-assignments/batches`;
      const body = { vlan_assignments: [{ vlan: "1099", state: "assigned", native: false }] };
      assert.deepEqual(contract.checkRequest("POST", path, body), []);
      const badState = { vlan_assignments: [{ vlan: "1099", state: "attached" }] };
      assert.match(
        messages(contract.checkRequest("POST", path, badState)),
        /body\/vlan_assignments\/0\/state must be equal to one of the allowed values/,
      );
      assert.match(
        messages(contract.checkRequest("POST", path, { vlan_assignments: [{ vlan: 1099 }] })),
        /body\/vlan_assignments\/0\/vlan must be string/,
      );
      const batch = {
        id: RESERVATION,
        state: "queued",
        quantity: 1,
        port: { href: `/metal/v1/ports/${PORT}` },
      };
      assert.deepEqual(contract.checkResponse("POST", path, 201, batch), []);
      assert.notDeepEqual(contract.checkResponse("POST", path, 201, { ...batch, state: "done" }), []);
    });

    it("POST /projects/{id}/ips (oneOf IPReservationRequestInput | VrfIpReservationCreateInput)", () => {
      const path = `/projects/${PROJECT}/ips`;
      const vrfBody = { type: "vrf", vrf_id: VRF, network: "10.0.1.0", cidr: 24 };
      assert.deepEqual(contract.checkRequest("POST", path, vrfBody), []);
      // Without cidr the VRF branch fails, and the other branch fails for lack of `quantity`.
      const { cidr: _cidr, ...noCidr } = vrfBody;
      const text = messages(contract.checkRequest("POST", path, noCidr));
      assert.match(text, /must have required property 'cidr'/);
      assert.match(text, /must match a schema in anyOf/);
      assert.notDeepEqual(contract.checkRequest("POST", path, { ...vrfBody, cidr: "24" }), []);
      // A public reservation request matches the first branch.
      assert.deepEqual(
        contract.checkRequest("POST", path, { type: "public_ipv4", quantity: 8, metro: "da" }),
        [],
      );
      // What the spec cannot tell apart: IPReservationRequestInput.type is any string, so a "vrf" body
      // that carries `quantity` instead of vrf_id/network/cidr is valid by the spec.
      assert.deepEqual(contract.checkRequest("POST", path, { type: "vrf", quantity: 1 }), []);
      const reservation = {
        id: RESERVATION,
        type: "vrf",
        network: "10.0.1.0",
        cidr: 24,
        gateway: "10.0.1.1",
        state: "created",
        vrf: { href: `/metal/v1/vrfs/${VRF}` },
      };
      assert.deepEqual(contract.checkResponse("POST", path, 201, reservation), []);
      const { vrf: _vrf, ...noVrf } = reservation;
      assert.notDeepEqual(contract.checkResponse("POST", path, 201, noVrf), []);
    });

    it("oneOf bodies that satisfy several overlapping branches are accepted", () => {
      // A VRF gateway body is valid for both MetalGatewayCreateInput and VrfMetalGatewayCreateInput;
      // strict oneOf would reject it, although it is exactly what the API documents.
      const path = `/projects/${PROJECT}/metal-gateways`;
      const body = { virtual_network_id: VLAN, ip_reservation_id: RESERVATION };
      assert.deepEqual(contract.checkRequest("POST", path, body), []);
      assert.notDeepEqual(contract.checkRequest("POST", path, { ip_reservation_id: RESERVATION }), []);
      const gateway = {
        id: RESERVATION,
        state: "ready",
        ip_reservation: { href: `/metal/v1/ips/${RESERVATION}` },
        virtual_network: { href: `/metal/v1/virtual-networks/${VLAN}` },
        vrf: { href: `/metal/v1/vrfs/${VRF}` },
      };
      assert.deepEqual(contract.checkResponse("GET", `/metal-gateways/${RESERVATION}`, 200, gateway), []);
      assert.notDeepEqual(
        contract.checkResponse("GET", `/metal-gateways/${RESERVATION}`, 200, { ...gateway, state: "up" }),
        [],
      );
    });

    it("nullable fields accept null (also together with an enum)", () => {
      const bgp = `/projects/${PROJECT}/bgp-config`;
      const config = { id: RESERVATION, status: "enabled", asn: 65000, deployment_type: "local", md5: null };
      assert.deepEqual(contract.checkResponse("GET", bgp, 200, config), []);
      assert.notDeepEqual(contract.checkResponse("GET", bgp, 200, { ...config, md5: 5 }), []);
      const vc = `/virtual-circuits/${RESERVATION}`;
      assert.deepEqual(contract.checkResponse("GET", vc, 200, { id: RESERVATION, bill_type: null }), []);
      assert.deepEqual(
        contract.checkResponse("GET", vc, 200, { id: RESERVATION, bill_type: "metal_billed" }),
        [],
      );
      assert.notDeepEqual(contract.checkResponse("GET", vc, 200, { id: RESERVATION, bill_type: "free" }), []);
    });

    it("GET /projects/{id}/bgp-config may answer 200 with an empty body", () => {
      assert.deepEqual(contract.checkResponse("GET", `/projects/${PROJECT}/bgp-config`, 200, undefined), []);
      assert.deepEqual(contract.checkResponse("GET", `/projects/${PROJECT}/bgp-config`, 200, ""), []);
      // Only there: other JSON responses still need their body.
      assert.notDeepEqual(contract.checkResponse("GET", `/projects/${PROJECT}/vrfs`, 200, undefined), []);
    });
  });

  describe("checkTraffic", () => {
    function exchange(seq: number, partial: Partial<LoggedExchange>): LoggedExchange {
      return {
        seq,
        method: "GET",
        path: `/metal/v1${partial.apiPath ?? ""}`,
        apiPath: "",
        query: {},
        requestHeaders: {},
        requestBody: undefined,
        status: 200,
        responseBody: undefined,
        responseHeaders: {},
        requestId: `req-${seq}`,
        ...partial,
      };
    }

    const vrfs = `/projects/${PROJECT}/vrfs`;
    const { metro: _metro, ...noMetro } = validVrfCreate;
    const { name: _name, ...noName } = validVrfCreate;
    const log: LoggedExchange[] = [
      // 1: fine.
      exchange(1, {
        method: "POST",
        apiPath: vrfs,
        requestBody: validVrfCreate,
        status: 201,
        responseBody: validVrf,
      }),
      // 2: the client dropped a required field (the simulator answered 422 with an Error, which is fine).
      exchange(2, {
        method: "POST",
        apiPath: vrfs,
        requestBody: noMetro,
        status: 422,
        responseBody: { errors: ["x"] },
      }),
      // 3: the simulator answered with a malformed Vrf.
      exchange(3, { apiPath: `/vrfs/${VRF}`, responseBody: { ...validVrf, local_asn: "65000" } }),
      // 4: an injected 500 (undeclared for this operation) is not the API's answer: skipped.
      exchange(4, { apiPath: `/vrfs/${VRF}`, status: 500, responseBody: "boom", injected: "5xx" }),
      // 5: a dropped connection has no response to check.
      exchange(5, { method: "DELETE", apiPath: `/vrfs/${VRF}`, status: 0, injected: "drop" }),
      // 6: an injected 429, but its request body still counts.
      exchange(6, { method: "POST", apiPath: vrfs, requestBody: noName, status: 429, injected: "429" }),
      // 7: a path the spec does not know, reported once.
      exchange(7, { apiPath: "/vpcs", status: 200, responseBody: {} }),
      // 8: fine.
      exchange(8, { method: "DELETE", apiPath: `/vrfs/${VRF}`, status: 204 }),
    ];

    it("reports dropped required fields and bad responses, skipping injected faults", () => {
      const violations = checkTraffic(contract, log);
      assert.deepEqual(
        violations.map((v) => [v.seq, v.where, v.operation]),
        [
          [2, "request", "POST /projects/{id}/vrfs"],
          [3, "response", "GET /vrfs/{id}"],
          [6, "request", "POST /projects/{id}/vrfs"],
          [7, "request", "GET /vpcs"],
        ],
      );
      assert.match(violations[0]?.errors.join() ?? "", /required property 'metro'/);
      assert.equal(violations[1]?.status, 200);
      assert.match(violations[2]?.errors.join() ?? "", /required property 'name'/);
    });

    it("assertTrafficMatchesSpec throws an AssertionError listing the violations", async () => {
      await assert.rejects(assertTrafficMatchesSpec(log), (error: unknown) => {
        assert.ok(error instanceof assert.AssertionError);
        assert.match(error.message, /^4 contract violation\(s\)/);
        assert.match(error.message, /#2 POST \/projects\/\{id\}\/vrfs request \(request id req-2\)/);
        assert.match(error.message, /body\/local_asn must be integer/);
        return true;
      });
      await assertTrafficMatchesSpec(log.filter((e) => [1, 4, 5, 8].includes(e.seq)));
    });

    it("lists at most 20 violations", async () => {
      const many = Array.from({ length: 25 }, (_, i) => exchange(i + 1, { apiPath: "/nope" }));
      await assert.rejects(assertTrafficMatchesSpec(many), /and 5 more$/);
    });
  });
});
