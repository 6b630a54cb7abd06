// Many attachments of one VPC created and destroyed in parallel on the same leaves and ports, 20
// times over, on both ledger engines and on both switch kinds (NVUE site ams, EOS site fra): every port-users change is kept (no read-modify-write lost),
// and after each round nothing of the attachments is left in the ledger or on the switches.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { AttachmentState, SubnetState, VpcState } from "../../provider/generated/schema";
import type { Ledger } from "../../provider/ledger/ledger";
import { createAttachment, deleteAttachment } from "../../provider/resources/attachment";
import type { ProviderContext } from "../../provider/resources/common";
import { createSubnet, deleteSubnet } from "../../provider/resources/subnet";
import { createVpc, deleteVpc } from "../../provider/resources/vpc";
import { labEosServers, labServers, type Lab } from "../../sim/lab";
import { childTree } from "../../sim/nvue";
import { engines, openLedger } from "../ledger/engines";
import { labContext } from "./lab-context";

type Made<T> = { id: string; outs: T };

/** A switch site of the lab, its servers, and whether a port is back to holding nothing of anyvpc. */
const sites = [
  {
    site: "ams",
    servers: labServers,
    portIsBare: (lab: Lab, leaf: string, port: string) =>
      childTree(lab.nvue.applied(leaf), "interface", port) === undefined,
  },
  {
    site: "fra",
    servers: labEosServers,
    portIsBare: (lab: Lab, leaf: string, port: string) =>
      new RegExp(`^interface ${port}\n(?! )`, "m").test(lab.eos.runningConfig(leaf)),
  },
];

for (const engine of engines)
  for (const { site, servers: cabling, portIsBare } of sites)
    describe(`concurrent attachments on shared ports (${engine.name} ledger, site ${site})`, function () {
      this.timeout(900_000);
      let ctx: ProviderContext;
      let lab: Lab;
      let ledger: Ledger;
      // Owners unique to this run: the PostgreSQL ledger is shared with other tests and runs.
      const run = `conc-${randomBytes(4).toString("hex")}/s`;
      let prod: Made<VpcState>;
      const subnets: Made<SubnetState>[] = [];

      before(async () => {
        ({ ctx, lab, ledger } = await labContext(openLedger(engine.fresh())));
        prod = await createVpc(ctx, { name: "prod", sites: [site], owner: `${run}/Vpc/prod` });
        for (const n of ["web", "db"])
          subnets.push(await createSubnet(ctx, { vpc: prod.id, site, owner: `${run}/Subnet/${n}` }));
      });
      after(async () => {
        for (const s of subnets) await deleteSubnet(ctx, s.id, s.outs);
        await deleteVpc(ctx, prod.id, prod.outs);
        await ledger.close();
        await lab.close();
      });

      it("20 rounds of 8 parallel creates then 8 parallel deletes, 2 attachments per port: nothing lost, nothing left", async () => {
        const servers = Object.keys(cabling);
        const portKeys = servers.map((s) => `${site}/${cabling[s]!.switch}/${cabling[s]!.port}`);
        for (let round = 0; round < 20; round++) {
          const made: Made<AttachmentState>[] = await Promise.all(
            servers.flatMap((server) =>
              subnets.map((subnet, i) =>
                createAttachment(ctx, {
                  subnet: subnet.id,
                  server,
                  mode: "trunk",
                  owner: `${run}/Attachment/${server}-${i}-r${round}`,
                }),
              ),
            ),
          );
          for (const key of portKeys) {
            const users = (await ledger.getRecord<string[]>("port-users", key)) ?? [];
            assert.equal(users.length, 2, `round ${round}: both attachments on ${key} are recorded`);
          }
          await Promise.all(made.map((a) => deleteAttachment(ctx, a.id, a.outs)));
          for (const key of portKeys)
            assert.equal(
              await ledger.getRecord("port-users", key),
              undefined,
              `round ${round}: ${key} is free`,
            );
          const left = (await ledger.list()).filter(
            (a) => a.owner.startsWith(run) && !/\/(Vpc|Subnet)\//.test(a.owner),
          );
          assert.deepEqual(left, [], `round ${round}: no attachment allocation or port hold left`);
          for (const server of servers) {
            const { switch: leaf, port } = cabling[server]!;
            assert.ok(portIsBare(lab, leaf, port), `round ${round}: ${leaf} ${port} holds nothing of anyvpc`);
          }
        }
      });
    });
