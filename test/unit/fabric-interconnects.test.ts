// The fabric description's interconnects are checked before anything runs: each joins a switch
// of an NVUE site to an Equinix Metal metro, named by field with what would be valid.
import assert from "node:assert/strict";
import { parseFabric } from "../../provider/fabric";

const sites = {
  ams: {
    kind: "nvue",
    asn: 65000,
    switches: { leaf1: { url: "https://leaf1:8765/nvue_v1", username: "u", password: "p" } },
    servers: {},
  },
  da: { kind: "equinix-metal", projectId: "69357c10-f2e1-49c9-857b-143f8d77dd55", metro: "da" },
};
const connectionId = "790222d3-4c40-44f8-a80d-e0b5287adcbe";
const parse = (interconnect: unknown) =>
  parseFabric(
    JSON.stringify({ sites, pools: { vpcIpv4: "10.0.0.0/8" }, interconnects: { link: interconnect } }),
  );
const messages = (r: ReturnType<typeof parse>) => (r.ok ? [] : r.errors.map((e) => e.message));

describe("fabric description: interconnects", () => {
  it("accepts a border switch port of an NVUE site joined to a Metal metro", () => {
    const r = parse({
      nvue: { site: "ams", switch: "leaf1", port: "swp16" },
      metal: { site: "da", connectionId },
    });
    assert.ok(r.ok, messages(r).join("; "));
  });

  it("names sites of the wrong kind, an unknown switch, and a malformed port or connection id", () => {
    assert.deepEqual(
      messages(
        parse({ nvue: { site: "da", switch: "leaf1", port: "swp16" }, metal: { site: "ams", connectionId } }),
      ),
      [
        'anyvpc:fabric.interconnects.link.nvue.site "da" is not an NVUE site of the fabric. Use one of: ams',
        'anyvpc:fabric.interconnects.link.metal.site "ams" is not an Equinix Metal site of the fabric. Use one of: da',
      ],
    );
    assert.match(
      messages(
        parse({ nvue: { site: "ams", switch: "leaf9", port: "swp16" }, metal: { site: "da", connectionId } }),
      )[0]!,
      /nvue\.switch "leaf9" is not a switch of site ams\. Use one of: leaf1/,
    );
    assert.match(
      messages(
        parse({ nvue: { site: "ams", switch: "leaf1", port: "eth 0" }, metal: { site: "da", connectionId } }),
      )[0]!,
      /nvue\.port/,
    );
    assert.match(
      messages(
        parse({
          nvue: { site: "ams", switch: "leaf1", port: "swp16" },
          metal: { site: "da", connectionId: "x" },
        }),
      )[0]!,
      /metal\.connectionId "x".*UUID/,
    );
  });
});
