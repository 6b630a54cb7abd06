// NVUE write combining and intent: merging changes into one PATCH document must equal applying them
// in order (property test), and no name or description can escape its JSON field or path.
import assert from "node:assert/strict";
import fc from "fast-check";
import type { ConfigTree, ConfigValue } from "../../provider/drivers/nvue/client";
import { portChanges, subnetChanges, vrfChanges } from "../../provider/drivers/nvue/intent";
import {
  emptyPlan,
  mergeChange,
  type ConfigChange,
  type RevisionPlan,
} from "../../provider/drivers/nvue/revisions";

/** NVUE's PATCH semantics, as the reference: objects merge, scalars replace, null deletes. */
function patch(target: ConfigTree, key: string, value: ConfigValue): void {
  if (value === null) {
    delete target[key];
    return;
  }
  const existing = target[key];
  if (typeof value === "object" && typeof existing === "object" && existing !== null) {
    for (const [k, v] of Object.entries(value)) patch(existing, k, v);
    return;
  }
  target[key] = typeof value === "object" ? stripNulls(value) : value;
}
function stripNulls(v: ConfigTree): ConfigTree {
  const out: ConfigTree = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = typeof x === "object" ? stripNulls(x) : x;
  return out;
}
function applyChange(config: ConfigTree, c: ConfigChange): void {
  let node = config;
  for (const seg of c.path.slice(0, -1)) {
    if (c.value === null && (typeof node[seg] !== "object" || node[seg] === null)) return;
    if (typeof node[seg] !== "object" || node[seg] === null) node[seg] = {};
    node = node[seg] as ConfigTree;
  }
  patch(node, c.path[c.path.length - 1]!, c.value);
}

const key = fc.constantFrom("a", "b", "c");
const leaf: fc.Arbitrary<ConfigValue> = fc.oneof(
  fc.constantFrom("on", "off"),
  fc.integer({ min: 1, max: 9 }),
  fc.constant(null),
);
const tree: fc.Arbitrary<ConfigValue> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: "small" }, leaf, fc.dictionary(key, tie("node"), { maxKeys: 2 })),
})).node as fc.Arbitrary<ConfigValue>;
const change: fc.Arbitrary<ConfigChange> = fc.record({
  path: fc.array(key, { minLength: 1, maxLength: 3 }),
  value: tree,
});

describe("NVUE write combining", () => {
  it("a merged PATCH document has the effect of applying its changes in order (1,000 runs)", () => {
    fc.assert(
      fc.property(
        fc.dictionary(key, tree, { maxKeys: 3 }),
        fc.array(change, { maxLength: 8 }),
        (startRaw, changes) => {
          const start = stripNulls(startRaw as ConfigTree);
          let doc: RevisionPlan = emptyPlan;
          const accepted: ConfigChange[] = [];
          for (const c of changes) {
            const next = mergeChange(doc, c);
            if (!next) break; // the combiner starts a new revision here
            doc = next;
            accepted.push(c);
          }
          const sequential = structuredClone(start);
          for (const c of accepted) applyChange(sequential, c);
          // What the combiner stages: one PATCH of the sets, then a DELETE per unset path.
          const { sets, deletes } = doc;
          const merged = structuredClone(start);
          for (const [k, v] of Object.entries(sets)) patch(merged, k, v);
          for (const path of deletes) applyChange(merged, { path, value: null });
          assert.deepEqual(merged, sequential);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("refuses to merge a write beneath a key an earlier change unsets", () => {
    const doc = mergeChange(emptyPlan, { path: ["vrf", "red"], value: null })!;
    assert.equal(mergeChange(doc, { path: ["vrf", "red", "evpn"], value: { enable: "on" } }), undefined);
  });
});

describe("NVUE intent", () => {
  it("maps a VPC, a subnet and an access port to NVUE paths", () => {
    assert.deepEqual(
      vrfChanges({ vrf: "prod", l3Vni: 4001, routeTarget: "65000:4001", asn: 65000 })[0]!.path,
      ["vrf", "prod"],
    );
    const subnet = subnetChanges({ vrf: "prod", vlan: 10, vni: 10010, gateways: ["10.1.10.1/24"] });
    assert.deepEqual(
      subnet.map((c) => c.path.join(".")),
      ["bridge.domain.br_default.vlan.10", "interface.vlan10"],
    );
    assert.deepEqual(portChanges({ port: "swp5", vlan: 10, mode: "access" })[0]!.value, { access: 10 });
  });

  it("rejects names that could address another object or escape their field", () => {
    for (const vrf of ["red/../blue", "red\nvrf", 'red"', "a".repeat(16), "", "red%2Fblue"]) {
      assert.throws(
        () => vrfChanges({ vrf, l3Vni: 4001, routeTarget: "65000:4001", asn: 65000 }),
        /VRF name .* is not allowed/,
      );
    }
    for (const port of ["swp1/../swp2", "swp1\n", "../vrf", "swp1 "]) {
      assert.throws(() => portChanges({ port, vlan: 10, mode: "access" }), /interface .* is not allowed/);
    }
    assert.throws(
      () => subnetChanges({ vrf: "prod", vlan: 10, vni: 10, gateways: [], description: "web\nvrf red" }),
      /description/,
    );
  });

  it("keeps a description with quotes and braces a plain JSON string value", () => {
    const tricky = 'web "tier" }, "vrf": {"evil": {} ';
    const [, svi] = subnetChanges({
      vrf: "prod",
      vlan: 10,
      vni: 10,
      gateways: ["10.1.10.1/24"],
      description: tricky,
    });
    const wire = JSON.parse(JSON.stringify(svi!.value)) as { description: string; ip: { vrf: string } };
    assert.equal(wire.description, tricky);
    assert.equal(wire.ip.vrf, "prod");
    assert.deepEqual(Object.keys(wire).sort(), ["description", "ip", "type", "vlan"]);
  });
});
