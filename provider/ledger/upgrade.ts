// Ledger state written by earlier versions, brought to what this version reads, by explicit
// functions (tested in test/unit/ledger-upgrade.test.ts). The version is ledgerKeysVersion
// (./keys.ts). Ledgers do not store it: every ledger written so far is version 1, the first, so
// there is nothing to convert yet. Version 2 will have to store its version in the ledger (the
// file's document, a PostgreSQL migration) and read its records through upgradeRecord.
//
// What the history of the names and records shows (git log -p -- provider/resources): no pool name,
// owner key or record kind has changed since it was introduced, and no record has changed shape
// (vpc records are the same Pick of VpcState since they exist; subnet and attachment records are
// SubnetState and AttachmentState, whose schema is unchanged since; port-users and backend-users
// are lists of strings; metal-port-before and nvue-port-before are new). Two things earlier
// versions wrote differ in what exists, not in shape:
// - Attachments made before `attachment` records existed have none: refresh writes it
//   (readAttachment), so load balancers, and mayRecordPortBefore below, find them afterwards.
// - Attachments made before the port records existed left their ports changed with no record of
//   what the port was: see mayRecordPortBefore.
import { AnyvpcError } from "../errors";
import { ledgerKeysVersion, records, type RecordKind } from "./keys";
import type { Ledger } from "./ledger";

/** One upgrade: a record of `kind` as version n wrote it, as version n + 1 reads it. */
export type UpgradeStep = (kind: RecordKind, data: unknown) => unknown;

/** upgradeSteps[n - 1] upgrades version n to n + 1. None yet: version 1 is the first. */
export const upgradeSteps: readonly UpgradeStep[] = [];

/**
 * A record as the ledger holds it, written by version `fromVersion`, as this version reads it. For
 * version 1 (every ledger so far) the record itself.
 */
export function upgradeRecord(kind: RecordKind, data: unknown, fromVersion: number): unknown {
  if (!Number.isInteger(fromVersion) || fromVersion < 1 || fromVersion > ledgerKeysVersion)
    throw new AnyvpcError(
      `the ledger holds a ${kind} record of version ${fromVersion}; this anyvpc reads versions 1 to ${ledgerKeysVersion}`,
      { fix: "use the anyvpc version that wrote the ledger, or a later one" },
    );
  let out = data;
  for (let v = fromVersion; v < ledgerKeysVersion; v++) out = upgradeSteps[v - 1]!(kind, out);
  return out;
}

/**
 * Whether an attachment about to change a port that has no prior-state record (metal-port-before,
 * nvue-port-before) may read the port now and record what it finds as the port's own state.
 *
 * Ports of v1 attachments. Attachments made before anyvpc recorded a port's prior state changed
 * their ports without recording what was there, and that is lost: deleting such an attachment
 * restores nothing (it leaves the port as the version that made it did — at an NVUE site the port's
 * bridge settings are removed and an interface left empty goes, at a Metal metro the VLAN goes and
 * the port stays in Layer 2). That is the accepted behaviour for v1 ledgers. What must not happen
 * is worse: recording such a port as it is now, anyvpc's own changes, as its prior state, so that
 * the last delete writes them back (a switch port left in a VLAN that anyvpc has released, and may
 * give to another VPC's subnet). So a port is recorded only
 * - by a new attachment (`fresh`): an attachment realized again (update) has changed the port
 *   already, so without a record the port holds its changes, not the port's own state;
 * - when none of the port's other users is a finished attachment (one with an `attachment`
 *   record): a finished attachment on a port with no record is a v1 one. Users still being created
 *   have no attachment record yet (their records come after they realize), so parallel creates on
 *   a new port still record it. v1 attachments made before attachment records existed get theirs
 *   on refresh (readAttachment); until then they are not seen here.
 * The cost: a create that failed before recording its port and is finished by an update records
 * nothing either (its delete restores nothing, as in v1).
 */
export async function mayRecordPortBefore(
  ledger: Ledger,
  port: { key: string; owner: string; fresh: boolean; attachmentIdOf: (owner: string) => string },
): Promise<boolean> {
  if (!port.fresh) return false;
  const users = (await ledger.getRecord<string[]>(records.portUsers, port.key)) ?? [];
  for (const user of users.filter((u) => u !== port.owner))
    if ((await ledger.getRecord(records.attachment, port.attachmentIdOf(user))) !== undefined) return false;
  return true;
}
