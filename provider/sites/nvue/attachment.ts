// NVUE: an attachment is a switch port's access VLAN or trunk membership. The port's bridge
// settings before anyvpc first changed it are recorded (once per port) for the last attachment's
// delete to put back.
import type { NvueSiteConfig } from "../../generated/schema";
import type { ConfigValue } from "../../drivers/nvue/client";
import { portChanges, removePortChanges } from "../../drivers/nvue/intent";
import { holds, type NvueSite } from "../../drivers/nvue/site";
import { records } from "../../ledger/keys";
import { mayRecordPortBefore } from "../../ledger/upgrade";
import type { AttachmentRealizer } from "../adapter";
import { netplanFor } from "../netplan";
import { resolveSwitchPort, switchPortKey, switchPortOf } from "../switch-ports";

/** A switch port before anyvpc first changed it: whether it was configured, and its bridge settings. */
interface NvuePortBefore {
  interfaceExisted: boolean;
  bridge: ConfigValue;
}

const modeOf = (mode: string) => (mode === "trunk" ? "trunk" : "access");

export function nvueAttachment(siteName: string, config: NvueSiteConfig, nvue: NvueSite): AttachmentRealizer {
  const portKey = switchPortKey(siteName);
  return {
    portKey,
    async resolveTarget(_ctx, args) {
      return resolveSwitchPort(siteName, config, args, {
        pattern: /^(swp[0-9]+(s[0-9]+)?|bond[0-9]+)$/,
        fix: "Use a Cumulus port such as swp5 or bond1",
      });
    },
    // The server's NIC cabled to the switch port; eth0 unless the program names it.
    hostConfig: (a, vpcRoutes, hostInterface) => netplanFor(a, vpcRoutes, { name: hostInterface ?? "eth0" }),
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
