import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { generatedPath, generateTypes } from "../../scripts/gen-types";

describe("generated types", () => {
  it("provider/generated/schema.ts matches schema.json (run `npm run gen` after editing the schema)", async () => {
    assert.equal(readFileSync(generatedPath, "utf8"), await generateTypes());
  });
});
