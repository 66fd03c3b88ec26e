import assert from "node:assert/strict";
import { createServer } from "node:net";
import { type Browser, chromium, type Page } from "playwright-core";
import { auditEpoch, formatAuditReport } from "../src/auditor/auditEpoch.js";
import { buildAuditorPage } from "../src/auditor/node/buildAuditorPage.js";
import { type AuditorServer, serveAuditorPage } from "../src/auditor/node/serveAuditorPage.js";
import { TEST_CIRCUITS } from "../src/chain/riskSharingPool.js";
import { releaseProverThreads } from "../src/proof/groth16Prover.js";
import { type AuditorFixture, runAuditorEpoch } from "./helpers/auditorEpoch.js";

// The auditor's page (issue 10) in Debian's Chromium, headless, against an epoch of the test
// circuits on anvil: the page reads the chain from the browser, re-verifies every proof there,
// and checks a trader's account without sending anything about it.

/** A loopback port nothing listens on (for the unreachable-RPC case). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as { port: number };
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}

describe("auditor's page in Chromium (test circuits on anvil)", function () {
  let fx: AuditorFixture;
  let server: AuditorServer;
  let browser: Browser;
  let page: Page;
  /** Every request the main page made: URL, method and body. */
  const requests: { url: string; body: string }[] = [];

  before(async function () {
    await buildAuditorPage();
    fx = await runAuditorEpoch();
    server = await serveAuditorPage({ circuits: "test", tables: [fx.files.tablesDir], rpcUrl: fx.rpcUrl, pool: fx.pool.address, fromBlock: fx.fromBlock });
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
    page = await browser.newPage();
    page.on("request", (r) => requests.push({ url: r.url(), body: r.postData() ?? "" }));
    await page.goto(server.url);
    await page.waitForSelector("body[data-audit=done], body[data-audit=error]", { timeout: 300_000 });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await fx?.stop();
    await releaseProverThreads();
  });

  it("shows the epoch solvent, with every solvency and settlement proof re-verified valid in the browser", async () => {
    assert.equal(await page.getAttribute("body", "data-audit"), "done", await page.textContent("#error") ?? "");
    const card = page.locator(`#epoch-${fx.epoch}`);
    assert.equal(await card.getAttribute("data-status"), "solvent");
    assert.equal(await card.getAttribute("data-ok"), "true");
    const total = Number(await card.getAttribute("data-proofs-total"));
    assert.equal(total, 3, "two solvency batches and one settlement");
    assert.equal(Number(await card.getAttribute("data-proofs-valid")), total);
    assert.equal(await page.getAttribute("#verdict", "data-ok"), "true");
    assert.equal(await page.locator("#epoch-detail-3 tr[data-proof=settlement][data-ok=true]").count(), 1);
    assert.equal(await page.locator("#chart svg circle[data-status=solvent]").count(), 1);
    assert.match(await page.textContent("#text-report") ?? "", /riskRoot re-derived from the published table matches/);
  });

  it("shows a tampered proof file invalid, and the honest one valid", async () => {
    await page.setInputFiles("#proof-file", fx.files.tamperedProof);
    await page.click("#proof-button");
    await page.waitForSelector("#proof-result[data-valid]");
    assert.equal(await page.getAttribute("#proof-result", "data-valid"), "false");
    assert.match(await page.textContent("#proof-result") ?? "", /INVALID/);

    await page.evaluate(() => document.getElementById("proof-result")?.removeAttribute("data-valid"));
    await page.setInputFiles("#proof-file", fx.files.marginProof);
    await page.click("#proof-button");
    await page.waitForSelector("#proof-result[data-valid]");
    assert.equal(await page.getAttribute("#proof-result", "data-valid"), "true");
    assert.match(await page.textContent("#proof-result") ?? "", /VALID margin proof.*Against this pool's epoch 3 roots/s);
  });

  it("says alice's account is included and shows her headroom per scenario; an omitted account is not included", async () => {
    await page.setInputFiles("#account-file", fx.files.aliceAccount);
    await page.setInputFiles("#path-file", fx.files.alicePath);
    await page.click("#account-button");
    await page.waitForSelector("#account-result[data-included]");
    assert.equal(await page.getAttribute("#account-result", "data-included"), "true", await page.textContent("#account-result") ?? "");
    const text = await page.textContent("#account-result") ?? "";
    assert.match(text, /Included/);
    assert.match(text, /You settled this epoch/);
    assert.equal(await page.locator("#headroom tr").count(), 1 + 17, "mark and 16 scenarios");

    await page.evaluate(() => document.getElementById("account-result")?.removeAttribute("data-included"));
    await page.setInputFiles("#account-file", fx.files.outsiderAccount);
    await page.setInputFiles("#path-file", fx.files.outsiderPath);
    await page.click("#account-button");
    await page.waitForSelector("#account-result[data-included]");
    assert.equal(await page.getAttribute("#account-result", "data-included"), "false");
    assert.match(await page.textContent("#account-result") ?? "", /NOT included .*omitted/);
  });

  it("sends nothing about the account: no request URL or body carries its secret, key, salt or collateral", () => {
    assert.ok(requests.some((r) => r.url.startsWith(fx.rpcUrl) && r.body.includes("eth_getLogs")), "the page did read the chain");
    for (const [name, value] of Object.entries(fx.aliceSecrets)) {
      const forms = [value.toString(), value.toString(16), `0x${value.toString(16)}`, value.toString(16).padStart(64, "0")];
      const leaked = requests.find((r) => forms.some((f) => r.url.includes(f) || r.body.toLowerCase().includes(f.toLowerCase())));
      assert.equal(leaked, undefined, `a request to ${leaked?.url} carries alice's ${name}`);
    }
  });

  it("says plainly when the RPC is unreachable", async () => {
    const p = await browser.newPage();
    try {
      await p.goto(`${server.url}?rpc=${encodeURIComponent(`http://127.0.0.1:${await closedPort()}`)}`);
      await p.waitForSelector("body[data-audit=error]");
      assert.equal(await p.getAttribute("#error", "data-kind"), "rpc-unreachable");
      assert.match(await p.textContent("#error") ?? "", /Cannot reach the node: RPC http:\/\/127\.0\.0\.1:\d+ is unreachable/);
    } finally {
      await p.close();
    }
  });

  it("says when the address holds no contract, or a contract that is not a pool", async () => {
    const p = await browser.newPage();
    try {
      await p.goto(`${server.url}?pool=0x000000000000000000000000000000000000dEaD`);
      await p.waitForSelector("body[data-audit=error]");
      assert.equal(await p.getAttribute("#error", "data-kind"), "no-contract");
      assert.match(await p.textContent("#error") ?? "", /Wrong address: no contract at 0x000000000000000000000000000000000000dEaD/);
      const token = await fx.pool.tokenAddress();
      await p.goto(`${server.url}?pool=${token}`);
      await p.waitForSelector("body[data-audit=error]");
      assert.equal(await p.getAttribute("#error", "data-kind"), "not-a-pool");
    } finally {
      await p.close();
    }
  });

  it("zkrs audit's text report (same auditor, in Node) shows the epoch's status and passes", async () => {
    const report = await auditEpoch({ pool: fx.pool, provider: fx.chain.provider, epoch: fx.epoch, circuits: TEST_CIRCUITS, fromBlock: fx.fromBlock });
    const text = formatAuditReport(report);
    assert.equal(report.ok, true, text);
    assert.match(text, /status: SOLVENT/);
    assert.equal(report.checks.filter((c) => c.proof).length, 3);
  });
});
