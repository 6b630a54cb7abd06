// An operator's own change on a simulated EOS leaf of the lab: a configure session over eAPI, as
// anyone with the switch's credentials would make it (out of band for anyvpc).
import assert from "node:assert/strict";
import axios from "axios";
import type { Lab } from "../sim/lab";

export async function operatorSession(lab: Lab, sw: string, lines: string[]): Promise<void> {
  const site = Object.entries(lab.sites).find(
    ([, s]) => (s as { kind: string }).kind === "eos" && sw in (s as { switches: object }).switches,
  )?.[0];
  const password = lab.secrets.find((x) => x.path === `sites.${site}.switches.${sw}.password`)?.value;
  assert.ok(password, `no EOS switch ${sw} in the lab`);
  const res = await axios.post(
    `${lab.eos.urlOf(sw)}/command-api`,
    {
      jsonrpc: "2.0",
      method: "runCmds",
      params: {
        version: 1,
        cmds: ["enable", "configure session operator", ...lines, "commit"],
        format: "json",
      },
      id: "operator",
    },
    { auth: { username: "anyvpc", password }, headers: { "content-type": "application/json-rpc" } },
  );
  assert.equal(res.data.error, undefined, JSON.stringify(res.data.error));
}
