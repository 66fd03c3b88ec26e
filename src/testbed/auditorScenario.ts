import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract, type HDNodeWallet } from "ethers";
import { accountCommitment, newTraderAccount, type TraderAccount, withFreshSalt } from "../accounts/account.js";
import { MerkleTree } from "../crypto/merkleTree.js";
import { loadCircuitArtifacts } from "../artifacts/manifest.js";
import { type Chain, devWallet, startAnvil } from "../chain/localChain.js";
import { deployPool, type RiskSharingPoolClient, TEST_CIRCUITS } from "../chain/riskSharingPool.js";
import { encodeAccount, encodePath, encodeTable } from "../io/formats.js";
import { liquidationProofFile } from "../protocol/liquidation.js";
import { marginProofFile } from "../protocol/margin.js";
import { solvencyProofFile } from "../protocol/solvency.js";
import { proveLiquidation } from "../operator/proveLiquidation.js";
import { proveSolvency } from "../operator/proveSolvency.js";
import { liabilityTotals } from "../operator/solvencyTotals.js";
import { commitRiskTable } from "../risk/riskCommitment.js";
import { computeRiskTable, type RiskTable } from "../risk/riskEngine.js";
import { proveExit } from "../trader/proveExit.js";
import { proveMargin } from "../trader/proveMargin.js";
import { smallSnapshot as testSnapshot } from "../demo/demoMarket.js";
import { proveRiskTable } from "../oracle/riskTableProof.js";

const UNIT = 1_000_000n;

/**
 * The auditor's scenario for the page tests and the page screenshot (scripts/auditor-screenshot.ts).
 */

/** A pool on anvil with three audited epochs, and the files an auditor and a trader would hold. */
export interface AuditorFixture {
  chain: Chain;
  rpcUrl: string;
  pool: RiskSharingPoolClient;
  /** Block of the deployment (the page scans events from it). */
  fromBlock: number;
  /** The epochs: solvent (with two liquidations), stressed, haircut. */
  epochs: { solvent: number; stressed: number; haircut: number };
  /** The epoch of alice's files (the solvent one). */
  epoch: number;
  /** The haircut epoch's haircut: balance at opening / mark bound. */
  haircut: { num: bigint; den: bigint };
  /** After epoch 5 the operator goes silent: the pool is frozen and two traders exit (alice after her settlement). */
  frozen: { exits: number; exitsPaid: bigint };
  /** Temporary folder with every file below. */
  dir: string;
  files: {
    /** The published risk tables (zkrs/risk-table@2), one per epoch. */
    tablesDir: string;
    /** Alice's secret account file and the path the operator gave her (included). */
    aliceAccount: string;
    alicePath: string;
    /** An account the operator left out, with a path to its own tree (not included). */
    outsiderAccount: string;
    outsiderPath: string;
    /** Alice's margin proof as settled, and a copy with one proof point changed. */
    marginProof: string;
    tamperedProof: string;
    /** The operator's solvency proof of the solvent epoch (every batch), and dave's liquidation proof. */
    solvencyProof: string;
    liquidationProof: string;
  };
  /** Alice's private values: no request the page makes may carry any of them. */
  aliceSecrets: { secret: bigint; accountKey: bigint; salt: bigint; collateral: bigint };
  stop(): Promise<void>;
}

/**
 * Runs three epochs of the test circuits on a fresh anvil, like the demo but small.
 *  - epoch 3, solvent: LP and trader deposits, 500 into the insurance fund, the table
 *    published, solvency proven and posted (two batches); erin liquidated (penalty 30 into the
 *    fund), dave liquidated (a deficit of 1,271: the fund drawn, then the LP capital written
 *    down); alice withdraws 1,000 with a margin proof.
 *  - epoch 4, stressed: a cash account (credited by the ledger) brings the mark total to the
 *    balance, so the stress total is above it: LP withdrawals frozen.
 *  - epoch 5, haircut: a larger cash account puts the mark total 10,000 above the balance: the
 *    fund and LP capital are written off, and alice's next withdrawal of 1,000 pays
 *    balance / markTotal of it.
 *  - then the operator goes silent: a week later anyone freezes the pool, and alice and bob exit
 *    with proofs against epoch 5's roots, paid the epoch's ratio of what is left of their claims.
 * Writes each epoch's table, alice's files and an outsider's.
 */
export async function runAuditorEpoch(): Promise<AuditorFixture> {
  const params = loadCircuitArtifacts(TEST_CIRCUITS.solvency).instance.params as { depth: number; positions: number; logInstruments: number; scenarios: number };
  const epochs = { solvent: 3, stressed: 4, haircut: 5 };
  const tables: Record<number, RiskTable> = {
    3: computeRiskTable(testSnapshot(3)), 4: computeRiskTable(testSnapshot(4, 2950)), 5: computeRiskTable(testSnapshot(5, 2900)),
  };
  const risk = (epoch: number) => commitRiskTable(tables[epoch], params.logInstruments);
  const alice0 = newTraderAccount(20_000n * UNIT, [{ instrument: 0, quantity: 3n }, { instrument: 1, quantity: -2n }]);
  const others: TraderAccount[] = [
    newTraderAccount(12_000n * UNIT, [{ instrument: 2, quantity: -1n }]),
    newTraderAccount(7_000n * UNIT, [{ instrument: 3, quantity: 4n }, { instrument: 1, quantity: 1n }]),
    newTraderAccount(3_000n * UNIT, [{ instrument: 2, quantity: 1n }, { instrument: 0, quantity: -1n }]),
  ];
  // Under water: short a put worth more than the collateral (deficit), and short a call with little collateral (penalty).
  const dave = newTraderAccount(100n * UNIT, [{ instrument: 3, quantity: -1n }]);
  const erin = newTraderAccount(300n * UNIT, [{ instrument: 1, quantity: -1n }]);

  const chain = await startAnvil();
  const dir = mkdtempSync(join(tmpdir(), "zkrs-auditor-"));
  try {
    const [admin, lp, alice, desk, sponsor] = [0, 1, 2, 3, 4].map((i) => devWallet(i, chain.provider)) as HDNodeWallet[];
    const deployment = await deployPool({ signer: admin, circuits: TEST_CIRCUITS });
    const fromBlock = await chain.provider.getBlockNumber();
    const pool = deployment.pool;
    const token = new Contract(deployment.token, ["function mint(address,uint256)"], admin);
    const fund = async (who: HDNodeWallet, amount: bigint): Promise<void> => {
      await (await (token.getFunction("mint").send(who.address, amount))).wait();
      await pool.connect(who).approveToken(amount);
    };
    const solvencyProofs: Record<number, Record<string, unknown>> = {};
    const tree = (accounts: readonly TraderAccount[]) => new MerkleTree(params.depth, accounts.map((a) => accountCommitment(a, params.positions)));
    /**
     * Publishes the epoch's risk, proves and posts its solvency (exact figures). `cash`, when
     * given, is the collateral of one more account (no positions: it adds the same to every
     * total), chosen from the totals and the balance to put the epoch in the status wanted.
     */
    const openEpoch = async (epoch: number, ledger: readonly TraderAccount[], cash?: (worst: bigint, mark: bigint, balance: bigint) => bigint) => {
      await pool.publishRisk(await proveRiskTable(tables[epoch], TEST_CIRCUITS.riskTable));
      const totals = liabilityTotals(ledger, risk(epoch).rows, params.scenarios);
      const extra = cash?.(totals.reduce((m, t) => (t > m ? t : m), 0n), totals[0], await pool.poolBalance());
      if (extra !== undefined && extra < 0n) throw new Error(`fixture: epoch ${epoch} needs a negative cash account (${extra})`);
      const accounts = extra === undefined ? ledger : [...ledger, newTraderAccount(extra)];
      const solvency = await proveSolvency(accounts, tables[epoch], { circuit: TEST_CIRCUITS.solvency });
      await pool.postSolvencyEpoch(solvency.proof);
      solvencyProofs[epoch] = solvencyProofFile.encode(solvency.proof);
      return tree(accounts);
    };

    const collateral = [alice0, ...others, dave, erin].reduce((t, a) => t + a.collateral, 0n);
    await fund(lp, 50_000n * UNIT);
    await pool.connect(lp).depositLiquidity(50_000n * UNIT);
    await fund(desk, collateral);
    await pool.connect(desk).depositCollateral(collateral);
    await fund(sponsor, 500n * UNIT);
    await pool.connect(sponsor).fundInsurance(500n * UNIT);

    // epoch 3: solvent; two liquidations; alice withdraws
    const ledger3 = [alice0, ...others, dave, erin];
    const tree3 = await openEpoch(3, ledger3);
    let liquidationProof: Record<string, unknown> = {};
    for (const victim of [erin, dave]) {
      const index = ledger3.indexOf(victim);
      const proof = await proveLiquidation({ account: victim, accountPath: tree3.path(index), accountsRoot: tree3.root, riskTable: tables[3], epoch: 3 }, TEST_CIRCUITS.liquidation);
      await pool.liquidate(proof);
      liquidationProof = liquidationProofFile.encode(proof);
    }
    const proof = await proveMargin({
      account: alice0, accountPath: tree3.path(0), accountsRoot: tree3.root, riskTable: tables[3], epoch: 3, recipient: alice.address, amount: 1_000n * UNIT,
    }, TEST_CIRCUITS.margin);
    await pool.connect(alice).settle(proof);

    // epoch 4: stressed (a cash account brings the mark total to the balance: the stress total is above it)
    const alice4 = withFreshSalt({ ...alice0, collateral: alice0.collateral - 1_000n * UNIT });
    await openEpoch(4, [alice4, ...others.map(withFreshSalt)], (_w, mark, balance) => balance - mark);

    // epoch 5: haircut (the mark bound above the balance); alice withdraws again and is paid the haircut
    const alice5 = withFreshSalt(alice4);
    const ledger5 = [alice5, ...others.map(withFreshSalt)];
    let haircut = { num: 0n, den: 0n };
    const tree5 = await openEpoch(5, ledger5, (_w, mark, balance) => {
      haircut = { num: balance, den: balance + 10_000n * UNIT };
      return haircut.den - mark; // the mark total ends 10,000 above the balance
    });
    const proof5 = await proveMargin({
      account: alice5, accountPath: tree5.path(0), accountsRoot: tree5.root, riskTable: tables[5], epoch: 5, recipient: alice.address, amount: 1_000n * UNIT,
    }, TEST_CIRCUITS.margin);
    await pool.connect(alice).settle(proof5);

    // the operator goes silent: a week later anyone freezes; alice and bob exit against epoch 5's roots
    await chain.provider.send("evm_increaseTime", [Number((await pool.hatchState()).maxEpochDelay)]);
    await chain.provider.send("evm_mine", []);
    await pool.connect(desk).freeze();
    let exitsPaid = 0n;
    for (const [index, to] of [[0, alice], [1, desk]] as const) {
      const exit = await proveExit({ account: ledger5[index], accountPath: tree5.path(index), accountsRoot: tree5.root, riskTable: tables[5], epoch: 5, recipient: to.address }, TEST_CIRCUITS.exit);
      const r = await pool.exit(exit);
      const e = r.events.find((x) => x.name === "Exited");
      if (e?.name === "Exited") exitsPaid += e.args.paid;
    }

    const write = (name: string, value: unknown): string => {
      const file = join(dir, name);
      writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
      return file;
    };
    const tablesDir = join(dir, "tables");
    mkdirSync(tablesDir);
    for (const epoch of [3, 4, 5]) {
      writeFileSync(join(tablesDir, `table-${epoch}.json`), JSON.stringify(encodeTable(tables[epoch], params.logInstruments, risk(epoch).riskRoot)));
    }
    const shape = { depth: params.depth, positionSlots: params.positions };
    const pathFile = (t: MerkleTree, index: number) => encodePath({ epoch: 3, ...shape, accountsRoot: t.root, leaf: t.leaf(index), path: t.path(index) });
    const outsider = newTraderAccount(9_000n * UNIT, [{ instrument: 1, quantity: 2n }]);
    const otherTree = tree([outsider]);
    const marginProofJson = marginProofFile.encode(proof);
    // pi_c := pi_a: still a point on the curve, but no longer a proof of the statement.
    const tampered = JSON.parse(JSON.stringify(marginProofJson)) as { proof: { pi_a: string[]; pi_c: string[] } };
    tampered.proof.pi_c = [...tampered.proof.pi_a];
    return {
      chain, rpcUrl: chain.rpcUrl, pool, fromBlock, epochs, epoch: 3, haircut, frozen: { exits: 2, exitsPaid }, dir,
      files: {
        tablesDir,
        aliceAccount: write("alice.account.json", encodeAccount(alice0)),
        alicePath: write("alice.path.json", pathFile(tree3, 0)),
        outsiderAccount: write("outsider.account.json", encodeAccount(outsider)),
        outsiderPath: write("outsider.path.json", pathFile(otherTree, 0)),
        marginProof: write("alice.proof.json", marginProofJson),
        tamperedProof: write("tampered.proof.json", tampered),
        solvencyProof: write("solvency-3.json", solvencyProofs[3]),
        liquidationProof: write("liquidation-dave.json", liquidationProof),
      },
      aliceSecrets: { secret: alice0.secret, accountKey: alice0.accountKey, salt: alice0.salt, collateral: alice0.collateral },
      async stop() {
        await chain.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await chain.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
