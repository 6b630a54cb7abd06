// Generates provider/generated/schema.ts from schema.json, so input and output types are never
// written twice. `npm run gen` writes it; the unit suite fails when the file is stale.
import { compile, type JSONSchema } from "json-schema-to-typescript";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export const generatedPath = path.join(__dirname, "..", "provider", "generated", "schema.ts");

export async function generateTypes(): Promise<string> {
  const schema = JSON.parse(readFileSync(path.join(__dirname, "..", "schema.json"), "utf8")) as JSONSchema;
  return compile({ ...schema, type: "object", additionalProperties: false }, "AnyvpcSchema", {
    bannerComment: "// Generated from schema.json by scripts/gen-types.ts. Do not edit; run `npm run gen`.",
    unreachableDefinitions: true,
    additionalProperties: false,
    strictIndexSignatures: true,
    format: true,
    style: { printWidth: 110 },
  });
}

if (require.main === module) {
  generateTypes().then((text) => {
    writeFileSync(generatedPath, text);
    console.log(`wrote ${path.relative(process.cwd(), generatedPath)}`);
  });
}
