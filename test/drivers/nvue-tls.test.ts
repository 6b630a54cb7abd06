// NVUE over TLS: verification is on by default (a self-signed switch certificate is refused), and
// pinning the switch's CA makes it work without turning verification off.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { ApiError } from "../../provider/errors";
import { NvueClient } from "../../provider/drivers/nvue/client";
import { defaultRetryPolicy } from "../../provider/drivers/retry";

describe("NVUE client TLS", function () {
  this.timeout(30_000);
  let server: Server;
  let url: string;
  let cert: string;

  before(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "anyvpc-tls-"));
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=leaf1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        path.join(dir, "key.pem"),
        "-out",
        path.join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    cert = readFileSync(path.join(dir, "cert.pem"), "utf8");
    server = createServer({ key: readFileSync(path.join(dir, "key.pem")), cert }, (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          "changeset/anyvpc/1": { state: "pending", transition: { issue: {}, progress: "" } },
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/nvue_v1`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const sw = (caPem?: string) =>
    new NvueClient(
      { name: "leaf1", url, username: "u", password: "p4ss", caPem },
      { retry: { ...defaultRetryPolicy, limit: 0 } },
    );

  it("refuses a switch whose certificate it cannot verify", async () => {
    await assert.rejects(
      sw().createRevision(),
      (e: unknown) =>
        e instanceof ApiError && e.status === 0 && /SELF_SIGNED|self.signed|certificate/i.test(e.message),
    );
  });

  it("trusts the switch when its CA is pinned", async () => {
    assert.equal(await sw(cert).createRevision(), "changeset/anyvpc/1");
  });
});
