// NVUE: an attachment is a switch port's access VLAN or trunk membership. The port's bridge
// settings before anyvpc first changed it are recorded (once per port) for the last attachment's
// delete to put back.
import type { NvueSiteConfig } from "../../generated/schema";
import type { ConfigValue } from "../../drivers/nvue/client";
import { portChanges, removePortChanges } from "../../drivers/nvue/intent";
import { holds, type NvueSite } from "../../drivers/nvue/site";
import { portKeys, records } from "../../ledger/keys";
import { mayRecordPortBefore } from "../../ledger/upgrade";
import type { AttachmentRealizer, AttachmentTarget } from "../adapter";

/** A switch port before anyvpc first changed it: whether it was configured, and its bridge settings. */
interface NvuePortBefore {
  interfaceExisted: boolean;
  bridge: ConfigValue;
}

/** The switch and interface of a target resolved at a switch site. */
export function switchPortOf(target: AttachmentTarget): { switch: string; interface: string } {
  if (target.switch === undefined || target.interface === undefined)
    throw new Error(`attachment target ${JSON.stringify(target)} is not a switch port`);
  return { switch: target.switch, interface: target.interface };
}

const modeOf = (mode: string) => (mode === "trunk" ? "trunk" : "access");

export function nvueAttachment(siteName: string, config: NvueSiteConfig, nvue: NvueSite): AttachmentRealizer {
  const portKey = (target: AttachmentTarget) => {
    const p = switchPortOf(target);
    return portKeys.switchPort(siteName, p.switch, p.interface);
  };
  return {
    portKey,
    async resolveTarget(_ctx, args) {
      let target: { switch: string; interface: string } | undefined;
      if (args.server !== undefined) {
        const sp = config.servers[args.server];
        if (!sp)
          return {
            ok: false,
            errors: [
              {
                field: "server",
                value: args.server,
                problem: `is not a server of site ${siteName}`,
                fix: `Known servers: ${Object.keys(config.servers).join(", ") || "none"}`,
              },
            ],
          };
        target = { switch: sp.switch, interface: sp.port };
      } else target = args.port!;
      if (!config.switches[target.switch])
        return {
          ok: false,
          errors: [
            {
              field: args.port ? "port.switch" : "server",
              value: args.port ? target.switch : args.server,
              problem: `names switch ${target.switch}, which site ${siteName} does not have`,
              fix: `Known switches: ${Object.keys(config.switches).join(", ")}`,
            },
          ],
        };
      return { ok: true, target, portKey: portKey(target) };
    },
    async realize(ctx, a, { fresh, attachmentIdOf }) {
      const port = switchPortOf(a.target);
      const key = portKey(a.target);
      if (
        !(await ctx.ledger.getRecord(records.nvuePortBefore, key)) &&
        (await mayRecordPortBefore(ctx.ledger, { key, owner: a.owner, fresh, attachmentIdOf }))
      ) {
        const iface = await nvue.read(port.switch, ["interface", port.interface]);
        const bridge = iface !== null && typeof iface === "object" ? iface.bridge : undefined;
        const before: NvuePortBefore = { interfaceExisted: iface !== undefined, bridge: bridge ?? null };
        await ctx.ledger.updateRecord<NvuePortBefore>(
          records.nvuePortBefore,
          key,
          (current) => current ?? before,
        );
      }
      await nvue.ensure(
        port.switch,
        portChanges({ port: port.interface, vlan: a.vlan, mode: modeOf(a.mode) }),
      );
    },
    async read(_ctx, a) {
      const port = switchPortOf(a.target);
      const want = portChanges({ port: port.interface, vlan: a.vlan, mode: modeOf(a.mode) })[0]!;
      return holds(await nvue.read(port.switch, want.path), want.value);
    },
    async unrealize(ctx, a, { lastUse, restore }) {
      const port = switchPortOf(a.target);
      await nvue.ensure(
        port.switch,
        removePortChanges({ port: port.interface, vlan: a.vlan, mode: modeOf(a.mode), lastUse }),
      );
      if (!lastUse || !restore) return;
      // The last attachment gives the port back its own bridge settings, and an interface anyvpc
      // brought into the config leaves it again (not even an empty object stays).
      const key = portKey(a.target);
      const before = await ctx.ledger.getRecord<NvuePortBefore>(records.nvuePortBefore, key);
      if (before?.bridge)
        await nvue.ensure(port.switch, [
          { path: ["interface", port.interface, "bridge"], value: before.bridge },
        ]);
      if (!before?.interfaceExisted) await nvue.removeIfEmpty(port.switch, ["interface", port.interface]);
      await ctx.ledger.deleteRecord(records.nvuePortBefore, key);
    },
  };
}
