// Attachment handlers over the simulated fabric: a planned host address, the port configured on
// the leaf (or the Metal device port), netplan for the server, the tenancy guard, in-place mode
// changes, reachability inside a VPC and never across, and nothing left after delete.
import assert from "node:assert/strict";
import type { AttachmentArgs, AttachmentState, SubnetState, VpcState } from "../../provider/generated/schema";
import type { FileLedger } from "../../provider/ledger/file";
import {
  checkAttachment,
  createAttachment,
  deleteAttachment,
  readAttachment,
  updateAttachment,
} from "../../provider/resources/attachment";
import type { ProviderContext } from "../../provider/resources/common";
import { createSubnet } from "../../provider/resources/subnet";
import { createVpc } from "../../provider/resources/vpc";
import { labServers, type Lab } from "../../sim/lab";
import { canReach } from "../../sim/nvue";
import { labContext } from "./lab-context";

describe("Attachment over both fabrics", function () {
  this.timeout(60_000);
  let ctx: ProviderContext;
  let lab: Lab;
  let ledger: FileLedger;
  let prod: { id: string; outs: VpcState };
  let web: { id: string; outs: SubnetState };
  let db: { id: string; outs: SubnetState };
  let metal: { id: string; outs: SubnetState };
  let other: { id: string; outs: SubnetState };
  before(async () => {
    ({ ctx, lab, ledger } = await labContext());
    prod = await createVpc(ctx, { name: "prod", sites: ["ams", "da"], owner: "p/s/Vpc/prod", ipv6: true });
    web = await createSubnet(ctx, { vpc: prod.id, site: "ams", owner: "p/s/Subnet/web" });
    db = await createSubnet(ctx, { vpc: prod.id, site: "ams", owner: "p/s/Subnet/db" });
    metal = await createSubnet(ctx, { vpc: prod.id, site: "da", size: 28, owner: "p/s/Subnet/metal" });
    const dev = await createVpc(ctx, { name: "dev", sites: ["ams"], owner: "p/s/Vpc/dev" });
    other = await createSubnet(ctx, { vpc: dev.id, site: "ams", owner: "p/s/Subnet/other" });
  });
  after(() => lab?.close());

  const attach = (owner: string, args: Partial<AttachmentArgs>) =>
    createAttachment(ctx, { subnet: web.id, owner, ...args } as AttachmentArgs);
  const failureOn = async (args: Partial<AttachmentArgs>, field: string) => {
    const { failures } = await checkAttachment(ctx, {}, {
      subnet: web.id,
      owner: "p/s/Attachment/x",
      ...args,
    } as AttachmentArgs);
    const f = failures.find((x) => x.property === field);
    assert.ok(f, `expected a failure on ${field}: ${JSON.stringify(failures)}`);
    return f.reason;
  };

  let n1: { id: string; outs: AttachmentState };

  it("plans the first host address, puts the server's port in the VLAN, and writes netplan", async () => {
    n1 = await attach("p/s/Attachment/n1", { server: "node-1" });
    assert.equal(n1.outs.ip, web.outs.cidr.replace(/\.0\/24$/, ".2"));
    assert.equal(n1.outs.gateway, web.outs.gateway);
    assert.match(n1.outs.ipv6 ?? "", /^fd00:/);
    const port = (
      lab.nvue.applied("leaf1").interface as Record<
        string,
        { bridge: { domain: { br_default: { access: number } } } }
      >
    ).swp1!;
    assert.equal(port.bridge.domain.br_default.access, web.outs.vlan);
    assert.match(n1.outs.hostConfig, new RegExp(`addresses: \\[${n1.outs.ip}/24, ${n1.outs.ipv6}/64\\]`));
    assert.match(
      n1.outs.hostConfig,
      new RegExp(`to: ${prod.outs.cidr.replace(/\./g, "\\.")}\\n\\s+via: ${web.outs.gateway}`),
    );
  });

  it("takes an explicit address, and refuses one already used", async () => {
    const ip = web.outs.cidr.replace(/\.0\/24$/, ".50");
    const n3 = await attach("p/s/Attachment/n3", { server: "node-3", ip });
    assert.equal(n3.outs.ip, ip);
    assert.match(await failureOn({ server: "node-4", ip }, "ip"), /held by p\/s\/Attachment\/n3/);
    assert.match(
      await failureOn({ server: "node-4", ip: web.outs.gateway }, "ip"),
      /is the gateway of subnet .*, reserved for the fabric/,
    );
  });

  it("refuses a port that another VPC holds, naming the holder", async () => {
    const reason = await failureOn({ subnet: other.id, server: "node-1" }, "server");
    assert.match(reason, new RegExp(`belongs to VPC prod \\(p/s/Vpc/prod, ${prod.id}\\)`));
    await assert.rejects(
      attach("p/s/Attachment/steal", { subnet: other.id, server: "node-1" }),
      /held by another VPC/,
    );
  });

  it("rejects unknown servers and switches and a target on the wrong kind of site", async () => {
    assert.match(
      await failureOn({ server: "node-9" }, "server"),
      /not a server of site ams. Known servers: node-1/,
    );
    assert.match(
      await failureOn({ port: { switch: "leaf7", interface: "swp1" } }, "port.switch"),
      /does not have/,
    );
    assert.match(
      await failureOn({ metalDevice: { device: "node-1" } }, "metalDevice"),
      /cannot attach to the NVUE switch-fabric site/,
    );
    assert.match(
      await failureOn({ server: "node-1", port: { switch: "leaf1", interface: "swp3" } }, "port"),
      /cannot be given together with server/,
    );
  });

  it("changes access to trunk in place, with netplan for the tagged VLAN", async () => {
    const { outs } = await updateAttachment(ctx, n1.id, n1.outs, {
      subnet: web.id,
      server: "node-1",
      mode: "trunk",
      owner: n1.outs.owner,
    });
    const port = (
      lab.nvue.applied("leaf1").interface as Record<
        string,
        { bridge: { domain: { br_default: { vlan?: object; access?: number } } } }
      >
    ).swp1!;
    assert.deepEqual(Object.keys(port.bridge.domain.br_default.vlan ?? {}), [String(web.outs.vlan)]);
    assert.equal(port.bridge.domain.br_default.access, undefined);
    assert.match(
      outs.hostConfig,
      new RegExp(`eth0\\.${web.outs.vlan}:\\n\\s+id: ${web.outs.vlan}\\n\\s+link: eth0`),
    );
    assert.equal((await readAttachment(ctx, n1.id, outs)).props.realization.complete, true);
    n1 = {
      id: n1.id,
      outs: (
        await updateAttachment(ctx, n1.id, outs, { subnet: web.id, server: "node-1", owner: n1.outs.owner })
      ).outs,
    };
  });

  it("puts a Metal device's bond0 into the subnet's VLAN", async () => {
    const m = await createAttachment(ctx, {
      subnet: metal.id,
      metalDevice: { device: "node-2" },
      owner: "p/s/Attachment/m",
    });
    assert.ok("portId" in m.outs.target, "a Metal device port");
    const portId = m.outs.target.portId;
    const port = lab.metal.snapshot().ports.find((p) => p.id === portId)!;
    assert.ok(port.vxlans.includes(metal.outs.vlan));
    assert.match(m.outs.hostConfig, /bond0:/);
    await deleteAttachment(ctx, m.id, m.outs);
    assert.ok(
      !lab.metal
        .snapshot()
        .ports.find((p) => p.id === portId)!
        .vxlans.includes(metal.outs.vlan),
    );
  });

  it("servers of one VPC reach each other across subnets; another VPC's never", async () => {
    const n2 = await attach("p/s/Attachment/n2", { subnet: db.id, server: "node-2" });
    const o4 = await attach("p/s/Attachment/o4", { subnet: other.id, server: "node-4" });
    const configs = { leaf1: lab.nvue.applied("leaf1"), leaf2: lab.nvue.applied("leaf2") };
    const ports = Object.entries(labServers).map(([server, p]) => ({
      server,
      switch: p.switch,
      port: p.port,
    }));
    const ep = (server: string, a: AttachmentState) => ({ server, ip: `${a.ip}/${a.prefixLength}` });
    const inside = canReach(configs, ports, ep("node-1", n1.outs), ep("node-2", n2.outs));
    assert.ok(inside.reachable, inside.reason);
    assert.equal(inside.via, "routed");
    const across = canReach(configs, ports, ep("node-1", n1.outs), ep("node-4", o4.outs));
    assert.ok(!across.reachable, across.reason);
  });

  it("keeps a ledger record for lookups by id, and refresh restores one that is missing", async () => {
    assert.deepEqual(await ledger.getRecord("attachment", n1.id), n1.outs);
    await ledger.deleteRecord("attachment", n1.id);
    await readAttachment(ctx, n1.id, n1.outs);
    assert.equal((await ledger.getRecord<AttachmentState>("attachment", n1.id))?.ip, n1.outs.ip);
  });

  it("delete clears the port and the plan, and frees the port for another VPC", async () => {
    await deleteAttachment(ctx, n1.id, n1.outs);
    await deleteAttachment(ctx, n1.id, n1.outs); // already gone: fine
    assert.equal(
      (lab.nvue.applied("leaf1").interface as Record<string, { bridge?: unknown }>).swp1?.bridge,
      undefined,
    );
    assert.deepEqual(await ledger.list({ owner: n1.outs.owner }), []);
    const { failures } = await checkAttachment(
      ctx,
      {},
      { subnet: other.id, server: "node-1", owner: "p/s/Attachment/next" },
    );
    assert.deepEqual(failures, []);
  });
});
