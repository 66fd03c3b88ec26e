import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AuditorServer, isLoopbackHost, serveAuditorPage } from "../src/auditor/node/serveAuditorPage.js";

// The auditor's static server (issue 16 item 11), on a page folder of its own: only loopback
// Host headers (DNS rebinding), 400 for malformed percent-encoding, no symlink out of the folder.

interface Answer {
  status: number;
  body: string;
}

/** A raw GET with the Host header and path exactly as given (fetch would normalise both). */
function get(url: string, path: string, host?: string): Promise<Answer> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "GET", setHost: host === undefined, headers: host === undefined ? {} : { host } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => { body += chunk; });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("auditor page server (loopback only, read-only)", function () {
  let dir: string;
  let server: AuditorServer;

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), "zkrs-page-"));
    const page = join(dir, "page");
    mkdirSync(page);
    writeFileSync(join(page, "index.html"), "<!doctype html><title>auditor</title>");
    writeFileSync(join(dir, "secret.txt"), "outside the page folder");
    symlinkSync(join(dir, "secret.txt"), join(page, "leak.txt"));
    symlinkSync(dir, join(page, "up"));
    writeFileSync(join(page, "inside.txt"), "inside");
    symlinkSync(join(page, "inside.txt"), join(page, "alias.txt"));
    server = await serveAuditorPage({ pageDir: page, rpcUrl: "https://rpc.example/v1/API-KEY" });
  });

  after(async function () {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("answers loopback Host headers: 127.0.0.1, localhost, [::1], with or without a port", async function () {
    const { port } = new URL(server.url);
    for (const host of [`127.0.0.1:${port}`, "127.0.0.1", `localhost:${port}`, "LOCALHOST", `[::1]:${port}`]) {
      const r = await get(server.url, "/config.json", host);
      assert.equal(r.status, 200, host);
      assert.match(r.body, /API-KEY/);
    }
    assert.equal((await get(server.url, "/")).status, 200);
  });

  it("refuses any other Host (DNS rebinding): config.json and the page stay unread", async function () {
    const { port } = new URL(server.url);
    for (const host of [`evil.example:${port}`, "evil.example", "127.0.0.1.evil.example", `localhost.evil.example:${port}`, "127.0.0.2", ""]) {
      for (const path of ["/config.json", "/", "/index.html"]) {
        const r = await get(server.url, path, host);
        assert.equal(r.status, 403, `${host} ${path}`);
        assert.doesNotMatch(r.body, /API-KEY|auditor/);
      }
    }
    assert.equal(isLoopbackHost(undefined), false);
  });

  it("answers 400, not 500, to malformed percent-encoding", async function () {
    for (const path of ["/%", "/%zz", "/%E0%A4%A", "/keys/%ff.json"]) {
      const r = await get(server.url, path);
      assert.equal(r.status, 400, path);
      assert.match(r.body, /malformed URL/);
    }
    assert.equal((await get(server.url, "/inside%2Etxt")).status, 200); // well-formed escapes still work
  });

  it("does not follow a symlink out of the page folder; one inside it is served", async function () {
    for (const path of ["/leak.txt", "/up/secret.txt"]) {
      const r = await get(server.url, path);
      assert.equal(r.status, 404, path);
      assert.doesNotMatch(r.body, /outside the page folder/);
    }
    const inside = await get(server.url, "/alias.txt");
    assert.equal(inside.status, 200);
    assert.equal(inside.body, "inside");
    assert.equal((await get(server.url, "/../secret.txt")).status, 404);
  });
});
