// The ledger's names, pinned as literal strings. These tests are a compatibility contract with ledgers
// already written: shared ledgers (file or PostgreSQL, used by several stacks and teams) hold these
// exact pool names, owner keys and record kinds, so a changed string would orphan what they hold
// (allocations never released, records never found, ports seen as held by no one). Do not edit an
// expected string here to make a test pass: raise ledgerKeysVersion and write the upgrade
// (provider/ledger/upgrade.ts) instead. Also here: no provider file writes a ledger name of its own
// as a string literal, and there is no import cycle among provider/ files.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { ledgerKeysVersion, owners, pools, portKeys, records } from "../../provider/ledger/keys";
import { idFor } from "../../provider/resources/common";

const repoRoot = path.resolve(__dirname, "..", "..");

describe("ledger keys (a compatibility contract with ledgers already written)", () => {
  it("are version 1", () => {
    assert.equal(ledgerKeysVersion, 1);
  });

  it("name the pools exactly as before", () => {
    assert.equal(pools.vpcIpv4, "vpc-ipv4");
    assert.equal(pools.vpcIpv6, "vpc-ipv6");
    assert.equal(pools.l3Vni, "l3vni");
    assert.equal(pools.l2Vni, "l2vni");
    assert.equal(pools.publicIpv4, "public-ipv4");
    assert.equal(pools.vpcIpv4Space("vpc-89a71bea4c14"), "vpc/vpc-89a71bea4c14/ipv4");
    assert.equal(pools.vpcIpv6Space("vpc-89a71bea4c14"), "vpc/vpc-89a71bea4c14/ipv6");
    assert.equal(pools.vpcVips("vpc-89a71bea4c14"), "vpc/vpc-89a71bea4c14/vips");
    assert.equal(pools.vlans("ams"), "vlan/ams");
    assert.equal(pools.subnetHosts("subnet-abc"), "subnet/subnet-abc/hosts");
    assert.equal(pools.subnetHosts6("subnet-abc"), "subnet/subnet-abc/hosts6");
    assert.equal(pools.port("ams/leaf1/swp5"), "port/ams/leaf1/swp5");
  });

  it("build owner keys exactly as before", () => {
    assert.equal(owners.resource("proj", "dev", "Vpc", "prod"), "proj/dev/Vpc/prod");
    assert.equal(owners.lbRange("proj/dev/Vpc/prod"), "proj/dev/Vpc/prod#lb-range");
    assert.equal(owners.link("proj/dev/Vpc/prod", "ams-da"), "proj/dev/Vpc/prod#link/ams-da");
    assert.equal(owners.portHolder("vpc-89a71bea4c14", "ams/leaf1/swp5"), "vpc-89a71bea4c14@ams/leaf1/swp5");
    assert.equal(owners.vpcOfPortHolder("vpc-89a71bea4c14@ams/leaf1/swp5"), "vpc-89a71bea4c14");
    assert.equal(owners.vpcOfPortHolder("vpc-89a71bea4c14@da/dev-1@x/bond0"), "vpc-89a71bea4c14");
  });

  it("key ports exactly as before", () => {
    assert.equal(portKeys.switchPort("ams", "leaf1", "swp5"), "ams/leaf1/swp5");
    assert.equal(
      portKeys.devicePort("da", "9d6c2a30-4f3e-4c1e-9f0a-1b2c3d4e5f60", "bond0"),
      "da/9d6c2a30-4f3e-4c1e-9f0a-1b2c3d4e5f60/bond0",
    );
  });

  it("name the record kinds exactly as before", () => {
    assert.deepEqual(
      { ...records },
      {
        vpc: "vpc",
        subnet: "subnet",
        attachment: "attachment",
        portUsers: "port-users",
        backendUsers: "backend-users",
        metalPortBefore: "metal-port-before",
        nvuePortBefore: "nvue-port-before",
        eosPortBefore: "eos-port-before",
      },
    );
  });

  it("record keys are resource ids, derived from owner keys exactly as before", () => {
    // sha256 of the owner key, first 12 hex digits (printf %s p/s/Vpc/prod | sha256sum).
    assert.equal(idFor("vpc", "p/s/Vpc/prod"), "vpc-89a71bea4c14");
    assert.equal(idFor("subnet", "p/s/Subnet/web"), "subnet-f417fade2b2e");
    assert.equal(idFor("attachment", "p/s/Attachment/n1"), "attachment-a5bf7cd70951");
  });

  it("pins every key the module has (a new one gets its pin here)", () => {
    assert.deepEqual(Object.keys(pools).sort(), [
      "l2Vni",
      "l3Vni",
      "port",
      "publicIpv4",
      "subnetHosts",
      "subnetHosts6",
      "vlans",
      "vpcIpv4",
      "vpcIpv4Space",
      "vpcIpv6",
      "vpcIpv6Space",
      "vpcVips",
    ]);
    assert.deepEqual(Object.keys(owners).sort(), [
      "lbRange",
      "link",
      "portHolder",
      "resource",
      "vpcOfPortHolder",
    ]);
    assert.deepEqual(Object.keys(portKeys).sort(), ["devicePort", "switchPort"]);
  });
});

/** The TypeScript files under dir, recursively. */
function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return tsFiles(file);
    return file.endsWith(".ts") ? [file] : [];
  });
}

const provider = path.join(repoRoot, "provider");

describe("provider code names the ledger's keys only through provider/ledger/keys", () => {
  // A ledger call given a string literal or template (a pool, record kind or owner key written in
  // place) instead of a name from keys.ts.
  const literalName = [
    /\b(?:getRecord|putRecord|updateRecord|deleteRecord)(?:<[^>]*>)?\(\s*["'`]/,
    /\ballocate\(\s*["'`]/,
    /\bpool:\s*["'`]/,
    /\brelease\(\s*["'`]/,
  ];

  // The names themselves, written anywhere but in keys.ts.
  const ownName = [
    /["'`](?:vpc-ipv4|vpc-ipv6|l3vni|l2vni|public-ipv4|port-users|backend-users|metal-port-before|nvue-port-before|eos-port-before)["'`]/,
    /`(?:vpc|subnet|vlan|port)\/\$\{/,
    /#lb-range|#link\//,
  ];

  for (const file of [
    ...tsFiles(path.join(provider, "resources")),
    ...tsFiles(path.join(provider, "sites")),
  ]) {
    it(`${path.relative(repoRoot, file)} writes no ledger name as a literal`, () => {
      const lines = readFileSync(file, "utf8").split("\n");
      const found = lines.filter((line) => literalName.some((pattern) => pattern.test(line)));
      assert.deepEqual(found, []);
    });
  }

  it("no provider file but keys.ts spells out a pool name, record kind or owner key suffix", () => {
    const found = tsFiles(provider)
      .filter((file) => file !== path.join(provider, "ledger", "keys.ts"))
      .flatMap((file) =>
        readFileSync(file, "utf8")
          .split("\n")
          .filter((line) => ownName.some((pattern) => pattern.test(line)))
          .map((line) => `${path.relative(repoRoot, file)}: ${line.trim()}`),
      );
    assert.deepEqual(found, []);
  });
});

describe("provider/ has no import cycle", () => {
  const files = tsFiles(provider);

  /** The provider files one file imports (import, import type, export … from), resolved. */
  function importsOf(file: string): string[] {
    const text = readFileSync(file, "utf8");
    const out: string[] = [];
    for (const m of text.matchAll(/\bfrom\s+["'](\.{1,2}\/[^"']*)["']/g)) {
      const base = path.resolve(path.dirname(file), m[1]!);
      const target = [`${base}.ts`, path.join(base, "index.ts")].find((f) => files.includes(f));
      if (target) out.push(target);
    }
    return out;
  }

  /** One cycle in the graph (as a list of files, first = last), or undefined. */
  function findCycle(graph: Map<string, string[]>): string[] | undefined {
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (node: string): string[] | undefined => {
      state.set(node, "open");
      stack.push(node);
      for (const next of graph.get(node) ?? []) {
        if (state.get(next) === "open") return [...stack.slice(stack.indexOf(next)), next];
        if (!state.has(next)) {
          const cycle = visit(next);
          if (cycle) return cycle;
        }
      }
      stack.pop();
      state.set(node, "done");
      return undefined;
    };
    for (const node of graph.keys()) {
      if (state.has(node)) continue;
      const cycle = visit(node);
      if (cycle) return cycle;
    }
    return undefined;
  }

  it("the cycle finder finds a cycle", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
    ]);
    assert.deepEqual(findCycle(graph), ["a", "b", "c", "a"]);
    assert.equal(
      findCycle(
        new Map([
          ["a", ["b"]],
          ["b", []],
        ]),
      ),
      undefined,
    );
  });

  it("reads the import graph (resources import the ledger's keys)", () => {
    const vpc = path.join(provider, "resources", "vpc.ts");
    assert.ok(importsOf(vpc).includes(path.join(provider, "ledger", "keys.ts")));
  });

  it("no file imports itself back through other provider files", () => {
    const graph = new Map(files.map((f) => [f, importsOf(f)]));
    const cycle = findCycle(graph);
    assert.equal(cycle?.map((f) => path.relative(repoRoot, f)).join(" → "), undefined);
  });
});
