/**
 * Takes docs/trader.png: the trader's page in headless Chromium against a local pool of the test
 * circuits on anvil (the fixture of test/traderPage.test.ts), after alice proved a withdrawal in
 * the page and settled it through an injected wallet. `tsx scripts/trader-screenshot.ts [--out file.png]`.
 */
import { join } from "node:path";
import { buildAuditorPage } from "../src/auditor/node/buildAuditorPage.js";
import { serveAuditorPage } from "../src/auditor/node/serveAuditorPage.js";
import { PROJECT_ROOT } from "../src/artifacts/paths.js";
import { releaseProverThreads } from "../src/proof/groth16Prover.js";
import { launchChromium } from "../src/testbed/chromium.js";
import { injectWallet } from "../src/testbed/injectedWallet.js";
import { runTraderEpoch } from "../src/testbed/traderScenario.js";

const outIndex = process.argv.indexOf("--out");
const out = outIndex > 0 ? process.argv[outIndex + 1] : join(PROJECT_ROOT, "docs", "trader.png");

await buildAuditorPage();
console.error("opening an epoch on anvil (test circuits) …");
const fx = await runTraderEpoch();
const server = await serveAuditorPage({ circuits: "test", tables: [fx.files.tablesDir], leafHashes: [fx.files.leafHashesDir], rpcUrl: fx.rpcUrl, pool: fx.pool.address });
const browser = await launchChromium({ viewport: { width: 1180, height: 900 } });
try {
  await injectWallet(browser.context, fx.rpcUrl, fx.alice);
  const page = await browser.context.newPage();
  await page.goto(`${server.url}trader.html`);
  await page.waitForSelector("body[data-connect=done], body[data-connect=error]");
  await page.setInputFiles("#account-file", fx.files.aliceAccount);
  await page.setInputFiles("#path-file", fx.files.alicePath);
  await page.waitForSelector("body[data-files=done], body[data-files=error]");
  await page.fill("#amount", "4000000000");
  await page.dispatchEvent("#amount", "input");
  await page.click("#wallet-address");
  await page.click("#prove-button");
  await page.waitForSelector("body[data-prove=done], body[data-prove=error]", { timeout: 300_000 });
  await page.click("#settle-button");
  await page.waitForSelector("body[data-settle=done], body[data-settle=error]", { timeout: 300_000 });
  const error = await page.getAttribute("body", "data-error");
  if (error) throw new Error(`the page stopped: ${await page.textContent("#error")}`);
  console.error(`proof in the page: ${await page.getAttribute("body", "data-prove-ms")} ms; ${await page.textContent("#settle-result strong")}`);
  await page.screenshot({ path: out, fullPage: true });
  console.error(`wrote ${out}`);
} finally {
  await browser.close();
  await server.close();
  await fx.stop();
  await releaseProverThreads();
}
