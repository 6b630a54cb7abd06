// One OS process of the concurrency test: makes `count` allocations from one pool, one owner each,
// and prints what it got (or the error) as JSON on stdout.
import type { AllocationRequest, PoolSpec } from "../../provider/ledger/ledger";
import { openLedger, type EngineSpec } from "./engines";

async function main(): Promise<void> {
  const [engineJson, pool, specJson, worker, countText, lengthsJson] = process.argv.slice(2);
  const ledger = openLedger(JSON.parse(engineJson!) as EngineSpec);
  const spec = JSON.parse(specJson!) as PoolSpec;
  const lengths = JSON.parse(lengthsJson!) as number[];
  const results: { owner: string; request: AllocationRequest; value?: string; error?: string }[] = [];
  for (let i = 0; i < Number(countText); i++) {
    const owner = `w${worker}-${i}`;
    const request: AllocationRequest =
      spec.kind === "prefix" ? { length: lengths[(Number(worker) * 7 + i) % lengths.length]! } : {};
    try {
      results.push({ owner, request, value: (await ledger.allocate(pool!, spec, owner, request)).value });
    } catch (e) {
      results.push({ owner, request, error: `${(e as Error).name}: ${(e as Error).message}` });
    }
  }
  await ledger.close();
  process.stdout.write(JSON.stringify(results));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
