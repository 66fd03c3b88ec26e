import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract } from "ethers";
import { type Chain, devWallet, startAnvil } from "../src/chain/localChain.js";
import { RiskSharingPoolClient } from "../src/chain/riskSharingPool.js";
import { runCli } from "../src/cli/main.js";
import { releaseProverThreads } from "../src/proof/groth16Prover.js";
import { navPerShare } from "../src/protocol/poolEvents.js";
import { sharesValue } from "../src/protocol/lpShares.js";
import { cashEpoch, type EpochProofs } from "./helpers/lpEpochs.js";

// `zkrs lp deposit|withdraw|claim|cancel|status` (docs/design.md §11) in this process against anvil
// and a pool `zkrs deploy` made; the epochs are published and posted through the chain client.

const UNIT = 1_000_000n;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function zkrs(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (text) => { stdout += text; },
    stderr: { write: (text: string) => { stderr += text; } },
    env: { ...process.env, ZKRS_RPC_URL: undefined, ZKRS_PRIVATE_KEY: undefined, ...env },
  });
  return { code, stdout, stderr };
}

function ok(r: Run): Run {
  assert.equal(r.code, 0, `expected success, got exit ${r.code}:\n${r.stderr}`);
  return r;
}

/** A failure: exit 1 and exactly one `zkrs: ...` line matching `message`. */
function fails(r: Run, message: RegExp): void {
  assert.equal(r.code, 1, `expected exit 1, got ${r.code}:\n${r.stdout}${r.stderr}`);
  const errors = r.stderr.split("\n").filter((l) => l.startsWith("zkrs: "));
  assert.equal(errors.length, 1, `expected one error line, got:\n${r.stderr}`);
  assert.match(errors[0], message);
}

const json = (r: Run): Record<string, unknown> => JSON.parse(ok(r).stdout) as Record<string, unknown>;

describe("zkrs lp (LP requests at the next epoch's NAV)", function () {
  let chain: Chain;
  let dir: string;
  let pool: RiskSharingPoolClient;
  let rpc: string[];
  let lp1Env: Record<string, string>, lp2Env: Record<string, string>;
  /** Epoch 9: traders hold 1,000; epoch 10: traders lost 600 (400): the share price rises above 1. */
  let e9: EpochProofs, e10: EpochProofs;

  before(async function () {
    [e9, e10] = [await cashEpoch(9, 1_000n * UNIT), await cashEpoch(10, 400n * UNIT)];
    chain = await startAnvil();
    dir = mkdtempSync(join(tmpdir(), "zkrs-lp-"));
    rpc = ["--rpc-url", chain.rpcUrl];
    const [w0, w1] = [devWallet(0, chain.provider), devWallet(1, chain.provider)];
    lp1Env = { ZKRS_PRIVATE_KEY: w0.privateKey };
    lp2Env = { ZKRS_PRIVATE_KEY: w1.privateKey };
    const d = json(await zkrs(["deploy", ...rpc, "--circuits", "test", "--out", join(dir, "pool.json"), "--json"], lp1Env));
    pool = new RiskSharingPoolClient(JSON.parse(readFileSync(join(dir, "pool.json"), "utf8")).pool as string, w0);
    const token = new Contract(d.token as string, ["function mint(address,uint256)"], w0);
    for (const w of [w0, w1]) await (await token.getFunction("mint").send(w.address, 10_000n * UNIT)).wait();
  });

  after(async () => {
    await chain?.stop();
    rmSync(dir, { recursive: true, force: true });
    await releaseProverThreads();
  });

  const p = (): string[] => [...rpc, "--pool", join(dir, "pool.json")];

  async function open(e: EpochProofs): Promise<void> {
    await pool.publishRisk(e.table);
    await pool.postSolvencyEpoch(e.solvency);
  }

  it("refuses a request before the first epoch (genesis capital is `zkrs deposit --lp`), then takes genesis capital 1:1", async () => {
    fails(await zkrs(["lp", "deposit", ...p(), "--amount", "1000"], lp1Env), /^zkrs: no epoch is published yet: genesis LP capital is `zkrs deposit --lp`/);
    ok(await zkrs(["deposit", ...p(), "--amount", (2_000n * UNIT).toString(), "--lp"], lp1Env));
    ok(await zkrs(["deposit", ...p(), "--amount", (1_000n * UNIT).toString()], lp2Env)); // trader collateral (epoch 9's cash account)
    await open(e9);
    fails(await zkrs(["deposit", ...p(), "--amount", "1", "--lp"], lp1Env), /LP deposits are requests priced at the next opening's NAV now; use `zkrs lp deposit`$/);
  });

  it("requests a withdrawal and a deposit, refuses bad input with one line each, and only the owner cancels", async () => {
    fails(await zkrs(["lp", "withdraw", ...p()], lp1Env), /^zkrs: give either --shares N or --all$/);
    fails(await zkrs(["lp", "withdraw", ...p(), "--shares", "1", "--all"], lp1Env), /^zkrs: give either --shares N or --all$/);
    fails(await zkrs(["lp", "withdraw", ...p(), "--shares", (3_000n * UNIT).toString()], lp1Env), /holds 2000000000 shares, less than --shares 3000000000$/);
    fails(await zkrs(["lp", "withdraw", ...p(), "--all"], lp2Env), /holds no shares of the pool$/);
    const w = json(await zkrs(["lp", "withdraw", ...p(), "--shares", (500n * UNIT).toString(), "--json"], lp1Env));
    assert.deepEqual([w.requestId, w.batch, w.shares, w.valueAtLastNav], ["0", 0, (500n * UNIT).toString(), (500n * UNIT).toString()]);
    const d = await zkrs(["lp", "deposit", ...p(), "--amount", (700n * UNIT).toString()], lp2Env);
    assert.match(ok(d).stdout, /^requested an LP deposit of 700000000 from 0x[0-9a-fA-F]{40}: request 1 \(deposit batch 0\)\n/);
    assert.match(d.stdout, /then: zkrs lp claim --request 1\n/);
    fails(await zkrs(["lp", "claim", ...p(), "--request", "1"], lp1Env), /^zkrs: request 1 has not executed yet: deposits execute at the next opening that is not a Haircut$/);
    fails(await zkrs(["lp", "cancel", ...p(), "--request", "1"], lp1Env), /^zkrs: request 1 belongs to 0x[0-9a-fA-F]{40}, not to 0x[0-9a-fA-F]{40}$/);
    fails(await zkrs(["lp", "claim", ...p(), "--request", "7"], lp1Env), /^zkrs: request 7 does not exist on the pool, or was claimed or cancelled already$/);
    const before = await pool.tokenBalanceOf(devWallet(1, chain.provider).address);
    const c = json(await zkrs(["lp", "deposit", ...p(), "--amount", "5", "--json"], lp2Env));
    ok(await zkrs(["lp", "cancel", ...p(), "--request", c.requestId as string], lp2Env));
    assert.equal(await pool.tokenBalanceOf(devWallet(1, chain.provider).address), before);
  });

  it("executes both at the next opening; status shows NAV per share per epoch and the account's requests; claim pays (anyone may send it)", async () => {
    await pool.publishRisk(e10.table);
    // Epoch 10's table is public and the epoch not open: its NAV could be worked out, so no request or cancel is taken.
    const sealed = /^zkrs: epoch 10's risk table is published and the epoch is not open yet: no LP (request|cancel) is taken until it opens \(its price would be known already\)$/;
    fails(await zkrs(["lp", "deposit", ...p(), "--amount", "5"], lp2Env), sealed);
    fails(await zkrs(["lp", "withdraw", ...p(), "--shares", "5"], lp1Env), sealed);
    fails(await zkrs(["lp", "cancel", ...p(), "--request", "1"], lp2Env), sealed);
    await pool.postSolvencyEpoch(e10.solvency); // traders lost 600: NAV 3,000 - 400 = 2,600 for 2,000 shares
    const s = json(await zkrs(["lp", "status", ...p(), "--account", devWallet(0, chain.provider).address, "--json"]));
    const history = s.history as { epoch: number; nav: string; supply: string; navPerShare: string }[];
    assert.deepEqual(history.map((h) => [h.epoch, h.nav, h.supply, h.navPerShare]), [
      [9, (2_000n * UNIT).toString(), (2_000n * UNIT).toString(), "1.000000"],
      [10, (2_600n * UNIT).toString(), (2_000n * UNIT).toString(), navPerShare(2_600n * UNIT, 2_000n * UNIT)],
    ]);
    assert.equal(history[1].navPerShare, "1.299999");
    assert.deepEqual((s.requests as { requestId: string; executed: boolean }[]).map((r) => [r.requestId, r.executed]), [["0", true]]);
    const human = ok(await zkrs(["lp", "status", ...p()])).stdout;
    assert.match(human, /\n    epoch 10: 1\.299999  \(NAV 2600000000, 2000000000 shares\)\n/);

    const paid = sharesValue(500n * UNIT, 2_600n * UNIT, 2_000n * UNIT);
    const claim = json(await zkrs(["lp", "claim", ...p(), "--request", "0", "--json"], lp2Env)); // sent by the other LP, paid to the owner
    assert.deepEqual([claim.owner, claim.withdrawal, claim.tokens, claim.shares], [devWallet(0, chain.provider).address, true, paid.toString(), "0"]);
    fails(await zkrs(["lp", "claim", ...p(), "--request", "0"], lp2Env), /request 0 does not exist on the pool, or was claimed or cancelled already$/);
    fails(await zkrs(["lp", "cancel", ...p(), "--request", "1"], lp2Env), /^zkrs: request 1 has executed already: claim it with `zkrs lp claim --request 1`$/);
    const dep = json(await zkrs(["lp", "claim", ...p(), "--request", "1", "--json"], lp2Env));
    assert.equal(dep.withdrawal, false);
    assert.ok(BigInt(dep.shares as string) > 0n && BigInt(dep.shares as string) < 700n * UNIT, "priced at epoch 10's NAV (above 1), not at 1");
  });

  it("refuses a deposit that buys no share at the last NAV per share unless --accept-loss", async () => {
    const block = await chain.provider.getBlockNumber();
    fails(await zkrs(["lp", "deposit", ...p(), "--amount", "1"], lp2Env),
      /^zkrs: at the last opening's NAV per share \(1\.\d{6}\) 1 buys no share: the tokens would go to the LPs; pass --accept-loss to send it anyway$/);
    assert.equal(await chain.provider.getBlockNumber(), block, "nothing sent");
    const r = json(await zkrs(["lp", "deposit", ...p(), "--amount", "1", "--accept-loss", "--json"], lp2Env));
    assert.equal(r.sharesAtLastNav, "0");
  });
});
