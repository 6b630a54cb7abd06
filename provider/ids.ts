// Resource ids: the kind and a digest of the owner (project/stack/kind/name), the same in every run
// and every stack, so a lost create can be found again and fabric names derived from it stay put.
import { createHash } from "node:crypto";

export function idFor(kind: string, owner: string): string {
  return `${kind}-${createHash("sha256").update(owner).digest("hex").slice(0, 12)}`;
}
