// What the switch-fabric kinds (NVUE, EOS) share about attachment targets: a server is found in the
// site's cabling map, a port is named by switch and interface, and the switch must be the site's.
import type {
  AttachmentArgs,
  AttachmentState,
  LoadBalancerState,
  SwitchPortTarget,
} from "../generated/schema";
import { portKeys, records } from "../ledger/keys";
import type { SiteContext, TargetResolution } from "./adapter";
import { isSwitchPort, type AttachmentTarget } from "./targets";

interface Cabling {
  switches: Record<string, unknown>;
  servers: Record<string, { switch: string; port: string } | undefined>;
}

/** The switch and interface of a target resolved at a switch site. */
export function switchPortOf(target: AttachmentTarget): SwitchPortTarget {
  if (!isSwitchPort(target))
    throw new Error(`attachment target ${JSON.stringify(target)} is not a switch port`);
  return target;
}

export const switchPortKey = (siteName: string) => (target: AttachmentTarget) => {
  const p = switchPortOf(target);
  return portKeys.switchPort(siteName, p.switch, p.interface);
};

/**
 * Finds the switch port of `server` or `port`. `interfaces` is what the kind calls a port, with
 * the fix to give when a port is not one.
 */
export function resolveSwitchPort(
  siteName: string,
  cabling: Cabling,
  args: Pick<Partial<AttachmentArgs>, "server" | "port">,
  interfaces: { pattern: RegExp; fix: string },
): TargetResolution {
  const refuse = (field: string, value: unknown, problem: string, fix: string): TargetResolution => ({
    ok: false,
    errors: [{ field, value, problem, fix }],
  });
  let target: { switch: string; interface: string };
  if (args.server !== undefined) {
    const sp = cabling.servers[args.server];
    if (!sp)
      return refuse(
        "server",
        args.server,
        `is not a server of site ${siteName}`,
        `Known servers: ${Object.keys(cabling.servers).join(", ") || "none"}`,
      );
    target = { switch: sp.switch, interface: sp.port };
  } else if (args.port !== undefined) target = args.port;
  else return refuse("port", undefined, "is required", "Give server or port");
  if (!cabling.switches[target.switch])
    return refuse(
      args.port ? "port.switch" : "server",
      args.port ? target.switch : args.server,
      `names switch ${target.switch}, which site ${siteName} does not have`,
      `Known switches: ${Object.keys(cabling.switches).join(", ")}`,
    );
  if (!interfaces.pattern.test(target.interface))
    return refuse(
      args.port ? "port.interface" : "server",
      args.port ? target.interface : args.server,
      `names port ${target.interface}, which is not a port of site ${siteName}'s switches`,
      interfaces.fix,
    );
  return { ok: true, target, portKey: switchPortKey(siteName)(target) };
}

/** A switch site's switches with their API credentials, as the drivers take them. */
export function switchLogins(
  switches: Record<string, { url: string; username: string; password: string; caPem?: string } | undefined>,
) {
  return Object.entries(switches).flatMap(([name, s]) =>
    s ? [{ name, url: s.url, username: s.username, password: s.password, caPem: s.caPem }] : [],
  );
}

/** A load balancer's backends on a switch site: their ports and addresses, by switch. */
export async function backendsBySwitch(
  ctx: SiteContext,
  lb: LoadBalancerState,
): Promise<Map<string, { ports: string[]; ips: string[] }>> {
  const out = new Map<string, { ports: string[]; ips: string[] }>();
  for (const b of lb.backends) {
    const a = await ctx.ledger.getRecord<AttachmentState>(records.attachment, b.attachment);
    if (!a || !isSwitchPort(a.target)) continue;
    const at = out.get(a.target.switch) ?? { ports: [], ips: [] };
    if (!at.ports.includes(a.target.interface)) at.ports.push(a.target.interface);
    at.ips.push(a.ip);
    out.set(a.target.switch, at);
  }
  return out;
}
