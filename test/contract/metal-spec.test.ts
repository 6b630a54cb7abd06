import assert from "node:assert/strict";
import { METAL_ONE_OF_AMBIGUITIES } from "./metal-ambiguities";
import { loadBundledSpec, loadMetalContract, METAL_SPEC_PATH } from "./openapi";
import type { MetalContract } from "./openapi";
import { assertTrafficMatchesSpec, checkTraffic } from "./traffic";
import type { LoggedExchange } from "./traffic";

const PROJECT = "6a9c5e1f-1b2c-4d3e-8f90-123456789abc";
const VRF = "0f1e2d3c-4b5a-4697-8877-665544332211";
const PORT = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
const VLAN = "11111111-2222-4333-8444-555555555555";
const RESERVATION = "99999999-8888-4777-8666-555555555555";

const GATEWAY = "77777777-6666-4555-8444-333333333333";
const CIRCUIT = "55555555-4444-4333-8222-111111111111";

const validVrfCreate = { name: "vpc-a", metro: "da", ip_ranges: ["10.0.0.0/16"], tags: ["anyvpc"] };

const metro = { id: "8ea03255-89f9-4e62-9d3f-8817db82ceed", code: "da", name: "Dallas", country: "US" };
/** A nested Project as the simulator renders it when not included: the resource, brief. */
const briefProject = { id: PROJECT, name: "anyvpc", href: `/metal/v1/projects/${PROJECT}` };
/** A nested Vrf, brief (no virtual_circuits). */
const briefVrf = {
  id: VRF,
  name: "vpc-a",
  href: `/metal/v1/vrfs/${VRF}`,
  local_asn: 65000,
  ip_ranges: ["10.0.0.0/16"],
  metro,
  project: briefProject,
};

const validVrf = {
  id: VRF,
  name: "vpc-a",
  description: "managed by anyvpc",
  bill: false,
  local_asn: 65000,
  ip_ranges: ["10.0.0.0/16"],
  virtual_circuits: [],
  metro,
  project: briefProject,
  href: `/metal/v1/vrfs/${VRF}`,
  created_at: "2024-09-16T10:00:00Z",
  updated_at: "2024-09-16T10:00:00Z",
  tags: ["anyvpc"],
};

/** A VRF circuit as GET /virtual-circuits/{id} answers it. */
const vrfCircuit = {
  id: CIRCUIT,
  href: `/metal/v1/virtual-circuits/${CIRCUIT}`,
  type: "vrf",
  nni_vlan: 1000,
  peer_asn: 65100,
  subnet: "10.0.200.0/31",
  metal_ip: "10.0.200.0",
  customer_ip: "10.0.200.1",
  status: "active",
  vrf: briefVrf,
  project: briefProject,
};

/** A VRF IP reservation (VrfIpReservation) as POST /projects/{id}/ips answers it. */
const vrfReservation = {
  id: RESERVATION,
  href: `/metal/v1/ips/${RESERVATION}`,
  type: "vrf",
  network: "10.0.1.0",
  cidr: 24,
  gateway: "10.0.1.1",
  state: "created",
  vrf: briefVrf,
  project: briefProject,
  metro,
};

/** A public block (IPReservation, which closes its properties). */
const publicReservation = {
  id: RESERVATION,
  href: `/metal/v1/ips/${RESERVATION}`,
  type: "public_ipv4",
  address: "147.28.0.0",
  network: "147.28.0.0",
  cidr: 29,
  state: "created",
  public: true,
  assignments: [],
  metro,
  project: briefProject,
  project_lite: { href: `/metal/v1/projects/${PROJECT}` },
};

/** Fills a spec template's {params} with a uuid. */
function concrete(template: string): string {
  return template.replace(/\{[^}]+\}/g, VRF);
}

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
  });

  describe("nested objects as the spec types them", () => {
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

    it("refuses an {href} stub where the spec requires the object (GET /projects/{id}/vrfs: virtual_circuits[] are VrfVirtualCircuits)", () => {
      const list = `/projects/${PROJECT}/vrfs`;
      const stubbed = { vrfs: [{ ...validVrf, virtual_circuits: [{ href: vrfCircuit.href }] }] };
      const violations = contract.checkResponse("GET", list, 200, stubbed);
      assert.equal(violations.length, 1);
      assert.match(
        messages(violations),
        /body\/vrfs\/0\/virtual_circuits\/0 is an \{href\} stub where the spec requires a VrfVirtualCircuit/,
      );
      // The circuit itself (with its VRF, which VrfVirtualCircuit requires) is what the spec wants.
      const full = { vrfs: [{ ...validVrf, virtual_circuits: [vrfCircuit] }] };
      assert.deepEqual(contract.checkResponse("GET", list, 200, full), []);
      // ... and the full object must validate: a circuit without its vrf is not a VrfVirtualCircuit.
      const { vrf: _vrf, ...noVrf } = vrfCircuit;
      const partial = { vrfs: [{ ...validVrf, virtual_circuits: [noVrf] }] };
      assert.match(
        messages(contract.checkResponse("GET", list, 200, partial)),
        /body\/vrfs\/0\/virtual_circuits\/0 must have required property 'vrf'/,
      );
    });

    it("refuses a stub even where the resource's schema has no required field (Vrf.project: Project)", () => {
      // The plain schema would take it (Project requires nothing), as the request side shows...
      assert.equal(contract.schemaValidator(ref("Project"), "request")({ href: briefProject.href }), true);
      // ... but Vrf.project is typed as the Project, not as an Href.
      const stubbed = { ...validVrf, project: { href: briefProject.href } };
      assert.match(
        messages(contract.checkResponse("GET", `/vrfs/${VRF}`, 200, stubbed)),
        /body\/project is an \{href\} stub where the spec requires a Project/,
      );
      // Through an allOf too: IPReservation.metro is allOf [Metro, {description}].
      const path = `/projects/${PROJECT}/ips`;
      assert.deepEqual(contract.checkResponse("POST", path, 201, publicReservation), []);
      assert.match(
        messages(contract.checkResponse("POST", path, 201, { ...publicReservation, metro: { href: "/m" } })),
        /body\/metro is an \{href\} stub where the spec requires a Metro/,
      );
      // The top-level body is never a stub either.
      assert.match(
        messages(contract.checkResponse("GET", `/vrfs/${VRF}`, 200, { href: validVrf.href })),
        /body is an \{href\} stub where the spec requires a Vrf/,
      );
    });

    it("accepts an {href} where the spec's schema is an Href", () => {
      const path = `/ports/${PORT}/vlan-assignments/batches`;
      const port = { id: PORT, href: `/metal/v1/ports/${PORT}`, name: "bond0", type: "NetworkBondPort" };
      // PortVlanAssignmentBatch.project is an Href; its port is a Port.
      const batch = {
        id: RESERVATION,
        state: "queued",
        quantity: 1,
        port,
        project: { href: briefProject.href },
      };
      assert.deepEqual(contract.checkResponse("POST", path, 201, batch), []);
      assert.match(
        messages(contract.checkResponse("POST", path, 201, { ...batch, port: { href: port.href } })),
        /body\/port is an \{href\} stub where the spec requires a Port/,
      );
      // IPAssignment.assigned_to and BgpSession.device are Hrefs; a stub with more than href is no stub.
      const assignment = {
        id: RESERVATION,
        address: "147.28.0.5",
        cidr: 32,
        assigned_to: { href: `/metal/v1/devices/${PORT}` },
      };
      assert.deepEqual(contract.checkResponse("POST", `/devices/${PORT}/ips`, 201, assignment), []);
      const session = {
        id: RESERVATION,
        address_family: "ipv4",
        device: { href: `/metal/v1/devices/${PORT}` },
      };
      assert.deepEqual(contract.checkResponse("POST", `/devices/${PORT}/bgp/sessions`, 201, session), []);
    });
  });

  describe("oneOf held as oneOf", () => {
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    const matches = (name: string, where: "request" | "response", body: unknown) =>
      contract.schemaValidator(ref(name), where)(body);

    it("refuses a request body that matches two branches outside the listed ambiguities (POST /projects/{id}/ips)", () => {
      const path = `/projects/${PROJECT}/ips`;
      // A VRF reservation that also carries `quantity` is an IPReservationRequestInput (type is any string)
      // and a VrfIpReservationCreateInput: valid under an anyOf rewriting, refused by the spec's oneOf.
      const both = { type: "vrf", vrf_id: VRF, network: "10.0.1.0", cidr: 24, quantity: 1 };
      assert.equal(matches("IPReservationRequestInput", "request", both), true);
      assert.equal(matches("VrfIpReservationCreateInput", "request", both), true);
      const violations = contract.checkRequest("POST", path, both);
      assert.equal(violations.length, 1);
      assert.match(messages(violations), /^body must match exactly one schema in oneOf$/m);
      // Each branch alone is fine.
      const { quantity: _quantity, ...vrfOnly } = both;
      assert.deepEqual(contract.checkRequest("POST", path, vrfOnly), []);
    });

    it("refuses a response that matches two branches outside the listed ambiguities (VirtualCircuit)", () => {
      // A VRF circuit without `type` is also a VlanVirtualCircuit (no required field, open properties).
      const { type: _type, ...untyped } = vrfCircuit;
      assert.equal(matches("VlanVirtualCircuit", "response", untyped), true);
      assert.equal(matches("VrfVirtualCircuit", "response", untyped), true);
      const circuit = `/virtual-circuits/${CIRCUIT}`;
      assert.match(
        messages(contract.checkResponse("GET", circuit, 200, untyped)),
        /body must match exactly one schema in oneOf/,
      );
      assert.deepEqual(contract.checkResponse("GET", circuit, 200, vrfCircuit), []);
      // A created block is only an IPReservation (IPAssignment's state enum has no `created`).
      assert.deepEqual(contract.checkResponse("GET", `/ips/${RESERVATION}`, 200, publicReservation), []);
    });

    it("tells gateways apart by their reservation, rendered in full", () => {
      const path = `/metal-gateways/${GATEWAY}`;
      const vlan = {
        id: VLAN,
        href: `/metal/v1/virtual-networks/${VLAN}`,
        vxlan: 1099,
        metro_code: "da",
        metro,
      };
      const vrfGateway = {
        id: GATEWAY,
        state: "ready",
        ip_reservation: vrfReservation,
        virtual_network: vlan,
        vrf: briefVrf,
        project: briefProject,
      };
      // A VrfIpReservation (type vrf) is no IPReservation (closed, type public/private/global): one branch.
      assert.deepEqual(contract.checkResponse("GET", path, 200, vrfGateway), []);
      const { vrf: _vrf, ...plain } = vrfGateway;
      assert.deepEqual(
        contract.checkResponse("GET", path, 200, { ...plain, ip_reservation: publicReservation }),
        [],
      );
      assert.notDeepEqual(contract.checkResponse("GET", path, 200, { ...vrfGateway, state: "up" }), []);
      // As a stub the reservation tells nothing (and is no reservation).
      assert.match(
        messages(contract.checkResponse("GET", path, 200, { ...vrfGateway, ip_reservation: { href: "/x" } })),
        /body\/ip_reservation is an \{href\} stub where the spec requires a VrfIpReservation/,
      );
      // Without a reservation both branches match, and no listed case covers that.
      const { ip_reservation: _r, ...bare } = vrfGateway;
      assert.match(
        messages(contract.checkResponse("GET", path, 200, bare)),
        /must match exactly one schema in oneOf/,
      );
    });

    describe("the listed ambiguities of the spec", () => {
      type Site = { operation: string; where: "request" | "response"; status?: number };
      const doc = loadBundledSpec(METAL_SPEC_PATH);
      const schemas = (doc.components as { schemas: Record<string, unknown> }).schemas;
      const at = (node: unknown, ...keys: string[]): unknown =>
        keys.reduce<unknown>(
          (value, key) =>
            typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined,
          node,
        );
      /** The oneOf branches (component names) of a body schema, through one $ref. */
      const oneOfOf = (schema: unknown): string[] | undefined => {
        const ref = at(schema, "$ref");
        const target = typeof ref === "string" ? schemas[ref.split("/").pop() ?? ""] : schema;
        const branches = at(target, "oneOf");
        if (!Array.isArray(branches)) return undefined;
        return branches.map((b) => String(at(b, "$ref")).split("/").pop() ?? "");
      };
      /** Every request and response body of the spec, with its site. */
      const bodies: { site: Site; schema: unknown }[] = [];
      for (const [template, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
        for (const [method, op] of Object.entries(item)) {
          const operation = `${method.toUpperCase()} ${template}`;
          const request = at(op, "requestBody", "content", "application/json", "schema");
          if (request !== undefined) bodies.push({ site: { operation, where: "request" }, schema: request });
          const responses = at(op, "responses");
          for (const status of Object.keys(
            typeof responses === "object" && responses !== null ? responses : {},
          )) {
            const schema = at(responses, status, "content", "application/json", "schema");
            if (schema !== undefined) {
              bodies.push({ site: { operation, where: "response", status: Number(status) }, schema });
            }
          }
        }
      }

      for (const c of METAL_ONE_OF_AMBIGUITIES) {
        const label = c.oneOf.join(" | ");

        it(`${label}: the spec has this oneOf at the listed sites, and at no other body`, () => {
          const found = bodies
            .filter((b) => JSON.stringify(oneOfOf(b.schema)) === JSON.stringify(c.oneOf))
            .map((b) => b.site);
          assert.deepEqual(found, c.sites);
          // Nor nested in a component: inline, or through a $ref to a component that is this oneOf.
          const same = (node: unknown) => JSON.stringify(oneOfOf(node)) === JSON.stringify(c.oneOf);
          const nestedSites: string[] = [];
          const walk = (node: unknown, where: string, top: boolean): void => {
            if (Array.isArray(node)) node.forEach((item) => walk(item, where, false));
            else if (typeof node === "object" && node !== null) {
              if (!top && same(node)) nestedSites.push(where);
              for (const value of Object.values(node)) walk(value, where, false);
            }
          };
          for (const [name, schema] of Object.entries(schemas)) walk(schema, name, true);
          assert.deepEqual(nestedSites, []);
          assert.ok(c.overlapping.length >= 2 && c.overlapping.every((b) => c.oneOf.includes(b)));
          assert.ok(c.overlap.length > 0 && c.unambiguous.length > 0);
        });

        it(`${label}: the ambiguity is real (the example matches ${c.overlapping.join(" and ")}; strict oneOf refuses it)`, () => {
          for (const site of c.sites) {
            for (const branch of c.oneOf) {
              assert.equal(
                matches(branch, site.where, c.example),
                c.overlapping.includes(branch),
                `${branch} ${c.overlapping.includes(branch) ? "should" : "should not"} match the example`,
              );
            }
            const strict = contract.schemaValidator({ oneOf: c.oneOf.map(ref) }, site.where);
            assert.equal(strict(c.example), false);
            assert.match(JSON.stringify(strict.errors), /must match exactly one schema in oneOf/);
          }
        });

        it(`${label}: the checker lets the example through, and only bodies the case describes`, () => {
          for (const site of c.sites) {
            const [method = "", template = ""] = site.operation.split(" ");
            const check = (body: unknown) =>
              site.where === "request"
                ? contract.checkRequest(method, concrete(template), body)
                : contract.checkResponse(method, concrete(template), site.status ?? 200, body);
            assert.deepEqual(check(c.example), []);
            // A body of the same branches that the API could read two ways is not let through.
            assert.equal(contract.schemaValidator(c.accepts, site.where)(c.counterexample), false);
            for (const branch of c.overlapping)
              assert.equal(matches(branch, site.where, c.counterexample), true);
            assert.match(messages(check(c.counterexample)), /must match exactly one schema in oneOf/);
          }
        });
      }
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
        port: { id: PORT, href: `/metal/v1/ports/${PORT}`, name: "bond0" },
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
      assert.match(text, /must match exactly one schema in oneOf/);
      assert.notDeepEqual(contract.checkRequest("POST", path, { ...vrfBody, cidr: "24" }), []);
      // A public reservation request matches the first branch.
      assert.deepEqual(
        contract.checkRequest("POST", path, { type: "public_ipv4", quantity: 8, metro: "da" }),
        [],
      );
      // What the spec cannot tell apart: IPReservationRequestInput.type is any string, so a "vrf" body
      // that carries `quantity` instead of vrf_id/network/cidr is valid by the spec.
      assert.deepEqual(contract.checkRequest("POST", path, { type: "vrf", quantity: 1 }), []);
      assert.deepEqual(contract.checkResponse("POST", path, 201, vrfReservation), []);
      const { vrf: _vrf, ...noVrf } = vrfReservation;
      assert.notDeepEqual(contract.checkResponse("POST", path, 201, noVrf), []);
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
