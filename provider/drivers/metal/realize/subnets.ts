// Subnet teardown (VLAN off every port, gateway, reservation, VLAN): GET /projects/{id}/devices,
// GET /projects/{id}/metal-gateways, DELETE /metal-gateways/{id}, /ips/{id}, /virtual-networks/{id}.
import type { MetalClient } from "../client";
import { deleteIfPresent, idOf, isGone, pollUntil, type MetalSite, type PollOptions } from "./common";
import { removePortVlan } from "./ports";

/**
 * Tears a subnet down in reverse order, confirming each step: unassign the VLAN from every port of
 * the project that still carries it, delete the gateway and wait until it is gone, then the
 * reservation, then the VLAN. Each step tolerates what is already gone, so a repeated teardown
 * (after a crash) finishes the job.
 */
export async function teardownSubnet(
  client: MetalClient,
  site: MetalSite,
  spec: { vlanId: string; vxlan: number; reservationId?: string },
  poll: PollOptions = {},
): Promise<void> {
  for (const device of await client.listDevices(site.projectId)) {
    for (const p of device.network_ports ?? []) {
      await removePortVlan(client, { portId: p.id, vlanId: spec.vlanId, vxlan: spec.vxlan }, poll);
    }
  }
  const gateways = (await client.listGateways(site.projectId)).filter(
    (g) => idOf(g.virtual_network) === spec.vlanId,
  );
  for (const g of gateways) {
    await deleteIfPresent(() => client.deleteGateway(g.id));
    await pollUntil(
      async () => {
        try {
          await client.getGateway(g.id);
          return false;
        } catch (e) {
          if (isGone(e)) return true;
          throw e;
        }
      },
      (gone) => gone,
      `metal gateway ${g.id} to be deleted`,
      poll,
    );
  }
  const reservationId = spec.reservationId ?? idOf(gateways[0]?.ip_reservation);
  if (reservationId) await deleteIfPresent(() => client.deleteIp(reservationId));
  await deleteIfPresent(() => client.deleteVlan(spec.vlanId));
}
