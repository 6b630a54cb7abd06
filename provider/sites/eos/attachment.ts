// EOS: an attachment is a switch port's access VLAN or a VLAN on its trunk. The port's own lines
// before anyvpc first changed it are recorded (once per port); the last attachment's delete puts
// the port back to its defaults and replays them, so the port ends exactly as it was.
import type { EosSiteConfig } from "../../generated/schema";
import { portLines, removePortLines } from "../../drivers/eos/intent";
import { holdsLines, type ConfigNode, type EosSite } from "../../drivers/eos/site";
import { records } from "../../ledger/keys";
import { mayRecordPortBefore } from "../../ledger/upgrade";
import type { AttachmentRealizer } from "../adapter";
import { netplanFor } from "../netplan";
import { resolveSwitchPort, switchPortKey, switchPortOf } from "../switch-ports";

/** An EOS port before anyvpc first changed it: its lines in the running-config (depth-first, with exits). */
interface EosPortBefore {
  lines: string[];
}

/** The lines of a node's children as CLI input: sub-modes entered, filled and left again. */
function linesOf(node: ConfigNode): string[] {
  return node.children.flatMap((c) => (c.children.length ? [c.line, ...linesOf(c), "exit"] : [c.line]));
}

const modeOf = (mode: string) => (mode === "trunk" ? "trunk" : "access");

export function eosAttachment(siteName: string, config: EosSiteConfig, eos: EosSite): AttachmentRealizer {
  const portKey = switchPortKey(siteName);
  return {
    portKey,
    async resolveTarget(_ctx, args) {
      return resolveSwitchPort(siteName, config, args, {
        pattern: /^Ethernet[0-9]{1,3}(\/[0-9]{1,3}){0,2}$/,
        fix: "Use an EOS interface such as Ethernet5 or Ethernet1/1",
      });
    },
    // The server's NIC cabled to the switch port; eth0 unless the program names it.
    hostConfig: (a, vpcRoutes, hostInterface) => netplanFor(a, vpcRoutes, { name: hostInterface ?? "eth0" }),
    async realize(ctx, a, { fresh, attachmentIdOf }) {
      const port = switchPortOf(a.target);
      const key = portKey(a.target);
      const users = (await ctx.ledger.getRecord<string[]>(records.portUsers, key)) ?? [];
      if (
        !(await ctx.ledger.getRecord(records.eosPortBefore, key)) &&
        (await mayRecordPortBefore(ctx.ledger, { key, owner: a.owner, fresh, attachmentIdOf }))
      ) {
        const iface = (await eos.read(port.switch)).children.find(
          (c) => c.line === `interface ${port.interface}`,
        );
        const before: EosPortBefore = { lines: iface ? linesOf(iface) : [] };
        await ctx.ledger.updateRecord<EosPortBefore>(
          records.eosPortBefore,
          key,
          (current) => current ?? before,
        );
      }
      await eos.ensure(
        port.switch,
        portLines({
          port: port.interface,
          vlan: a.vlan,
          mode: modeOf(a.mode),
          firstUse: users.every((u) => u === a.owner),
        }),
      );
    },
    async read(_ctx, a) {
      const port = switchPortOf(a.target);
      // Whether the port carries the VLAN (a trunk's first-use form and later adds read back alike).
      const want = portLines({ port: port.interface, vlan: a.vlan, mode: modeOf(a.mode), firstUse: false });
      return holdsLines(await eos.read(port.switch), want);
    },
    async unrealize(ctx, a, { lastUse, restore }) {
      const port = switchPortOf(a.target);
      const key = portKey(a.target);
      const before =
        lastUse && restore
          ? await ctx.ledger.getRecord<EosPortBefore>(records.eosPortBefore, key)
          : undefined;
      if (before) {
        // The port back to its defaults, then its own lines again: exactly as before anyvpc.
        await eos.ensure(port.switch, [
          `default interface ${port.interface}`,
          `interface ${port.interface}`,
          ...before.lines,
          "exit",
        ]);
        await ctx.ledger.deleteRecord(records.eosPortBefore, key);
        return;
      }
      await eos.ensure(
        port.switch,
        removePortLines({ port: port.interface, vlan: a.vlan, mode: modeOf(a.mode), lastUse }),
      );
    },
  };
}
