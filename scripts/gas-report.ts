/**
 * `npm run gas` — gas of RiskSharingPool on an embedded anvil, read from transaction RECEIPTS
 * (never estimated): deployment of each contract, publishRisk, postSolvency per batch (the last
 * with an LP deposit and an LP withdrawal batch to execute), settle, the LP requests and claims
 * (lpRequest, lpClaim), fundInsurance and liquidate (a proven deficit drawn from the insurance fund),
 * and the escape hatch (a path request and its on-chain-checked answer, freeze, exits, noteSettled, lpExit).
 * Uses the reference circuits' verifiers when they are built, else the test circuits' (it says
 * which). Prints only; writes no file.
 *
 *   tsx scripts/gas-report.ts
 */
import { Contract, type InterfaceAbi, Wallet } from "ethers";
import { accountCommitment, newTraderAccount, type TraderAccount } from "../src/accounts/account.js";
import { MerkleTree } from "../src/crypto/merkleTree.js";
import { loadCircuitArtifacts, loadContractArtifact } from "../src/artifacts/manifest.js";
import { devWallet, withChain } from "../src/chain/localChain.js";
import { PathRequestsClient } from "../src/chain/pathRequests.js";
import {
  DEFAULT_MAX_EPOCH_DELAY, deployPool, type PoolCircuits, REFERENCE_CIRCUITS, requestIdOf, type RiskSharingPoolClient, TEST_CIRCUITS, type TxResult, verifierArtifact,
} from "../src/chain/riskSharingPool.js";
import { proveLiquidation } from "../src/operator/proveLiquidation.js";
import { proveSolvency } from "../src/operator/proveSolvency.js";
import { liabilityTotals } from "../src/operator/solvencyTotals.js";
import { proveRiskTable } from "../src/oracle/riskTableProof.js";
import { releaseProverThreads } from "../src/proof/groth16Prover.js";
import { commitRiskTable } from "../src/risk/riskCommitment.js";
import { computeRiskTable } from "../src/risk/riskEngine.js";
import { smallSnapshot } from "../src/demo/demoMarket.js";
import { proveExit } from "../src/trader/proveExit.js";
import { proveMargin } from "../src/trader/proveMargin.js";

const SETTLE_TARGET = 300_000n;
const POST_SOLVENCY_TARGET = 350_000n;
const PUBLISH_RISK_TARGET = 350_000n;
const EXIT_TARGET = 300_000n;
const UNIT = 1_000_000n;
const EPOCH = 1;

const snapshot = smallSnapshot;

/** Reference circuits when their circuits and verifiers are both built, else the test ones. */
function chooseCircuits(): { circuits: PoolCircuits; label: string } {
  try {
    for (const c of Object.values(REFERENCE_CIRCUITS)) {
      loadCircuitArtifacts(c);
      loadContractArtifact(verifierArtifact(c));
    }
    return { circuits: REFERENCE_CIRCUITS, label: "reference circuits (margin, solvency, liquidation, risk_table, exit)" };
  } catch {
    return { circuits: TEST_CIRCUITS, label: "TEST circuits (margin_test, solvency_test, liquidation_test, risk_table_test, exit_test): the reference ones are not built" };
  }
}

const fmt = (g: bigint): string => g.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",").padStart(11);
const row = (what: string, g: bigint, target?: bigint): void =>
  console.log(`  ${what.padEnd(48)}${fmt(g)}${target === undefined ? "" : g <= target ? `   <= ${fmt(target).trim()} ok` : `   ABOVE target ${fmt(target).trim()}`}`);

async function main(): Promise<void> {
  const { circuits, label } = chooseCircuits();
  console.log("RiskSharingPool gas report (gas used, from transaction receipts)");
  console.log(`  verifiers: ${label}`);
  const instance = loadCircuitArtifacts(circuits.solvency).instance;
  if (instance.kind !== "solvency") throw new Error(`${circuits.solvency} is not a solvency circuit`);
  const params = instance.params;
  const batchSize = 2 ** params.logBatch;

  // An epoch with two solvency batches: one more account than a batch holds.
  const table = computeRiskTable(snapshot(EPOCH));
  const accounts: TraderAccount[] = Array.from({ length: batchSize + 2 }, (_, j) =>
    newTraderAccount(BigInt(10_000 + 500 * j) * UNIT, j % 3 === 0 ? [{ instrument: 0, quantity: 2n }] : j % 3 === 1 ? [{ instrument: 1, quantity: -1n }] : []));
  // A defaulter: short calls with no cash left, under water at mark (a deficit for the waterfall).
  const defaulter = accounts.length;
  accounts.push(newTraderAccount(0n, [{ instrument: 1, quantity: -3n }]));
  const rows = commitRiskTable(table, params.logInstruments).rows;
  const started = Date.now();
  process.stdout.write(`  proving ${accounts.length} accounts with ${circuits.solvency} ...`);
  const solvency = (await proveSolvency(accounts, table, { circuit: circuits.solvency })).proof;
  const tableProofs = [await proveRiskTable(table, circuits.riskTable), await proveRiskTable({ ...table, epoch: EPOCH + 1 }, circuits.riskTable)];
  const tree = new MerkleTree(params.depth, accounts.map((a) => accountCommitment(a, params.positions)));
  const fresh = Wallet.createRandom().address;
  const margin = async (j: number, recipient: string) => proveMargin({
    account: accounts[j], accountPath: tree.path(j), accountsRoot: tree.root, riskTable: table, epoch: EPOCH, recipient, amount: 100n * UNIT,
  }, circuits.margin);

  await withChain(undefined, async (chain) => {
    const [admin, oracle, operator, lp, trader, lp2] = [0, 1, 2, 3, 4, 5].map((i) => devWallet(i, chain.provider));
    const toHolder = await margin(0, trader.address);
    const toFresh = await margin(1, fresh);
    const liquidation = await proveLiquidation(
      { account: accounts[defaulter], accountPath: tree.path(defaulter), accountsRoot: tree.root, riskTable: table, epoch: EPOCH }, circuits.liquidation,
    );
    console.log(` ${solvency.batches.length} batches + 2 margin proofs + 1 liquidation proof + 2 risk-table proofs in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const d = await deployPool({ signer: admin, oracle: oracle.address, operator: operator.address, circuits });
    console.log("deployment");
    for (const c of d.deployed) row(c.name, c.gasUsed);
    const pool: RiskSharingPoolClient = d.pool;
    const token = new Contract(d.token, loadContractArtifact("TestToken").abi as InterfaceAbi, admin);
    const mint = async (to: string, amount: bigint): Promise<void> => { await (await token.getFunction("mint").send(to, amount)).wait(); };

    console.log("deposits");
    const genesis = solvency.stressTotal + 1_000n * UNIT;
    await mint(lp.address, genesis);
    await pool.connect(lp).approveToken(genesis);
    row("depositLiquidity (genesis LP, before the first epoch)", (await pool.connect(lp).depositLiquidity(genesis)).gasUsed);
    await mint(trader.address, 1_001n * UNIT); // keeps 1 after depositing 1,000: a recipient that holds tokens
    await pool.connect(trader).approveToken(1_000n * UNIT);
    row("depositCollateral (first)", (await pool.connect(trader).depositCollateral(500n * UNIT)).gasUsed);
    row("depositCollateral (again)", (await pool.connect(trader).depositCollateral(500n * UNIT)).gasUsed);

    console.log("epoch");
    // LP requests before the table is published (none are taken from publishRisk to the opening): they execute at
    // the epoch's opening (the last batch).
    await mint(lp2.address, 2_000n * UNIT);
    await pool.connect(lp2).approveToken(2_000n * UNIT);
    const deposit = await pool.connect(lp2).requestDeposit(1_000n * UNIT);
    row("lpRequest deposit (first of its batch)", deposit.gasUsed);
    const again = await pool.connect(lp2).requestDeposit(500n * UNIT);
    row("lpRequest deposit (again)", again.gasUsed);
    row("lpCancel (a deposit request)", (await pool.connect(lp2).cancelRequest(requestIdOf(again))).gasUsed);
    const withdrawal = await pool.connect(lp).requestWithdraw(500n * UNIT);
    row("lpRequest withdraw (first of its batch)", withdrawal.gasUsed);
    row("publishRisk (first epoch)", (await pool.connect(oracle).publishRisk(tableProofs[0])).gasUsed, PUBLISH_RISK_TARGET);
    const posted: TxResult[] = await pool.connect(operator).postSolvencyEpoch(solvency);
    posted.forEach((r, k) => row(`postSolvency batch ${k}${k === posted.length - 1 ? " (last: opens, LP queue non-empty)" : ""}`, r.gasUsed, POST_SOLVENCY_TARGET));
    row("settle (recipient already holds tokens)", (await pool.settle(toHolder)).gasUsed, SETTLE_TARGET);
    row("settle (fresh recipient: token balance 0 -> x)", (await pool.settle(toFresh)).gasUsed, SETTLE_TARGET);
    row("lpClaim withdraw (pays the tokens)", (await pool.claim(requestIdOf(withdrawal))).gasUsed);
    row("lpClaim deposit (credits the shares)", (await pool.claim(requestIdOf(deposit))).gasUsed);
    await mint(admin.address, 1_000n * UNIT);
    await pool.connect(admin).approveToken(1_000n * UNIT);
    row("fundInsurance", (await pool.connect(admin).fundInsurance(1_000n * UNIT)).gasUsed);
    row(`liquidate (deficit ${liquidation.statement.deficit}: fund, then the LPs)`, (await pool.connect(operator).liquidate(liquidation)).gasUsed);
    row("publishRisk (next epoch, closes the last)", (await pool.connect(oracle).publishRisk(tableProofs[1])).gasUsed, PUBLISH_RISK_TARGET);

    console.log("escape hatch (the operator goes silent after publishing the next epoch's risk)");
    const exitOf = (j: number, recipient: string) => proveExit({
      account: accounts[j], accountPath: tree.path(j), accountsRoot: tree.root, riskTable: table, epoch: EPOCH, recipient,
    }, circuits.exit);
    const exits = [await exitOf(0, trader.address), await exitOf(2, trader.address), await exitOf(3, Wallet.createRandom().address)];
    const asTrader = new PathRequestsClient(await pool.pathRequestsAddress(), trader);
    const request = await asTrader.request(2);
    row("path request", request.gasUsed);
    const answer = await new PathRequestsClient(asTrader.address, operator).answer(request.requestId, accountCommitment(accounts[2], params.positions), tree.path(2));
    row(`path answer (depth ${params.depth}, checked on-chain)`, answer.gasUsed);
    await chain.provider.send("evm_increaseTime", [DEFAULT_MAX_EPOCH_DELAY]);
    await chain.provider.send("evm_mine", []);
    row("freeze", (await pool.freeze()).gasUsed);
    row("exit (after a settlement, recipient holds tokens)", (await pool.exit(exits[0])).gasUsed, EXIT_TARGET);
    row("exit (unsettled account, recipient holds tokens)", (await pool.exit(exits[1])).gasUsed, EXIT_TARGET);
    row("exit (unsettled account, fresh recipient)", (await pool.exit(exits[2])).gasUsed, EXIT_TARGET);
    row("noteSettled", (await pool.noteSettled(toHolder.statement.nullifier)).gasUsed);
    row("lpExit", (await pool.connect(lp).lpExit()).gasUsed);
  });
}

main()
  .then(releaseProverThreads)
  .catch(async (err: unknown) => {
    console.error(`gas report failed: ${err instanceof Error ? err.message : String(err)}`);
    await releaseProverThreads();
    process.exitCode = 1;
  });
