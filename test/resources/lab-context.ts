// A provider context over the simulated lab fabric, for handler-level tests.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Fabric } from "../../provider/generated/schema";
import { FileLedger } from "../../provider/ledger/file";
import type { Ledger } from "../../provider/ledger/ledger";
import type { ProviderContext } from "../../provider/resources/common";
import { Sites } from "../../provider/sites";
import { startLab, type Lab } from "../../sim/lab";

export async function labContext(): Promise<{ ctx: ProviderContext; lab: Lab; ledger: FileLedger }>;
export async function labContext<L extends Ledger>(
  ledger: L,
): Promise<{ ctx: ProviderContext; lab: Lab; ledger: L }>;
/** A context over a fresh lab, with a fresh file ledger or the one given. */
export async function labContext(
  given?: Ledger,
): Promise<{ ctx: ProviderContext; lab: Lab; ledger: Ledger }> {
  const lab = await startLab({ applyMs: 50 });
  const fabric = {
    sites: lab.sites,
    interconnects: lab.interconnects,
    pools: { vpcIpv4: "10.0.0.0/8", vpcIpv6: "fd00::/8", publicIpv4: "203.0.113.0/24" },
  } as unknown as Fabric;
  const ledger =
    given ?? new FileLedger(path.join(mkdtempSync(path.join(tmpdir(), "anyvpc-res-")), "ledger.json"));
  return { ctx: { fabric, ledger, sites: new Sites(fabric) }, lab, ledger };
}
