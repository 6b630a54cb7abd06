// A BIRD 2 configuration for a backend's BGP speaker that announces a load balancer VIP as a /32
// to its peers and nothing else. Pure: the same renderer serves Equinix Metal's routers and the
// leaves of a switch fabric. It never holds a secret: where a session needs a password it says
// `password "<from the bgpPassword output>";`, replaced on the host with the secret output.

export const BGP_PASSWORD_PLACEHOLDER = "<from the bgpPassword output>";

export interface SpeakerSession {
  /** BIRD protocol name, e.g. metal_v4_1. */
  name: string;
  description: string;
  localAddress: string;
  localAsn: number;
  peerAddress: string;
  peerAsn: number;
  multihop: boolean;
  password: boolean;
}

export function birdSpeakerConfig(spec: {
  vip: string;
  routerId: string;
  /** Comment lines at the top (what to do on the host). */
  header: string[];
  /** Comment lines after the VIP's filter (warnings). */
  notes?: string[];
  sessions: SpeakerSession[];
}): string {
  const lines = [
    ...spec.header.map((h) => `# ${h}`),
    `router id ${spec.routerId};`,
    ``,
    `protocol device {`,
    `}`,
    ``,
    `protocol static anyvpc_vip {`,
    `  ipv4;`,
    `  route ${spec.vip}/32 via "lo";`,
    `}`,
    ``,
    `filter anyvpc_vip_only {`,
    `  if net = ${spec.vip}/32 then accept;`,
    `  reject;`,
    `}`,
  ];
  if (spec.notes?.length) lines.push(``, ...spec.notes.map((n) => `# ${n}`));
  for (const s of spec.sessions) {
    lines.push(
      ``,
      `protocol bgp ${s.name} {`,
      `  description "${s.description}";`,
      `  local ${s.localAddress} as ${s.localAsn};`,
      `  neighbor ${s.peerAddress} as ${s.peerAsn};`,
      s.multihop ? `  multihop 2;` : `  direct;`,
      ...(s.password ? [`  password "${BGP_PASSWORD_PLACEHOLDER}";`] : []),
      `  ipv4 {`,
      `    import none;`,
      `    export filter anyvpc_vip_only;`,
      `  };`,
      `}`,
    );
  }
  return `${lines.join("\n")}\n`;
}
