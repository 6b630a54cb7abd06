// The file engine: one JSON document, locked across processes (proper-lockfile), rewritten
// atomically (temp file, fsync, rename, fsync of the directory) so a crash mid-write leaves either
// the old or the new document, never a torn one.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import path from "node:path";
import lockfile from "proper-lockfile";
import { AnyvpcError } from "../errors";
import type { Allocation, AllocationRequest, Ledger, PoolSpec } from "./ledger";
import { PoolIndex } from "./pool-index";

interface StoredAllocation extends Allocation {
  /** Order of creation; lets a process catch up on what others added since it last looked. */
  readonly seq: number;
}

interface LedgerDocument {
  version: 1;
  /** Highest seq handed out. */
  seq: number;
  /** Bumped by every release, which invalidates incremental catch-up. */
  epoch: number;
  allocations: StoredAllocation[];
  /** Records by "kind/key". */
  records?: Record<string, unknown>;
}

function publicView({ pool, owner, value }: StoredAllocation): Allocation {
  return { pool, owner, value };
}

/** How long a crashed process's lock blocks others (proper-lockfile's minimum is 2 s). */
export const staleLockMs = 5_000;

interface PoolCache {
  index: PoolIndex;
  specKey: string;
  seq: number;
  epoch: number;
}

export class FileLedger implements Ledger {
  private readonly pools = new Map<string, PoolCache>();

  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
  }

  private read(): LedgerDocument {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT")
        return { version: 1, seq: 0, epoch: 0, allocations: [] };
      throw e;
    }
    const doc = JSON.parse(text) as LedgerDocument;
    if (doc.version !== 1 || !Array.isArray(doc.allocations)) {
      throw new AnyvpcError(`ledger file ${this.file} has an unknown format`);
    }
    return doc;
  }

  private write(doc: LedgerDocument): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(tmp, "w", 0o600);
    try {
      writeSync(fd, JSON.stringify(doc) + "\n");
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    const dir = openSync(path.dirname(this.file), "r");
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  }

  /** Runs fn with the document under an exclusive cross-process lock; writes it back if changed. */
  private async locked<T>(fn: (doc: LedgerDocument) => { result: T; changed: boolean }): Promise<T> {
    const unlock = await lockfile.lock(this.file, {
      realpath: false,
      // A live holder refreshes the lock in the background; a dead one (crash, kill -9) stops
      // doing so and its lock is taken over after this long.
      stale: staleLockMs,
      retries: { retries: 10_000, factor: 1.1, minTimeout: 2, maxTimeout: 50, randomize: true },
    });
    try {
      const doc = this.read();
      const { result, changed } = fn(doc);
      if (changed) this.write(doc);
      return result;
    } finally {
      await unlock();
    }
  }

  /** The pool's index brought up to date with the document (incrementally when possible). */
  private indexFor(doc: LedgerDocument, pool: string, spec: PoolSpec): PoolCache {
    const specKey = JSON.stringify(spec);
    let cache = this.pools.get(pool);
    if (!cache || cache.specKey !== specKey || cache.epoch !== doc.epoch || cache.seq > doc.seq) {
      const mine = doc.allocations.filter((a) => a.pool === pool).map(publicView);
      cache = { index: PoolIndex.of(pool, spec, mine), specKey, seq: doc.seq, epoch: doc.epoch };
      this.pools.set(pool, cache);
      return cache;
    }
    if (cache.seq < doc.seq) {
      // Allocations are appended in seq order: scan back only over the ones this process has not seen.
      let i = doc.allocations.length;
      while (i > 0 && doc.allocations[i - 1]!.seq > cache.seq) i--;
      for (const a of doc.allocations.slice(i)) if (a.pool === pool) cache.index.add(publicView(a));
      cache.seq = doc.seq;
    }
    return cache;
  }

  allocate(pool: string, spec: PoolSpec, owner: string, request: AllocationRequest): Promise<Allocation> {
    return this.locked((doc) => {
      const cache = this.indexFor(doc, pool, spec);
      const { allocation, isNew } = cache.index.plan(owner, request);
      if (!isNew) return { result: allocation, changed: false };
      const stored: StoredAllocation = { ...allocation, seq: ++doc.seq };
      doc.allocations.push(stored);
      cache.index.add(allocation);
      cache.seq = doc.seq;
      return { result: allocation, changed: true };
    });
  }

  release(owner: string): Promise<number> {
    return this.locked((doc) => {
      const before = doc.allocations.length;
      doc.allocations = doc.allocations.filter((a) => a.owner !== owner);
      const released = before - doc.allocations.length;
      if (released > 0) doc.epoch++;
      return { result: released, changed: released > 0 };
    });
  }

  async list(filter: { pool?: string; owner?: string } = {}): Promise<Allocation[]> {
    return this.read()
      .allocations.filter(
        (a) =>
          (filter.pool === undefined || a.pool === filter.pool) &&
          (filter.owner === undefined || a.owner === filter.owner),
      )
      .map(publicView);
  }

  putRecord(kind: string, key: string, data: unknown): Promise<void> {
    return this.locked((doc) => {
      doc.records = { ...doc.records, [`${kind}/${key}`]: data };
      return { result: undefined, changed: true };
    });
  }

  async getRecord<T>(kind: string, key: string): Promise<T | undefined> {
    return this.read().records?.[`${kind}/${key}`] as T | undefined;
  }

  deleteRecord(kind: string, key: string): Promise<void> {
    return this.locked((doc) => {
      const id = `${kind}/${key}`;
      if (!doc.records || !(id in doc.records)) return { result: undefined, changed: false };
      delete doc.records[id];
      return { result: undefined, changed: true };
    });
  }

  updateRecord<T>(
    kind: string,
    key: string,
    change: (current: T | undefined) => T | undefined,
  ): Promise<T | undefined> {
    return this.locked((doc) => {
      const id = `${kind}/${key}`;
      const current = doc.records?.[id] as T | undefined;
      const next = change(current);
      if (JSON.stringify(next) === JSON.stringify(current)) return { result: next, changed: false };
      const records = { ...doc.records };
      if (next === undefined) delete records[id];
      else records[id] = next;
      doc.records = records;
      return { result: next, changed: true };
    });
  }

  async close(): Promise<void> {}
}
