// Lint rules: typescript-eslint's recommended type-aware set over all project TypeScript.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

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
);
