// Credentials stay secret: the switch password and the Metal token never appear in plaintext in
// the exported state, in what the CLI and the provider print (with verbose logging on), or in
// the errors a refused credential produces.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { openTestStack, type TestStack } from "./helpers";

const network = {
  vpcs: [{ name: "prod", args: { sites: ["ams", "da"] } }],
  subnets: [
    { name: "web", args: { vpc: "prod", site: "ams" } },
    { name: "metal", args: { vpc: "prod", site: "da", size: 28 } },
  ],
  attachments: [
    { name: "n1", args: { subnet: "web", server: "node-1" } },
    { name: "m1", args: { subnet: "metal", metalDevice: { device: "node-2" } } },
  ],
};

/** Every file under a directory (the CLI's logs and the backend), as text. */
function filesUnder(dir: string): { file: string; text: string }[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile())
    .map((file) => ({ file, text: readFileSync(file, "latin1") }));
}

describe("e2e: credentials never in plaintext", function () {
  this.timeout(600_000);
  let t: TestStack;
  const assertNoSecret = (where: string, text: string, secrets: string[]) => {
    for (const s of secrets) {
      const at = text.indexOf(s);
      // The context says where it leaked, with the credential itself masked.
      const context =
        at < 0
          ? ""
          : text
              .slice(Math.max(0, at - 300), at + s.length + 100)
              .split(s)
              .join("***");
      assert.ok(at < 0, `a credential is in ${where}: …${context}…`);
    }
  };

  before(async () => {
    t = await openTestStack("test/programs/network", { "anyvpc-test-network:network": network });
  });
  after(async () => {
    // Put the right credentials back, so destroy can clean up.
    for (const s of t?.lab.secrets ?? [])
      await t.stack.run(
        ["config", "set", "--secret", "--path", `anyvpc:fabric.${s.path}`, ...t.stack.stackArgs()],
        {
          input: s.value,
        },
      );
    await t?.stack.destroy().catch(() => undefined);
    await t?.close();
  });

  it("not in the output of a verbose up and refresh (provider logs included), the state, the backend or the logs", async () => {
    const secrets = t.lab.secrets.map((s) => s.value);
    // Level 6, the most verbose at which Pulumi 3.248's engine keeps stack config to itself: from
    // 7 up it prints the inputs of the default provider (at 7) and the config it marshals (at 9)
    // with secret values in plaintext. That is upstream's engine logging, not this provider's, and
    // it is why the README says not to share logs of -v=7 or more.
    const verbose = ["--verbose=6", "--logflow", "--logtostderr"];
    const up = await t.stack.up(verbose);
    const refresh = await t.stack.refresh(verbose);
    assertNoSecret("the output of up", up.stdout + up.stderr, secrets);
    assertNoSecret("the output of refresh", refresh.stdout + refresh.stderr, secrets);
    const exported = await t.stack.run(["stack", "export", "--show-secrets=false", "--stack", "e2e"]);
    assertNoSecret("the exported state", exported.stdout, secrets);
    for (const f of filesUnder(t.stateDir).filter((f) => !f.file.endsWith("credentials.json")))
      assertNoSecret(f.file, f.text, secrets);
  });

  it("not in the errors of a refused password or token", async () => {
    const wrong = { password: "wrong-password-4c1f9e", token: "wrong-token-77d0b2a9" };
    await t.stack.run(
      [
        "config",
        "set",
        "--secret",
        "--path",
        "anyvpc:fabric.sites.ams.switches.leaf1.password",
        ...t.stack.stackArgs(),
      ],
      {
        input: wrong.password,
      },
    );
    await t.stack.run(
      ["config", "set", "--secret", "--path", "anyvpc:fabric.sites.da.token", ...t.stack.stackArgs()],
      {
        input: wrong.token,
      },
    );
    // A new attachment on each site, so the provider must call both APIs with the wrong credentials.
    t.stack.setConfigValue("anyvpc-test-network:network", {
      ...network,
      attachments: [
        ...network.attachments,
        { name: "n3", args: { subnet: "web", server: "node-3" } },
        { name: "m3", args: { subnet: "metal", metalDevice: { device: "node-3" } } },
      ],
    });
    const up = await t.stack.run(["up", "--yes", ...t.stack.stackArgs()], {
      allowFailure: true,
    });
    const out = up.stdout + up.stderr;
    assert.notEqual(up.code, 0, "the update must fail");
    assert.match(out, /401/);
    // One paragraph naming the resource, the call and the fix; no stack frames.
    assert.match(
      out,
      /(checking|creating|updating) (Vpc|Subnet|Attachment) \S+ failed: (NVUE leaf\d|Metal API) \w+ \S+ answered 401: .*Check the credentials in anyvpc:fabric/,
    );
    assert.doesNotMatch(out, /\n\s+at /);
    assertNoSecret("the errors", out, [wrong.password, wrong.token, ...t.lab.secrets.map((s) => s.value)]);
  });
});
