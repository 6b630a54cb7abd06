// State written by earlier versions (provider/ledger/upgrade.ts): records of version 1 read as they
// are; an unknown version is refused; and ports changed by attachments from before anyvpc recorded
// a port's prior state are never recorded with anyvpc's own changes as that state, so deleting their
// attachments restores nothing (the accepted v1 behaviour) instead of writing a released VLAN back.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AttachmentState, SubnetState, VpcState } from "../../provider/generated/schema";
import { FileLedger } from "../../provider/ledger/file";
import { ledgerKeysVersion, records, type RecordKind } from "../../provider/ledger/keys";
import { mayRecordPortBefore, upgradeRecord, upgradeSteps } from "../../provider/ledger/upgrade";
import { createAttachment, deleteAttachment, updateAttachment } from "../../provider/resources/attachment";
import type { ProviderContext } from "../../provider/resources/common";
import { createSubnet } from "../../provider/resources/subnet";
import { createVpc } from "../../provider/resources/vpc";
import type { Lab } from "../../sim/lab";
import { childTree } from "../../sim/nvue";
import { labContext } from "../resources/lab-context";

const tempLedger = () =>
  new FileLedger(path.join(mkdtempSync(path.join(tmpdir(), "anyvpc-up-")), "ledger.json"));

describe("upgradeRecord", () => {
  it("has one step per version before this one", () => {
    assert.equal(upgradeSteps.length, ledgerKeysVersion - 1);
  });

  it("reads every kind of version-1 record as it is", () => {
    const written: Record<RecordKind, unknown> = {
      vpc: { owner: "p/s/Vpc/prod", name: "prod", sites: ["ams"], cidr: "10.0.0.0/16", size: 16 },
      subnet: { vpc: "vpc-89a71bea4c14", site: "ams", cidr: "10.0.0.0/24", vlan: 100 },
      attachment: { subnet: "subnet-f417fade2b2e", ip: "10.0.0.4", target: { switch: "leaf1" } },
      "port-users": ["p/s/Attachment/n1", "p/s/Attachment/n2"],
      "backend-users": ["loadbalancer-0123456789ab"],
      "metal-port-before": { networkType: "layer3", requestIps: [{ address_family: 4, public: true }] },
      "nvue-port-before": { interfaceExisted: true, bridge: { domain: { br_default: { access: 10 } } } },
      "eos-port-before": { lines: ["description rack 4", "switchport access vlan 10"] },
    };
    assert.deepEqual(Object.keys(written).sort(), Object.values(records).sort());
    for (const [kind, data] of Object.entries(written))
      assert.deepEqual(upgradeRecord(kind as RecordKind, structuredClone(data), 1), data);
  });

  it("refuses a version it does not know", () => {
    for (const v of [0, ledgerKeysVersion + 1, 1.5, Number.NaN])
      assert.throws(() => upgradeRecord(records.vpc, {}, v), /the ledger holds a vpc record of version/);
  });
});

describe("mayRecordPortBefore (ports of v1 attachments)", () => {
  const key = "ams/leaf1/swp5";
  const idOf = (owner: string) => `attachment-${owner.split("/").pop()}`;
  const may = (ledger: FileLedger, owner: string, fresh: boolean) =>
    mayRecordPortBefore(ledger, { key, owner, fresh, attachmentIdOf: idOf });

  it("lets a new attachment record a port nobody else uses", async () => {
    const ledger = tempLedger();
    await ledger.putRecord(records.portUsers, key, ["p/s/Attachment/a"]);
    assert.equal(await may(ledger, "p/s/Attachment/a", true), true);
  });

  it("lets it record a port others are still being created on (parallel creates)", async () => {
    const ledger = tempLedger();
    await ledger.putRecord(records.portUsers, key, ["p/s/Attachment/a", "p/s/Attachment/b"]);
    assert.equal(await may(ledger, "p/s/Attachment/b", true), true);
  });

  it("does not when a finished attachment is on the port (it changed the port, unrecorded)", async () => {
    const ledger = tempLedger();
    await ledger.putRecord(records.portUsers, key, ["p/s/Attachment/a", "p/s/Attachment/b"]);
    await ledger.putRecord(records.attachment, "attachment-a", { owner: "p/s/Attachment/a" });
    assert.equal(await may(ledger, "p/s/Attachment/b", true), false);
  });

  it("does not when the attachment is realized again (it changed the port itself)", async () => {
    const ledger = tempLedger();
    await ledger.putRecord(records.portUsers, key, ["p/s/Attachment/a"]);
    assert.equal(await may(ledger, "p/s/Attachment/a", false), false);
  });
});

type Made<T> = { id: string; outs: T };

describe("switch ports of v1 attachments", function () {
  this.timeout(300_000);
  let ctx: ProviderContext;
  let lab: Lab;
  let web: Made<SubnetState>;
  let db: Made<SubnetState>;
  const port = (name: string) => childTree(lab.nvue.applied("leaf1"), "interface", name);
  const attach = (name: string, subnet: string, iface: string, mode: "access" | "trunk") =>
    createAttachment(ctx, {
      subnet,
      port: { switch: "leaf1", interface: iface },
      mode,
      owner: `p/s/Attachment/${name}`,
    });
  const detach = (a: Made<AttachmentState>) => deleteAttachment(ctx, a.id, a.outs);
  /** The ledger as a version that kept no port records left it: the attachment, and no record. */
  const asV1 = (iface: string) => ctx.ledger.deleteRecord(records.nvuePortBefore, `ams/leaf1/${iface}`);
  const portRecord = (iface: string) => ctx.ledger.getRecord(records.nvuePortBefore, `ams/leaf1/${iface}`);

  before(async () => {
    ({ ctx, lab } = await labContext());
    const prod: Made<VpcState> = await createVpc(ctx, {
      name: "prod",
      sites: ["ams"],
      owner: "p/s/Vpc/prod",
    });
    web = await createSubnet(ctx, { vpc: prod.id, site: "ams", owner: "p/s/Subnet/web" });
    db = await createSubnet(ctx, { vpc: prod.id, site: "ams", owner: "p/s/Subnet/db" });
  });
  after(() => lab?.close());

  it("a new attachment on such a port records nothing, and the last delete writes no VLAN back", async () => {
    assert.equal(port("swp11"), undefined);
    const a = await attach("v1-a", web.id, "swp11", "trunk");
    await asV1("swp11");
    const b = await attach("v1-b", db.id, "swp11", "trunk");
    assert.equal(await portRecord("swp11"), undefined);
    await detach(a);
    await detach(b);
    assert.equal(port("swp11"), undefined);
  });

  it("realizing such an attachment again records nothing, and its delete writes no VLAN back", async () => {
    assert.equal(port("swp12"), undefined);
    const a = await attach("v1-c", web.id, "swp12", "access");
    await asV1("swp12");
    const { outs } = await updateAttachment(ctx, a.id, a.outs, {
      subnet: web.id,
      port: { switch: "leaf1", interface: "swp12" },
      hostInterface: "eth1",
      owner: "p/s/Attachment/v1-c",
    });
    assert.equal(await portRecord("swp12"), undefined);
    await detach({ id: a.id, outs });
    assert.equal(port("swp12"), undefined);
  });
});
