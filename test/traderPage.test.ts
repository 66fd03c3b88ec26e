import assert from "node:assert/strict";
import type { BrowserContext, Page } from "playwright-core";
import { newTraderAccount, nullifierOf } from "../src/accounts/account.js";
import { buildAuditorPage } from "../src/auditor/node/buildAuditorPage.js";
import { type AuditorServer, serveAuditorPage } from "../src/auditor/node/serveAuditorPage.js";
import { releaseProverThreads } from "../src/proof/groth16Prover.js";
import { marginReport } from "../src/risk/equity.js";
import { paddedRows } from "../src/risk/riskCommitment.js";
import { computeRiskTable } from "../src/risk/riskEngine.js";
import { smallSnapshot } from "../src/demo/demoMarket.js";
import { launchChromium } from "../src/testbed/chromium.js";
import { injectWallet, type InjectedWallet } from "../src/testbed/injectedWallet.js";
import { runTraderEpoch, type TraderFixture } from "../src/testbed/traderScenario.js";
import { withdrawalHeadroom } from "../src/trader/withdrawalHeadroom.js";
import { closedPort } from "./helpers/closedPort.js";

// The trader's page (issue 21) in Debian's Chromium, headless, against a pool of the test
// circuits on anvil: the page computes the headroom per scenario while the amount is typed,
// proves MarginCompliance in a Web Worker and settles through an injected EIP-1193 wallet that
// forwards to anvil (alice's unlocked dev account), and sends nothing about the account.

const UNIT = 1_000_000n;

describe("withdrawal headroom (the page's rule, from marginReport)", () => {
  const table = computeRiskTable(smallSnapshot(1));
  const rows = paddedRows(table, 2);
  it("the largest compliant amount is compliant and one more is not; the binding column is the one with least headroom", () => {
    const account = newTraderAccount(20_000n * UNIT, [{ instrument: 0, quantity: 3n }, { instrument: 1, quantity: -2n }]);
    const h = withdrawalHeadroom(account, rows, 16, 0n);
    assert.ok(h.maxAmount !== undefined && h.maxAmount > 0n && h.maxAmount < account.collateral);
    assert.equal(marginReport(account, rows, 16, h.maxAmount).compliant, true);
    const over = marginReport(account, rows, 16, h.maxAmount + 1n);
    assert.equal(over.compliant, false);
    assert.equal(h.binding.kind, "scenario");
    assert.equal(h.binding.kind === "scenario" && h.binding.column, over.worstColumn);
    const at = withdrawalHeadroom(account, rows, 16, h.maxAmount + 1n);
    assert.equal(at.compliant, false);
    assert.equal(at.headroom[over.worstColumn], -1n);
    assert.deepEqual(at.headroom, over.slack);
  });

  it("a cash-only account is bound by its collateral; an account under water can withdraw nothing", () => {
    const cash = withdrawalHeadroom(newTraderAccount(5n * UNIT), rows, 16, 0n);
    assert.deepEqual([cash.maxAmount, cash.binding.kind], [5n * UNIT, "collateral"]);
    const underWater = newTraderAccount(10n, [{ instrument: 1, quantity: -5n }]);
    const h = withdrawalHeadroom(underWater, rows, 16, 0n);
    assert.equal(h.maxAmount, undefined);
    assert.equal(marginReport(underWater, rows, 16, 0n).compliant, false);
  });
});

describe("trader's page in Chromium (test circuits on anvil, an injected wallet)", function () {
  let fx: TraderFixture;
  let server: AuditorServer;
  let context: BrowserContext;
  let closeBrowser: (() => Promise<void>) | undefined;
  let page: Page;
  /** Every request the page made (its RPC reads, the server), and every call it made to the wallet. */
  const requests: { url: string; method: string; body: string }[] = [];
  let wallet: InjectedWallet;
  const withdrawal = 1_000n * UNIT;
  /** Epoch 2 (the haircut epoch): alice's files, once opened. */
  let epoch2: Awaited<ReturnType<TraderFixture["openHaircutEpoch"]>> | undefined;

  async function openPage(query = ""): Promise<Page> {
    const p = await context.newPage();
    p.on("request", (r) => requests.push({ url: r.url(), method: r.method(), body: r.postData() ?? "" }));
    await p.goto(`${server.url}trader.html${query}`);
    await p.waitForSelector("body[data-connect=done], body[data-connect=error]", { timeout: 60_000 });
    return p;
  }

  /** Picks files and waits for the page to have checked them. */
  async function pick(account: string, path: string): Promise<void> {
    // Cleared first: picking the file an input already holds fires no change event.
    await page.setInputFiles("#account-file", []);
    await page.setInputFiles("#path-file", []);
    await page.setInputFiles("#account-file", account);
    await page.setInputFiles("#path-file", path);
    await page.waitForSelector("body[data-files=done], body[data-files=error]");
  }

  async function typeAmount(amount: bigint): Promise<void> {
    await page.fill("#amount", "");
    await page.type("#amount", amount.toString());
  }

  async function click(button: string, action: string): Promise<string> {
    await page.evaluate((a) => { delete document.body.dataset[a]; }, action);
    await page.click(button);
    await page.waitForSelector(`body[data-${action}=done], body[data-${action}=error]`, { timeout: 120_000 });
    return (await page.getAttribute("body", `data-${action}`)) ?? "";
  }

  const errorText = async (): Promise<string> => (await page.textContent("#error")) ?? "";

  before(async function () {
    await buildAuditorPage();
    fx = await runTraderEpoch();
    server = await serveAuditorPage({ circuits: "test", tables: [fx.files.tablesDir], leafHashes: [fx.files.leafHashesDir], rpcUrl: fx.rpcUrl, pool: fx.pool.address });
    ({ context, close: closeBrowser } = await launchChromium());
    // The wallet: window.ethereum forwarding every request to anvil (alice's account is unlocked there).
    wallet = await injectWallet(context, fx.rpcUrl, fx.alice);
    page = await openPage();
  });

  after(async () => {
    await closeBrowser?.();
    await server?.close();
    await fx?.stop();
    await releaseProverThreads();
  });

  it("connects to the pool and, from alice's files, draws her headroom in every scenario as the amount is typed, with the largest compliant amount", async () => {
    assert.equal(await page.getAttribute("body", "data-connect"), "done", await errorText());
    assert.equal(await page.getAttribute("#pool-status", "data-epoch"), "1");
    await pick(fx.files.aliceAccount, fx.files.alicePath);
    assert.equal(await page.getAttribute("body", "data-files"), "done", await errorText());
    assert.match(await page.textContent("#account-status") ?? "", /Included: your account is leaf 0 of epoch 1's accounts root on chain/);
    const rows = paddedRows(fx.table, fx.params.logInstruments);
    const expected = (amount: bigint) => withdrawalHeadroom(fx.aliceAccount, rows, fx.params.scenarios, amount);
    const bars = page.locator("#headroom-chart svg rect[data-column]");
    assert.equal(await bars.count(), 17, "mark and 16 scenarios");
    const max = expected(0n).maxAmount;
    assert.ok(max !== undefined && max > withdrawal);
    assert.equal(await page.getAttribute("#limit", "data-max"), max.toString());
    await typeAmount(withdrawal);
    const shown = await bars.evaluateAll((rs) => rs.map((r) => r.getAttribute("data-headroom")));
    assert.deepEqual(shown, expected(withdrawal).headroom.map(String), "every bar is E_s - R - amount for the amount typed");
    assert.equal(await page.getAttribute("#limit", "data-over"), "false");
  });

  it("refuses an amount above the maximum before proving, naming the scenario that binds", async () => {
    const h = withdrawalHeadroom(fx.aliceAccount, paddedRows(fx.table, fx.params.logInstruments), fx.params.scenarios, 0n);
    assert.equal(h.binding.kind, "scenario");
    const label = h.binding.kind === "scenario" ? h.binding.label : "";
    await typeAmount((h.maxAmount ?? 0n) + 1n);
    assert.equal(await page.getAttribute("#limit", "data-over"), "true");
    const refusal = await page.textContent("#refusal") ?? "";
    assert.ok(refusal.includes(`above the largest compliant amount ${(h.maxAmount ?? 0n).toLocaleString("en-US")}: ${label} binds`), refusal);
    assert.equal(await page.isDisabled("#prove-button"), true);
    assert.equal(await page.locator(`#headroom-chart rect[data-binding=true][data-headroom="-1"]`).count(), 1, "the binding bar is one below zero");
    assert.equal(requests.some((r) => /\/circuits\//.test(r.url)), false, "nothing was fetched for proving");
  });

  it("names what is wrong with another account's path file, and with a path of a tree the pool never posted", async () => {
    await pick(fx.files.aliceAccount, fx.files.bobPath);
    assert.equal(await page.getAttribute("#error", "data-kind"), "bad-input");
    assert.match(await errorText(), /alice\.account\.json is not the account at leaf 1 of bob\.path\.json/);
    await pick(fx.files.aliceAccount, fx.files.strayPath);
    assert.equal(await page.getAttribute("#error", "data-kind"), "wrong-path");
    assert.match(await errorText(), /Not in the accounts root: alice\.stray-path\.json does not lead to epoch 1's accounts root on chain/);
    assert.equal(await page.isHidden("#withdraw"), true);
  });

  it("proves in a Web Worker with a progress bar; a rejected wallet request sends nothing; then it settles and the balance moves", async () => {
    await pick(fx.files.aliceAccount, fx.files.alicePath);
    await typeAmount(withdrawal);
    await page.fill("#recipient", fx.alice);
    await page.evaluate(() => { delete document.body.dataset.prove; });
    await page.click("#prove-button");
    await page.waitForSelector("body[data-prove=done], body[data-prove=error]", { timeout: 120_000 });
    assert.equal(await page.getAttribute("body", "data-prove"), "done", await errorText());
    assert.ok(Number(await page.getAttribute("#prove-progress", "data-updates")) >= 5, "the progress bar moved through the proof's steps");
    assert.ok(requests.some((r) => r.url === `${server.url}assets/proveWorker.js`), "proven in the worker");
    assert.equal(await page.getAttribute("#haircut-note", "hidden"), "", "no haircut in a solvent epoch");

    const before = await fx.pool.tokenBalanceOf(fx.alice);
    const sent = () => wallet.calls.filter((c) => c.method === "eth_sendTransaction").length;
    wallet.rejectSends = true;
    assert.equal(await click("#settle-button", "settle"), "error");
    assert.equal(await page.getAttribute("#error", "data-kind"), "wallet-rejected");
    assert.match(await errorText(), /the wallet rejected the request \(eth_sendTransaction\): nothing was sent; your proof is kept/);
    assert.equal(await fx.pool.tokenBalanceOf(fx.alice), before);
    assert.equal(await fx.pool.nullifierUsed(nullifierOf(fx.aliceSecrets.accountKey, 1)), false);

    wallet.rejectSends = false;
    assert.equal(await click("#settle-button", "settle"), "done", await errorText());
    assert.equal(sent(), 2);
    assert.equal(await page.getAttribute("#settle-result", "data-paid"), withdrawal.toString());
    assert.match(await page.textContent("#settle-result") ?? "", /Settled: paid 1,000,000,000 to 0x/);
    assert.equal(await fx.pool.tokenBalanceOf(fx.alice), before + withdrawal);
    assert.equal(await fx.pool.nullifierUsed(nullifierOf(fx.aliceSecrets.accountKey, 1)), true);
    // The same files again: one settlement per account and epoch, said before any proving.
    await pick(fx.files.aliceAccount, fx.files.alicePath);
    assert.equal(await page.getAttribute("#error", "data-kind"), "settled");
    assert.match(await errorText(), /Settled already: your account settled in epoch 1 already/);
  });

  it("in a haircut epoch: refuses a file of the previous epoch, rebuilds the path from the published leaf hashes, says what a settlement would pay, asks the wallet only once the haircut is accepted, and not on another chain", async () => {
    const next = await fx.openHaircutEpoch(withdrawal);
    epoch2 = next;
    assert.equal(await click("#connect-button", "connect"), "done", await errorText());
    assert.match(await page.textContent("#pool-status") ?? "", /Epoch 2 is open for settlement with a HAIRCUT of 0\.\d{6}/);
    await pick(fx.files.aliceAccount, fx.files.alicePath);
    assert.equal(await page.getAttribute("#error", "data-kind"), "wrong-epoch");
    assert.match(await errorText(), /Wrong epoch: alice\.path\.json is for epoch 1, but the pool's current epoch is 2/);

    // No path file: the page rebuilds alice's path from the epoch's published leaf hashes.
    await page.setInputFiles("#path-file", []);
    await page.setInputFiles("#account-file", next.aliceAccount);
    await click("#use-leaf-hashes", "files");
    assert.equal(await page.getAttribute("body", "data-files"), "done", await errorText());
    assert.equal(await page.getAttribute("#account-status", "data-rebuilt"), "true");
    assert.match(await page.textContent("#account-status") ?? "", /Included: your account is leaf 0 of epoch 2's accounts root on chain \(path rebuilt here from leaf-hashes\/2\.json\)/);
    const amount = 500n * UNIT;
    await typeAmount(amount);
    assert.equal(await click("#prove-button", "prove"), "done", await errorText());
    const pays = (amount * next.haircut.num) / next.haircut.den;
    assert.match(await page.textContent("#haircut-text") ?? "", new RegExp(`epoch 2 pays a haircut of 0\\.\\d{6}: this settlement would pay ${pays} of ${amount}`));
    const asked = wallet.calls.length;
    assert.equal(await click("#settle-button", "settle"), "error");
    assert.equal(await page.getAttribute("#error", "data-kind"), "haircut-not-accepted");
    assert.match(await errorText(), /tick "I accept the haircut" to settle anyway \(your wallet was not asked\)/);
    assert.equal(wallet.calls.length, asked, "the wallet was not asked");

    const before = await fx.pool.tokenBalanceOf(fx.alice);
    await page.check("#accept-haircut");
    wallet.chainId = "0x1"; // the wallet switched to another network: nothing is sent
    assert.equal(await click("#settle-button", "settle"), "error");
    assert.equal(await page.getAttribute("#error", "data-kind"), "wrong-chain");
    assert.match(await errorText(), /Wrong chain: the wallet is on chain 1, the pool is on chain 31337/);
    assert.equal(wallet.calls.filter((c) => c.method === "eth_sendTransaction").length, 2, "no transaction sent since epoch 1's");
    wallet.chainId = undefined;
    assert.equal(await click("#settle-button", "settle"), "done", await errorText());
    assert.equal(await page.getAttribute("#settle-result", "data-paid"), pays.toString());
    assert.match(await page.textContent("#settle-result") ?? "", /Settled with the haircut: paid [\d,]+ of 500,000,000/);
    assert.equal(await fx.pool.tokenBalanceOf(fx.alice), before + pays);
  });

  it("sends nothing about the account: no request, and no wallet call, carries its secret, key, salt, collateral or positions", () => {
    assert.ok(requests.some((r) => r.url.startsWith(fx.rpcUrl) && r.body.includes("eth_call")), "the page did read the chain");
    assert.ok(requests.some((r) => /\/circuits\/margin_test\.zkey$/.test(r.url)), "the page fetched the proving key");
    for (const r of requests.filter((q) => q.url.startsWith(server.url))) {
      assert.equal(r.method, "GET", r.url);
      assert.equal(r.body, "", r.url);
    }
    const sent = [...requests.map((r) => `${r.url} ${r.body}`), ...wallet.calls.map((c) => `${c.method} ${c.params}`)].map((s) => s.toLowerCase());
    for (const [name, value] of Object.entries(fx.aliceSecrets)) {
      const forms = [value.toString(), value.toString(16), value.toString(16).padStart(64, "0")].map((f) => f.toLowerCase());
      const leaked = sent.find((s) => forms.some((f) => s.includes(f)));
      assert.equal(leaked, undefined, `a request carries alice's ${name}: ${leaked?.slice(0, 200)}`);
    }
    assert.equal(sent.find((s) => /quantity|positions|"secret"|"salt"/.test(s)), undefined, "no request names a position or a secret field");
  });

  it("the server gives the margin and exit circuits' wasm and zkey, and no other circuit's or file of the build", async () => {
    const status = async (path: string): Promise<number> => (await fetch(`${server.url}${path}`)).status;
    const given = ["trader", "trader.html", "circuits/margin_test.wasm", "circuits/margin_test.zkey", "circuits/exit_test.wasm", "circuits/exit_test.zkey"];
    assert.deepEqual(await Promise.all(given.map(status)), given.map(() => 200));
    const refused = ["circuits/solvency_test.zkey", "circuits/liquidation_test.wasm", "circuits/risk_table_test.zkey", "circuits/margin_test.r1cs", "circuits/nope.zkey", "manifest.json"];
    assert.deepEqual(await Promise.all(refused.map(status)), refused.map(() => 404));
  });

  it("says plainly when the RPC is unreachable", async () => {
    const p = await openPage(`?rpc=${encodeURIComponent(`http://127.0.0.1:${await closedPort()}`)}`);
    try {
      assert.equal(await p.getAttribute("body", "data-connect"), "error");
      assert.equal(await p.getAttribute("#error", "data-kind"), "rpc-unreachable");
      assert.match(await p.textContent("#error") ?? "", /Cannot reach the node: RPC http:\/\/127\.0\.0\.1:\d+ is unreachable/);
    } finally {
      await p.close();
    }
  });

  it("in a frozen pool (the operator silent a week): shows the claim and what an exit pays, proves the exit in the page and takes it through the wallet, once", async () => {
    assert.ok(epoch2, "the haircut epoch ran first");
    const hatch = await fx.pool.hatchState();
    await fx.chain.provider.send("evm_increaseTime", [Number(hatch.maxEpochDelay)]);
    await fx.chain.provider.send("evm_mine", []);
    await fx.pool.freeze();
    assert.equal(await click("#connect-button", "connect"), "done", await errorText());
    assert.equal(await page.getAttribute("#pool-status", "data-status"), "frozen");
    assert.match(await page.textContent("#pool-status") ?? "", /The pool is FROZEN .* Exits use epoch 2's roots/);
    await pick(epoch2.aliceAccount, epoch2.alicePath);
    assert.equal(await page.getAttribute("body", "data-files"), "done", await errorText());
    const claim = BigInt(await page.getAttribute("#exit-claim", "data-claim") ?? "-1");
    const pays = BigInt(await page.getAttribute("#exit-claim", "data-pays") ?? "-1");
    assert.ok(claim > 500n * UNIT, "alice's claim at mark is above what she settled in epoch 2");
    assert.equal(pays, ((claim - 500n * UNIT) * epoch2.haircut.num) / epoch2.haircut.den, "what is left of the claim, at the epoch's haircut");
    await page.fill("#exit-recipient", fx.alice);
    const before = await fx.pool.tokenBalanceOf(fx.alice);
    assert.equal(await click("#exit-button", "exit"), "done", await errorText());
    assert.equal(await page.getAttribute("#exit-result", "data-paid"), pays.toString());
    assert.equal(await fx.pool.tokenBalanceOf(fx.alice), before + pays);
    await pick(epoch2.aliceAccount, epoch2.alicePath);
    assert.equal(await page.getAttribute("#error", "data-kind"), "exited");
    assert.match(await errorText(), /Exited already: your account exited the frozen pool already/);
  });
});
