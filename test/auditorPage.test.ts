import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { auditEpoch, formatAuditReport } from "../src/auditor/auditEpoch.js";
import { auditEpochWith, loadPoolHistory } from "../src/auditor/epochAudit.js";
import { PoolReader } from "../src/auditor/poolReader.js";
import { replayWaterfall } from "../src/auditor/waterfall.js";
import { buildAuditorPage } from "../src/auditor/node/buildAuditorPage.js";
import { type AuditorServer, serveAuditorPage } from "../src/auditor/node/serveAuditorPage.js";
import { TEST_CIRCUITS } from "../src/chain/riskSharingPool.js";
import { navPerShare } from "../src/protocol/poolEvents.js";
import { releaseProverThreads, verifyGroth16 } from "../src/proof/groth16Prover.js";
import { type AuditorFixture, runAuditorEpoch } from "../src/testbed/auditorScenario.js";
import { closedPort } from "./helpers/closedPort.js";

// The auditor's page (issue 10) in Debian's Chromium, headless, against an epoch of the test
// circuits on anvil: the page reads the chain from the browser, re-verifies every proof there,
// recomputes each epoch's status and waterfall, and checks a trader's account without sending
// anything about it. Three epochs: solvent with two liquidations, stressed, haircut.

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

  it("shows the first epoch solvent, with its risk-table proof and every solvency, settlement and liquidation proof re-verified valid in the browser", async () => {
    assert.equal(await page.getAttribute("body", "data-audit"), "done", await page.textContent("#error") ?? "");
    const card = page.locator(`#epoch-${fx.epochs.solvent}`);
    assert.equal(await card.getAttribute("data-status"), "solvent");
    assert.equal(await card.getAttribute("data-ok"), "true");
    const total = Number(await card.getAttribute("data-proofs-total"));
    assert.equal(total, 6, "the risk-table proof, two solvency batches, two liquidations and one settlement");
    assert.equal(Number(await card.getAttribute("data-proofs-valid")), total);
    assert.equal(await page.getAttribute("#verdict", "data-ok"), "true", await page.textContent("#verdict") ?? "");
    const detail = `#epoch-detail-${fx.epochs.solvent}`;
    assert.equal(await page.locator(`${detail} tr[data-proof=settlement][data-ok=true]`).count(), 1);
    assert.equal(await page.locator(`${detail} tr[data-proof=liquidation][data-ok=true]`).count(), 2);
    assert.equal(await page.locator(`${detail} tr[data-proof=riskTable][data-ok=true]`).count(), 1);
    assert.match(await page.textContent("#text-report") ?? "", /riskRoot re-derived from the published table matches/);
  });

  it("shows the stressed epoch (LP withdrawals frozen) and the haircut epoch with its ratio, the waterfall recomputed", async () => {
    const stressed = page.locator(`#epoch-${fx.epochs.stressed}`);
    assert.equal(await stressed.getAttribute("data-status"), "stressed");
    assert.match(await stressed.textContent() ?? "", /LP withdrawals frozen/);
    const haircut = page.locator(`#epoch-${fx.epochs.haircut}`);
    assert.equal(await haircut.getAttribute("data-status"), "haircut");
    const ratio = (fx.haircut.num * 1_000_000n) / fx.haircut.den;
    assert.match(await haircut.textContent() ?? "", new RegExp(`haircut 0\\.${ratio.toString().padStart(6, "0")}`));
    for (const e of [fx.epochs.stressed, fx.epochs.haircut]) assert.equal(await page.locator(`#epoch-${e}`).getAttribute("data-ok"), "true");
    // the chart: one status dot per epoch, and the waterfall bars (penalty, fund drawn, LP written down, haircut)
    for (const status of ["solvent", "stressed", "haircut"]) assert.equal(await page.locator(`#chart svg circle[data-status=${status}]`).count(), 1, status);
    for (const step of ["penalties", "fundDrawn", "lpWrittenDown", "leftToHaircut"]) assert.ok(await page.locator(`#chart svg rect[data-step=${step}]`).count() >= 1, step);
    const rows = page.locator(`#epoch-detail-${fx.epochs.solvent} table.waterfall tr[data-ok=true]`);
    assert.equal(await rows.count(), 2, "both liquidations' steps recomputed and matching");
    // NAV per share at each opening (docs/design.md §11), as the pool's NavPerShare events give it and the page recomputed.
    for (const e of await fx.pool.events()) {
      if (e.name !== "NavPerShare") continue;
      const shown = await page.getAttribute(`#epoch-detail-${e.args.epoch} td[data-nav-per-share]`, "data-nav-per-share");
      assert.equal(shown, e.args.supply === 0n ? "no shares" : navPerShare(e.args.nav, e.args.supply), `epoch ${e.args.epoch}`);
    }
  });

  it("shows the pool frozen after the haircut epoch: every exit proof re-verified valid in the browser, what the traders are still owed and what the LPs took", async () => {
    const frozen = page.locator(`#epoch-${fx.epochs.haircut} .frozen`);
    assert.equal(await frozen.getAttribute("data-frozen"), "true");
    assert.match(await frozen.textContent() ?? "", new RegExp(`^FROZEN: ${fx.frozen.exits} exits paid ${fx.frozen.exitsPaid.toLocaleString("en-US")}; traders still owed [\\d,]+; LPs took 0 of [\\d,]+$`));
    const exits = page.locator(`#epoch-detail-${fx.epochs.haircut} tr[data-proof=exit]`);
    assert.equal(await exits.count(), fx.frozen.exits);
    assert.equal(await page.locator(`#epoch-detail-${fx.epochs.haircut} tr[data-proof=exit][data-ok=true]`).count(), fx.frozen.exits, "each exit proof verifies in the page");
    assert.match(await page.textContent("#text-report") ?? "", /FROZEN after this epoch: 2 exit\(s\)/);
  });

  it("shows a tampered proof file invalid, and the honest margin, solvency and liquidation proof files valid", async () => {
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

    await page.evaluate(() => document.getElementById("proof-result")?.removeAttribute("data-valid"));
    await page.setInputFiles("#proof-file", fx.files.solvencyProof);
    await page.click("#proof-button");
    await page.waitForSelector("#proof-result[data-valid]");
    assert.equal(await page.getAttribute("#proof-result", "data-valid"), "true");
    assert.match(await page.textContent("#proof-result") ?? "", /VALID solvency proof: epoch 3.*\(2 batch proofs\)/s);

    await page.evaluate(() => document.getElementById("proof-result")?.removeAttribute("data-valid"));
    await page.setInputFiles("#proof-file", fx.files.liquidationProof);
    await page.click("#proof-button");
    await page.waitForSelector("#proof-result[data-valid]");
    assert.equal(await page.getAttribute("#proof-result", "data-valid"), "true");
    assert.match(await page.textContent("#proof-result") ?? "", /VALID liquidation proof: epoch 3, penalty 0, deficit \d+/);
  });

  it("shows a doctored solvency file INVALID: its last batch not marked last, or a header bound other than the batches' (zkrs verify's rule)", async () => {
    const honest = JSON.parse(readFileSync(fx.files.solvencyProof, "utf8")) as { stressTotal: string; batches: unknown[] };
    // Every batch proof is genuine: only the chain rule tells these files apart from the honest one.
    const doctored = {
      "truncated.json": { ...honest, batches: honest.batches.slice(0, 1) }, // the file's last batch has isLast = 0
      "lower-bound.json": { ...honest, stressTotal: (BigInt(honest.stressTotal) / 2n).toString() },
    };
    for (const [name, data] of Object.entries(doctored)) {
      await page.evaluate(() => document.getElementById("proof-result")?.removeAttribute("data-valid"));
      await page.setInputFiles("#proof-file", { name, mimeType: "application/json", buffer: Buffer.from(JSON.stringify(data)) });
      await page.click("#proof-button");
      await page.waitForSelector("#proof-result[data-valid]");
      assert.equal(await page.getAttribute("#proof-result", "data-valid"), "false", `${name}: ${await page.textContent("#proof-result")}`);
      assert.match(await page.textContent("#proof-result") ?? "", /INVALID/, name);
    }
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

  it("zkrs audit's text report (same auditor, in Node): status per epoch, each liquidation's waterfall step by step", async () => {
    const audit = (epoch: number) => auditEpoch({ pool: fx.pool, provider: fx.chain.provider, epoch, circuits: TEST_CIRCUITS, fromBlock: fx.fromBlock });
    const solvent = await audit(fx.epochs.solvent);
    const text = formatAuditReport(solvent);
    assert.equal(solvent.ok, true, text);
    assert.match(text, /status: SOLVENT/);
    assert.equal(solvent.checks.filter((c) => c.proof).length, 6);
    assert.deepEqual(solvent.checks.filter((c) => c.proof === "riskTable").map((c) => c.ok), [true]);
    // erin: penalty 30 into the fund; dave: deficit 1,271.12… drawn from the fund (500 + 30), the rest borne by the LPs (in the NAV)
    const [erin, dave] = solvent.liquidations;
    assert.deepEqual(erin.steps.map((s) => s.expected), [30_000_000n, 0n, 0n, 0n]);
    assert.equal(dave.penalty, 0n);
    assert.deepEqual(dave.steps.map((s) => s.expected), [0n, 530_000_000n, dave.deficit - 530_000_000n, 0n]);
    assert.match(text, /penalty into the insurance fund\s+30000000/);
    assert.match(text, /insurance fund drawn\s+530000000/);
    assert.match(text, /borne by the LPs \(in the NAV\)\s+\d+/);
    assert.match(text, /\n  LP NAV per share at the opening: \d+\.\d{6} \(NAV \d+ = max\(0, assets - insurance fund - mark total\), \d+ shares\)\n/);
    assert.match(formatAuditReport(await audit(fx.epochs.stressed)), /status: STRESSED, LP withdrawals frozen/);
    const haircut = await audit(fx.epochs.haircut);
    assert.equal(haircut.ok, true, formatAuditReport(haircut));
    assert.deepEqual(haircut.haircut, fx.haircut);
    assert.equal(haircut.paidAmount, (1_000_000_000n * fx.haircut.num) / fx.haircut.den);
    assert.match(formatAuditReport(haircut), /status: HAIRCUT 0\.\d{6} = \d+ \/ \d+/);
    assert.match(formatAuditReport(haircut), /left to the haircut\s+10000000000/);
  });

  it("flags a waterfall step, an epoch status or a haircut payment that does not follow from public data", async () => {
    const reader = await PoolReader.open(fx.chain.provider, fx.pool.address, fx.pool.interface);
    const history = await loadPoolHistory(reader, fx.fromBlock);
    assert.deepEqual(history.waterfall.liquidations.map((l) => l.mismatch), [undefined, undefined]);
    // The same events, but the pool claiming it drew 1 more from the insurance fund for dave.
    const doctored = history.events.map((e) => (e.name === "WaterfallStep" && e.args.stage === "insuranceFund" && e.args.tag !== 0n
      ? { ...e, args: { ...e.args, amount: e.args.amount + 1n } } : e));
    const replay = replayWaterfall(doctored, { insuranceFund: 0n, lpCapital: 0n });
    assert.match(replay.liquidations[1].mismatch ?? "", /insuranceFund: rules give 530000000 .* the pool emitted 530000001/);
    assert.equal(replay.openings.get(fx.epochs.haircut)?.mismatch, undefined);

    // The haircut epoch recorded as merely stressed, and a haircut settlement paying in full: both flagged.
    const misreported = history.events.map((e) => (e.name === "EpochOpened" && e.args.epoch === fx.epochs.haircut ? { ...e, args: { ...e.args, status: "stressed" as const } }
      : e.name === "Settled" && e.args.epoch === fx.epochs.haircut ? { ...e, args: { ...e.args, paid: e.args.amount } } : e));
    const replay2 = replayWaterfall(misreported, { insuranceFund: 0n, lpCapital: 0n });
    assert.match(replay2.openings.get(fx.epochs.haircut)?.mismatch ?? "", /the pool recorded status stressed, the rule gives haircut/);
    const report = await auditEpochWith({
      history: { ...history, events: misreported, waterfall: replay2 }, epoch: fx.epochs.haircut, circuits: TEST_CIRCUITS,
      verify: (circuit, signals, proof) => verifyGroth16(circuit, signals, proof),
    });
    assert.equal(report.ok, false);
    assert.ok(report.problems.some((p) => /paid 1000000000, the haircut rule gives \d+/.test(p)), report.problems.join("\n"));
    assert.ok(report.problems.some((p) => /opened haircut .*FAILED \(the pool recorded status stressed/.test(p)), report.problems.join("\n"));
  });
});
