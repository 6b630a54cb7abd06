// Equinix Metal: an attachment puts a device port (bond0 by default) on the subnet's VLAN, native
// for access mode. What the port was before anyvpc first changed it (network type, bond
// membership) is recorded once per port, for every attachment of the VPC that shares it, so that
// the last attachment's delete gives it back.
import { InputError } from "../../errors";
import type { MetalDeviceTarget, SubnetState } from "../../generated/schema";
import type { MetalClient } from "../../drivers/metal/client";
import {
  ensurePortVlan,
  portBefore,
  removePortVlan,
  restorePort,
  type MetalSite,
  type PortBefore,
} from "../../drivers/metal/realize";
import { portKeys, records } from "../../ledger/keys";
import { mayRecordPortBefore } from "../../ledger/upgrade";
import type { AttachmentRealizer } from "../adapter";
import { netplanFor } from "../netplan";
import { isMetalDevice, metalSubnetOf, type AttachmentTarget } from "../targets";

/** The device and port of a target resolved at a Metal site. */
export function devicePortOf(target: AttachmentTarget): MetalDeviceTarget {
  if (!isMetalDevice(target))
    throw new Error(`attachment target ${JSON.stringify(target)} is not a Metal device port`);
  return target;
}

export function metalAttachment(siteName: string, metal: MetalClient, site: MetalSite): AttachmentRealizer {
  const portKey = (target: AttachmentTarget) => {
    const p = devicePortOf(target);
    return portKeys.devicePort(siteName, p.device, p.port);
  };
  const subnetVlanId = async (ctx: Parameters<AttachmentRealizer["read"]>[0], subnet: string) =>
    metalSubnetOf((await ctx.ledger.getRecord<SubnetState>(records.subnet, subnet))?.realization)?.vlanId;
  return {
    portKey,
    async resolveTarget(_ctx, args) {
      // Devices are named by id or hostname; the port is keyed by the device's id, whichever was used.
      const wanted = args.metalDevice?.device ?? args.server;
      if (wanted === undefined)
        return {
          ok: false,
          errors: [
            {
              field: "metalDevice",
              value: undefined,
              problem: "is required",
              fix: "Give metalDevice or server",
            },
          ],
        };
      const field = args.metalDevice ? "metalDevice.device" : "server";
      const device = (await metal.listDevices(site.projectId)).find(
        (d) => d.id === wanted || d.hostname === wanted,
      );
      if (!device)
        return {
          ok: false,
          errors: [
            {
              field,
              value: wanted,
              problem: `is not a device of the Metal project at site ${siteName}`,
              fix: "Use a device id or hostname of the project",
            },
          ],
        };
      const portName = args.metalDevice?.port ?? "bond0";
      const port = (device.network_ports ?? []).find((p) => p.name === portName);
      if (!port)
        return {
          ok: false,
          errors: [
            {
              field: "metalDevice.port",
              value: portName,
              problem: `is not a port of ${device.hostname ?? device.id}`,
              fix: "Use bond0, eth0 or eth1",
            },
          ],
        };
      const target = {
        device: device.id,
        hostname: device.hostname ?? device.id,
        port: portName,
        portId: port.id,
      };
      return { ok: true, target, portKey: portKey(target) };
    },
    // bond0 is Metal's LACP bond of eth0 and eth1 (layer2-bonded keeps it); another port (eth1 in
    // hybrid mode) is a NIC of its own, out of the bond.
    hostConfig(a, vpcRoutes, hostInterface) {
      const { port } = devicePortOf(a.target);
      const name = hostInterface ?? port;
      return netplanFor(
        a,
        vpcRoutes,
        port === "bond0" ? { name, bondMembers: ["eth0", "eth1"], bondMode: "802.3ad" } : { name },
      );
    },
    async realize(ctx, a, { fresh, attachmentIdOf }) {
      const vlanId = await subnetVlanId(ctx, a.subnet);
      if (!vlanId)
        throw new InputError({
          resource: "Attachment",
          field: "subnet",
          value: a.subnet,
          problem: "has no VLAN on the Metal site yet",
        });
      const { device, portId } = devicePortOf(a.target);
      if (
        !(await ctx.ledger.getRecord(records.metalPortBefore, portId)) &&
        (await mayRecordPortBefore(ctx.ledger, {
          key: portKey(a.target),
          owner: a.owner,
          fresh,
          attachmentIdOf,
        }))
      ) {
        const before = await portBefore(metal, device, portId);
        await ctx.ledger.updateRecord<PortBefore>(
          records.metalPortBefore,
          portId,
          (current) => current ?? before,
        );
      }
      await ensurePortVlan(metal, { portId, vlanId, vxlan: a.vlan, native: a.mode === "access" });
    },
    async read(_ctx, a) {
      const port = await metal.getPort(devicePortOf(a.target).portId);
      return (port.virtual_networks ?? []).some((v) => v.vxlan === a.vlan);
    },
    async unrealize(ctx, a, { lastUse, restore }) {
      const { portId } = devicePortOf(a.target);
      await removePortVlan(metal, {
        portId,
        vlanId: (await subnetVlanId(ctx, a.subnet)) ?? "",
        vxlan: a.vlan,
      });
      const before = await ctx.ledger.getRecord<PortBefore>(records.metalPortBefore, portId);
      if (restore && lastUse && before && (await restorePort(metal, portId, before)))
        await ctx.ledger.deleteRecord(records.metalPortBefore, portId);
    },
  };
}
