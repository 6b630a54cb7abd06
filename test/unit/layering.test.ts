// The layering rules in eslint.config.mjs: for each forbidden direction, an import from a file in that
// place is reported with its reason, and an allowed import in the same place is not. The fixtures go
// through ESLint's Node API (lintText with a file path), so nothing is written into the tree; one test runs
// the eslint CLI that `npm run lint` runs, on fixtures written next to the planner, and expects it to fail.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ESLint } from "eslint";

const repoRoot = path.resolve(__dirname, "..", "..");
const layeringRules = new Set(["@typescript-eslint/no-restricted-imports", "no-restricted-syntax"]);

const pure = "the planner is pure: no I/O";
const driverDeps = "drivers are API clients: no resource handlers or ledger";
const driverSdk = "drivers sit below the SDK: no SDK imports";
const noSim = "product code never imports the simulators";
const simDeps = "simulators stand in for the APIs: they never import provider, SDK or CLI code";
const ledgerDeps = "the ledger only stores allocations: no resource handlers or drivers";
const sites = "sites are reached only through their interface, provider/sites";
const resourceDeps = "resources reach a fabric only through its site adapter: no drivers";
const siteDeps = "site adapters sit below the resources: no resource handlers";

// [file the import is written in, module specifier, reason expected (undefined: allowed)]
type Case = [file: string, specifier: string, reason: string | undefined];

const cases: Record<string, Case[]> = {
  "the planner imports no I/O": [
    ["provider/ipam/f.ts", "node:fs", pure],
    ["provider/ipam/f.ts", "fs", pure],
    ["provider/ipam/f.ts", "fs/promises", pure],
    ["provider/ipam/f.ts", "node:net", pure],
    ["provider/ipam/f.ts", "node:http", pure],
    ["provider/ipam/f.ts", "node:https", pure],
    ["provider/ipam/f.ts", "node:child_process", pure],
    ["provider/ipam/f.ts", "axios", pure],
    ["provider/ipam/f.ts", "pg", pure],
    ["provider/ipam/f.ts", "proper-lockfile", pure],
    ["provider/ipam/f.ts", "../ledger/file", pure],
    ["provider/ipam/f.ts", "../ledger", pure],
    ["provider/ipam/f.ts", "../drivers/nvue/client", pure],
    ["provider/ipam/f.ts", "../resources/vpc", pure],
    ["provider/ipam/f.ts", "../sites", pure],
    ["provider/ipam/f.ts", "../health", pure],
    ["provider/ipam/sub/f.ts", "../../ledger/postgres", pure],
    ["provider/ipam/f.ts", "../../sim/lab", noSim],
    ["provider/ipam/f.ts", "../errors", undefined],
    ["provider/ipam/f.ts", "./prefix", undefined],
    ["provider/ipam/f.ts", "ipaddr.js", undefined],
    ["provider/ipam/f.ts", "node:crypto", undefined],
  ],
  "drivers import no resources, ledger or SDK": [
    ["provider/drivers/nvue/f.ts", "../../resources/vpc", driverDeps],
    ["provider/drivers/nvue/f.ts", "../../ledger/ledger", driverDeps],
    ["provider/drivers/f.ts", "../ledger", driverDeps],
    ["provider/drivers/metal/f.ts", "../../../sdk", driverSdk],
    ["provider/drivers/metal/f.ts", "../../../sdk/index", driverSdk],
    ["provider/drivers/metal/f.ts", "anyvpc", driverSdk],
    ["provider/drivers/metal/f.ts", "../../../sim/metal", noSim],
    ["provider/drivers/nvue/f.ts", "../../errors", undefined],
    ["provider/drivers/nvue/f.ts", "../retry", undefined],
    ["provider/drivers/nvue/f.ts", "../../speaker", undefined],
    ["provider/drivers/nvue/f.ts", "axios", undefined],
    ["provider/drivers/nvue/f.ts", "node:https", undefined],
  ],
  "product code imports no simulator": [
    ["provider/f.ts", "../sim/lab", noSim],
    ["provider/resources/f.ts", "../../sim/nvue", noSim],
    ["sdk/f.ts", "../sim/lab-config", noSim],
    ["sdk/f.ts", "../sim", noSim],
    ["provider/resources/f.ts", "../ledger/keys", undefined],
    ["sdk/f.ts", "../provider/ipam/prefix", undefined],
    ["cli/f.ts", "../sim/lab", undefined],
    ["test/unit/f.ts", "../../sim/lab", undefined],
  ],
  "simulators import no product code": [
    ["sim/f.ts", "../provider/errors", simDeps],
    ["sim/metal/routes/f.ts", "../../../provider/drivers/metal/client", simDeps],
    ["sim/f.ts", "../sdk", simDeps],
    ["sim/nvue/f.ts", "../../cli/sim", simDeps],
    ["sim/f.ts", "anyvpc/provider", simDeps],
    ["sim/f.ts", "./seeded-random", undefined],
    ["sim/metal/routes/f.ts", "../http", undefined],
    ["sim/f.ts", "node:http", undefined],
  ],
  "the ledger imports no resources or drivers": [
    ["provider/ledger/f.ts", "../resources/common", ledgerDeps],
    ["provider/ledger/f.ts", "../drivers/retry", ledgerDeps],
    ["provider/ledger/f.ts", "../../sim/lab", noSim],
    ["provider/ledger/f.ts", "../ipam/prefix", undefined],
    ["provider/ledger/f.ts", "../errors", undefined],
    ["provider/ledger/f.ts", "pg", undefined],
    ["provider/ledger/f.ts", "node:fs", undefined],
  ],
  "resources reach fabrics only through site adapters, which import no resources": [
    ["provider/resources/f.ts", "../drivers/nvue/intent", resourceDeps],
    ["provider/resources/f.ts", "../drivers/metal/realize", resourceDeps],
    ["provider/resources/sub/f.ts", "../../drivers/http", resourceDeps],
    ["provider/sites/nvue/f.ts", "../../resources/common", siteDeps],
    ["provider/sites/f.ts", "../resources/vpc", siteDeps],
    ["provider/sites/nvue/f.ts", "../../drivers/nvue/site", undefined],
    ["provider/sites/nvue/f.ts", "../../ledger/keys", undefined],
    ["provider/sites/nvue/f.ts", "../adapter", undefined],
  ],
  "sites are reached only through their interface": [
    ["provider/resources/f.ts", "../sites/nvue", sites],
    ["provider/resources/f.ts", "../sites/metal/client", sites],
    ["provider/f.ts", "./sites/nvue/site", sites],
    ["sdk/f.ts", "../provider/sites/metal", sites],
    ["cli/f.ts", "../provider/sites/nvue", sites],
    ["provider/resources/f.ts", "../sites", undefined],
    ["provider/resources/f.ts", "../sites/index", undefined],
    ["provider/f.ts", "./sites", undefined],
    ["provider/sites/nvue/f.ts", "../metal/client", undefined],
    ["provider/sites/f.ts", "./nvue/site", undefined],
    ["test/unit/f.ts", "../../provider/sites/nvue/site", undefined],
  ],
};

// The ways a file can name a module; the rules must see every one.
const forms: Record<string, (s: string) => string> = {
  import: (s) => `import * as m from "${s}";\nexport const used = m;\n`,
  "export from": (s) => `export * from "${s}";\n`,
  "import type": (s) => `import type * as m from "${s}";\nexport type Used = typeof m;\n`,
  "import = require": (s) => `import m = require("${s}");\nexport const used = m;\n`,
  require: (s) => `export const used: unknown = require("${s}");\n`,
  "import()": (s) => `export const used = import("${s}");\n`,
};

describe("layering (eslint.config.mjs)", () => {
  const eslint = new ESLint({ cwd: repoRoot });

  async function layeringMessages(file: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, file) });
    assert.ok(result);
    const others = result.messages.filter((m) => !layeringRules.has(m.ruleId ?? ""));
    assert.deepEqual(others, [], `${file}: only the layering rules should report`);
    return result.messages.map((m) => m.message);
  }

  for (const [title, list] of Object.entries(cases)) {
    describe(title, () => {
      for (const [file, specifier, reason] of list) {
        it(`${file}: "${specifier}" ${reason ? "is refused" : "is allowed"}`, async () => {
          const messages = await layeringMessages(file, forms.import!(specifier));
          if (reason === undefined) assert.deepEqual(messages, []);
          else {
            assert.equal(messages.length, 1, messages.join("\n"));
            assert.ok(messages[0]!.includes(reason), `${messages[0]} should give the reason "${reason}"`);
          }
        });
      }
    });
  }

  describe("every way of naming a module is seen", () => {
    for (const [form, code] of Object.entries(forms)) {
      it(`${form}: refused across a forbidden direction, allowed along a permitted one`, async () => {
        const refused = await layeringMessages("provider/ipam/f.ts", code("node:fs"));
        assert.equal(refused.length, 1, refused.join("\n"));
        assert.ok(refused[0]!.includes(pure), refused[0]);
        assert.deepEqual(await layeringMessages("provider/ipam/f.ts", code("../errors")), []);
        const sim = await layeringMessages("sim/f.ts", code("../provider/errors"));
        assert.equal(sim.length, 1, sim.join("\n"));
      });
    }
  });

  it("the eslint CLI that `npm run lint` runs fails on a fixture importing across a forbidden direction", () => {
    const stem = path.join(repoRoot, "provider", "ipam", `__lint_fixture_${process.pid}`);
    const refused = `${stem}_refused__.ts`;
    const allowed = `${stem}_allowed__.ts`;
    try {
      writeFileSync(
        refused,
        `import { readFileSync } from "node:fs";\n\nexport const read = readFileSync;\n`,
      );
      writeFileSync(allowed, `import { PlanError } from "../errors";\n\nexport const error = PlanError;\n`);
      const eslintBin = path.join(repoRoot, "node_modules", ".bin", "eslint");
      const run = spawnSync(eslintBin, ["--format", "json", refused, allowed], {
        cwd: repoRoot,
        encoding: "utf8",
      });
      assert.equal(run.status, 1, `eslint should exit 1 (lint errors)\n${run.stderr}`);
      const results = JSON.parse(run.stdout) as ESLint.LintResult[];
      const byFile = new Map(results.map((r) => [r.filePath, r.messages.map((m) => m.message)]));
      assert.equal(byFile.get(refused)?.length, 1, JSON.stringify(byFile.get(refused)));
      assert.ok(byFile.get(refused)![0]!.includes(pure));
      assert.deepEqual(byFile.get(allowed), []);
    } finally {
      rmSync(refused, { force: true });
      rmSync(allowed, { force: true });
    }
  });
});
