// One OS process of the concurrency tests: makes `count` allocations from one pool, one owner each,
// and prints what it got (or the error) as JSON on stdout; or, in the record mode, changes one
// record concurrently with the other processes.
import type { AllocationRequest, Ledger, PoolSpec } from "../../provider/ledger/ledger";
import { openLedger, type EngineSpec } from "./engines";

/**
 * The record mode (`pool` is "@record:<key>"): joins `count` members to one record, then leaves
 * with every other one, each a read-modify-write through updateRecord, as attachments joining and
 * leaving one port do. Prints the members it kept.
 */
async function recordWorker(ledger: Ledger, key: string, worker: string, count: number): Promise<string[]> {
  const members = Array.from({ length: count }, (_, i) => `w${worker}-${i}`);
  for (const m of members) await ledger.updateRecord<string[]>("port-users", key, (u) => [...(u ?? []), m]);
  const leaving = members.filter((_, i) => i % 2 === 1);
  for (const m of leaving)
    await ledger.updateRecord<string[]>("port-users", key, (u) => {
      const next = (u ?? []).filter((x) => x !== m);
      return next.length ? next : undefined;
    });
  return members.filter((_, i) => i % 2 === 0);
}

async function main(): Promise<void> {
  const [engineJson, pool, specJson, worker, countText, lengthsJson] = process.argv.slice(2);
  const ledger = openLedger(JSON.parse(engineJson!) as EngineSpec);
  if (pool!.startsWith("@record:")) {
    const kept = await recordWorker(ledger, pool!.slice("@record:".length), worker!, Number(countText));
    await ledger.close();
    process.stdout.write(JSON.stringify(kept));
    return;
  }
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
