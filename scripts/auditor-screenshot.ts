/**
 * Takes docs/auditor.png: the auditor's page in headless Chromium against a local epoch of the
 * test circuits on anvil (the same fixture as test/auditorPage.test.ts), after an audit and
 * alice's account check. `tsx scripts/auditor-screenshot.ts [--out file.png]`.
 */
import { join } from "node:path";
import { chromium } from "playwright-core";
import { buildAuditorPage } from "../src/auditor/node/buildAuditorPage.js";
import { serveAuditorPage } from "../src/auditor/node/serveAuditorPage.js";
import { PROJECT_ROOT } from "../src/artifacts/paths.js";
import { releaseProverThreads } from "../src/proof/groth16Prover.js";
import { runAuditorEpoch } from "../test/helpers/auditorEpoch.js";

const outIndex = process.argv.indexOf("--out");
const out = outIndex > 0 ? process.argv[outIndex + 1] : join(PROJECT_ROOT, "docs", "auditor.png");

await buildAuditorPage();
console.error("running a local epoch on anvil (test circuits) …");
const fx = await runAuditorEpoch();
const server = await serveAuditorPage({ circuits: "test", tables: [fx.files.tablesDir], rpcUrl: fx.rpcUrl, pool: fx.pool.address, fromBlock: fx.fromBlock });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ viewport: { width: 1180, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(server.url);
  await page.waitForSelector("body[data-audit=done], body[data-audit=error]", { timeout: 300_000 });
  console.error(`page audit (3 epochs, every proof verified in Chromium): ${await page.getAttribute("body", "data-audit-ms")} ms`);
  await page.setInputFiles("#account-file", fx.files.aliceAccount);
  await page.setInputFiles("#path-file", fx.files.alicePath);
  await page.click("#account-button");
  await page.waitForSelector("#account-result[data-included]");
  await page.screenshot({ path: out, fullPage: true });
  console.error(`wrote ${out}`);
} finally {
  await browser.close();
  await server.close();
  await fx.stop();
  await releaseProverThreads();
}
