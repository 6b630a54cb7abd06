// Vpc handlers over the simulated fabric: a VRF on every leaf of an NVUE site and on the Metal
// metro; drift found by read and repaired by update; a failed create leaves nothing behind.
import assert from "node:assert/strict";
import type { VpcArgs } from "../../provider/generated/schema";
import { createVpc, deleteVpc, diffVpc, readVpc, updateVpc } from "../../provider/resources/vpc";
import { ownerTag } from "../../provider/drivers/metal/realize";
import type { Lab } from "../../sim/lab";
import type { ProviderContext } from "../../provider/resources/common";
import type { FileLedger } from "../../provider/ledger/file";
import { labContext } from "./lab-context";

describe("Vpc over both fabrics", function () {
  this.timeout(60_000);
  let ctx: ProviderContext;
  let lab: Lab;
  let ledger: FileLedger;
  before(async () => ({ ctx, lab, ledger } = await labContext()));
  after(() => lab?.close());

  const args: VpcArgs = { name: "prod", sites: ["ams", "da"], owner: "p/s/Vpc/prod" };
  const metalVrfs = () =>
    lab.metal.snapshot().vrfs.filter((v) => (v.tags ?? []).includes(ownerTag(args.owner!)));

  it("plans CIDR and L3VNI and puts the VRF on every leaf and on the Metal metro", async () => {
    const { outs } = await createVpc(ctx, args);
    assert.equal(outs.size, 16);
    assert.ok(outs.l3Vni >= 1_000_000);
    assert.equal(outs.vrf, `prod-${outs.l3Vni.toString(36)}`);
    for (const leaf of ["leaf1", "leaf2"]) {
      const vrf = (lab.nvue.applied(leaf).vrf as Record<string, { evpn: { vni: object } }>)[outs.vrf]!;
      assert.deepEqual(Object.keys(vrf.evpn.vni), [String(outs.l3Vni)]);
    }
    assert.equal(metalVrfs().length, 1);
    assert.deepEqual(metalVrfs()[0]!.ip_ranges, [outs.cidr]);
    assert.deepEqual(outs.realization.ams, { kind: "nvue", complete: true, switches: ["leaf1", "leaf2"] });
    assert.equal(outs.realization.da?.complete, true);
  });

  it("read reports a VRF removed out of band; the next update puts it back", async () => {
    const { outs } = await createVpc(ctx, args); // idempotent: same plan, same objects
    lab.nvue.setApplied("leaf2", ["vrf", outs.vrf], null);
    const { props } = await readVpc(ctx, "id", outs);
    assert.deepEqual(props.realization.ams, { kind: "nvue", complete: false, switches: ["leaf1"] });
    assert.equal((await diffVpc("id", props, args)).changes, true);
    const repaired = await updateVpc(ctx, "id", props, args);
    assert.equal(repaired.outs.realization.ams?.complete, true);
    assert.ok((lab.nvue.applied("leaf2").vrf as Record<string, unknown>)[outs.vrf]);
    assert.equal((await diffVpc("id", (await readVpc(ctx, "id", repaired.outs)).props, args)).changes, false);
  });

  it("leaving a site removes the VRF there", async () => {
    const { outs } = await createVpc(ctx, args);
    const { outs: after } = await updateVpc(ctx, "id", outs, { ...args, sites: ["ams"] });
    assert.equal(metalVrfs().length, 0);
    assert.deepEqual(Object.keys(after.realization), ["ams"]);
    await deleteVpc(ctx, "id", after);
    assert.equal((lab.nvue.applied("leaf1").vrf as Record<string, unknown> | undefined)?.prod, undefined);
    assert.deepEqual(await ledger.list({ owner: args.owner }), []);
  });

  it("a create that fails on one site undoes the other and releases its plan", async () => {
    lab.metal.setKnobs({
      faults: [
        { method: "POST", path: "/vrfs$", mode: "500", times: 50 },
        { method: "GET", path: "/vrfs$", mode: "500", times: 50 },
      ],
    });
    try {
      await assert.rejects(createVpc(ctx, { ...args, owner: "p/s/Vpc/broken", name: "broken" }));
    } finally {
      lab.metal.setKnobs({ faults: [] });
    }
    for (const leaf of ["leaf1", "leaf2"]) {
      assert.ok(
        !Object.keys((lab.nvue.applied(leaf).vrf as object | undefined) ?? {}).some((v) =>
          v.startsWith("broken"),
        ),
      );
    }
    assert.deepEqual(await ledger.list({ owner: "p/s/Vpc/broken" }), []);
  });

  it("plans an IPv6 /48 when asked", async () => {
    const { outs } = await createVpc(ctx, {
      ...args,
      owner: "p/s/Vpc/v6",
      name: "v6",
      sites: ["ams"],
      ipv6: true,
    });
    assert.match(outs.ipv6Cidr ?? "", /^fd00:[0-9a-f:]*\/48$/);
    await deleteVpc(ctx, "id", outs);
  });
});
