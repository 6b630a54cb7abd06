// What every Metal realization step shares: owner tags, ids of nested objects, "already gone"
// (403/404) on delete, polling, and adopt-or-create (POST has no idempotency key). No API paths.
import { AnyvpcError, ApiError } from "../../../errors";
import { sleep } from "../../retry";

export interface MetalSite {
  projectId: string;
  metro: string;
}

export interface PollOptions {
  intervalMs?: number;
  timeoutMs?: number;
}

export function ownerTag(owner: string): string {
  return `anyvpc-owner=${owner}`;
}

export const hasTag = (tags: string[] | undefined, owner: string) => (tags ?? []).includes(ownerTag(owner));

/** The id of a nested object, whether it came expanded or as { href } only. */
export function idOf(ref: { id?: string; href?: string } | null | undefined): string | undefined {
  return ref?.id ?? ref?.href?.split("/").filter(Boolean).pop();
}

export function isGone(e: unknown): boolean {
  return e instanceof ApiError && (e.status === 404 || e.status === 403);
}

/** Deletes, treating "already gone" (403/404) as success. */
export async function deleteIfPresent(del: () => Promise<void>): Promise<void> {
  try {
    await del();
  } catch (e) {
    if (!isGone(e)) throw e;
  }
}

export async function pollUntil<R>(
  read: () => Promise<R>,
  done: (r: R) => boolean,
  what: string,
  opts: PollOptions = {},
): Promise<R> {
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  for (;;) {
    const r = await read();
    if (done(r)) return r;
    if (Date.now() > deadline) throw new AnyvpcError(`timed out waiting for ${what}`);
    await sleep(opts.intervalMs ?? 250);
  }
}

/**
 * Creates through `create`, but first adopts what `find` returns. After an ambiguous failure (the
 * server may have acted: dropped connection, timeout, 5xx) it looks again before retrying, so a
 * retried or crashed create never leaves two objects.
 */
export async function adoptOrCreate<R>(
  find: () => Promise<R | undefined>,
  create: () => Promise<R>,
  attempts = 6,
): Promise<R> {
  const existing = await find();
  if (existing) return existing;
  for (let attempt = 1; ; attempt++) {
    try {
      return await create();
    } catch (e) {
      if (!(e instanceof ApiError && e.ambiguous) || attempt >= attempts) throw e;
      const made = await find();
      if (made) return made;
    }
  }
}
