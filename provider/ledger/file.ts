// The file engine: one JSON document, locked across processes (proper-lockfile), rewritten
// atomically (temp file, fsync, rename, fsync of the directory) so a crash mid-write leaves either
// the old or the new document, never a torn one.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import path from "node:path";
import lockfile from "proper-lockfile";
import { AnyvpcError } from "../errors";
import {
  planAllocation,
  type Allocation,
  type AllocationRequest,
  type Ledger,
  type PoolSpec,
} from "./ledger";

interface LedgerDocument {
  version: 1;
  allocations: Allocation[];
}

export class FileLedger implements Ledger {
  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
  }

  private read(): LedgerDocument {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, allocations: [] };
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
      writeSync(fd, JSON.stringify(doc, null, 1) + "\n");
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

  /** Runs fn with the document under an exclusive cross-process lock. */
  private async locked<T>(fn: (doc: LedgerDocument) => { result: T; changed: boolean }): Promise<T> {
    const unlock = await lockfile.lock(this.file, {
      realpath: false,
      stale: 15_000,
      retries: { retries: 1000, factor: 1.2, minTimeout: 5, maxTimeout: 100, randomize: true },
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

  allocate(pool: string, spec: PoolSpec, owner: string, request: AllocationRequest): Promise<Allocation> {
    return this.locked((doc) => {
      const inPool = doc.allocations.filter((a) => a.pool === pool);
      const { allocation, isNew } = planAllocation(pool, spec, inPool, owner, request);
      if (isNew) doc.allocations.push(allocation);
      return { result: allocation, changed: isNew };
    });
  }

  release(owner: string): Promise<number> {
    return this.locked((doc) => {
      const before = doc.allocations.length;
      doc.allocations = doc.allocations.filter((a) => a.owner !== owner);
      const released = before - doc.allocations.length;
      return { result: released, changed: released > 0 };
    });
  }

  async list(filter: { pool?: string; owner?: string } = {}): Promise<Allocation[]> {
    return this.read().allocations.filter(
      (a) =>
        (filter.pool === undefined || a.pool === filter.pool) &&
        (filter.owner === undefined || a.owner === filter.owner),
    );
  }

  async close(): Promise<void> {}
}
