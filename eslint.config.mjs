// Lint rules: typescript-eslint's recommended set over all project TypeScript, plus the layering rules.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

// Layering. Each ban is a regular expression over the import specifier (relative paths are matched by
// directory name, so "../ledger/file" and "../../ledger" both name the ledger) and a message giving the
// layering reason. test/, bench/ and scripts/ may import anything; cli/ may import sim/ (it ships
// `anyvpc sim`). test/unit/layering.test.ts checks every ban below, both ways.
const rel = (dirs) => String.raw`^\.\.?/(?:.*/)?(?:${dirs})(?:/|$)`;
const ban = (regex, message) => ({ regex, message });

const pure = "the planner is pure: no I/O";
const bans = {
  io: [
    ban(
      String.raw`^(?:node:)?(?:fs|net|http|https|http2|tls|dgram|dns|child_process|cluster|worker_threads)(?:/.*)?$`,
      pure,
    ),
    ban(String.raw`^(?:axios|pg|proper-lockfile)(?:/.*)?$`, pure),
    ban(
      rel("ledger|drivers|resources|sites|health"),
      `${pure} (the ledger, drivers, resources, sites and health probes do it)`,
    ),
  ],
  drivers: [
    ban(rel("resources|ledger"), "drivers are API clients: no resource handlers or ledger"),
    ban(String.raw`${rel("sdk")}|^anyvpc$`, "drivers sit below the SDK: no SDK imports"),
  ],
  ledger: [
    ban(rel("resources|drivers"), "the ledger only stores allocations: no resource handlers or drivers"),
  ],
  sim: [ban(rel("sim"), "product code never imports the simulators")],
  resources: [ban(rel("drivers"), "resources reach a fabric only through its site adapter: no drivers")],
  siteAdapters: [ban(rel("resources"), "site adapters sit below the resources: no resource handlers")],
  product: [
    ban(
      String.raw`${rel("provider|sdk|cli")}|^anyvpc(?:/|$)`,
      "simulators stand in for the APIs: they never import provider, SDK or CLI code",
    ),
  ],
  // provider/sites/<kind>/: outside provider/sites, only its index (the registry and the interface) may be imported.
  sites: [
    ban(
      String.raw`^\.\.?/(?:.*/)?sites/(?!index(?:\.ts)?$)`,
      "sites are reached only through their interface, provider/sites",
    ),
  ],
};

// Flat config gives a file the options of the last block that matches it, so each zone lists every ban
// that applies to it, and the narrower zones come after the wider ones.
const zones = [
  { files: ["provider/**", "sdk/**"], bans: [...bans.sites, ...bans.sim] },
  { files: ["cli/**"], bans: bans.sites },
  { files: ["provider/resources/**"], bans: [...bans.sites, ...bans.sim, ...bans.resources] },
  { files: ["provider/sites/**"], bans: [...bans.sim, ...bans.siteAdapters] },
  { files: ["provider/ipam/**"], bans: [...bans.sites, ...bans.sim, ...bans.io] },
  { files: ["provider/drivers/**"], bans: [...bans.sites, ...bans.sim, ...bans.drivers] },
  { files: ["provider/ledger/**"], bans: [...bans.sites, ...bans.sim, ...bans.ledger] },
  { files: ["sim/**"], bans: bans.product },
];

// no-restricted-imports sees import/export declarations and `import x = require()`; the same bans are
// applied to require("...") and import("...") calls through no-restricted-syntax.
const layering = zones.map(({ files, bans }) => ({
  files,
  rules: {
    "@typescript-eslint/no-restricted-imports": ["error", { patterns: bans }],
    "no-restricted-syntax": [
      "error",
      ...bans.flatMap(({ regex, message }) => {
        const re = `/${regex.replaceAll("/", "\\/")}/i`;
        return [
          { selector: `ImportExpression[source.value=${re}]`, message },
          { selector: `CallExpression[callee.name="require"][arguments.0.value=${re}]`, message },
        ];
      }),
    ],
  },
}));

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", ".tools/", ".state/", "provider/generated/", "**/*.mjs", "**/*.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Dynamic-provider shims must `require` at call time (see sdk/shim.ts).
      "@typescript-eslint/no-require-imports": "off",
    },
  },
  ...layering,
);
