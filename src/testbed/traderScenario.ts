import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract, type HDNodeWallet } from "ethers";
import { accountCommitment, newTraderAccount, paddedPositions, type TraderAccount, withFreshSalt } from "../accounts/account.js";
import { loadCircuitArtifacts } from "../artifacts/manifest.js";
import { type Chain, devWallet, startAnvil } from "../chain/localChain.js";
import { deployPool, type RiskSharingPoolClient, TEST_CIRCUITS } from "../chain/riskSharingPool.js";
import { MerkleTree } from "../crypto/merkleTree.js";
import { poseidon } from "../crypto/poseidon.js";
import { smallSnapshot } from "../demo/demoMarket.js";
import { encodeAccount, encodePath, encodeTable } from "../io/formats.js";
import { encodeLeafHashes, leafHashesOf } from "../protocol/leafHashes.js";
import { proveSolvency } from "../operator/proveSolvency.js";
import { liabilityTotals } from "../operator/solvencyTotals.js";
import { proveRiskTable } from "../oracle/riskTableProof.js";
import { commitRiskTable } from "../risk/riskCommitment.js";
import { computeRiskTable, type RiskTable } from "../risk/riskEngine.js";

const UNIT = 1_000_000n;

/**
 * The trader's scenario for the trader-page tests and screenshot (scripts/trader-screenshot.ts):
 * a pool of the test circuits on anvil with epoch 1 open (solvent), alice's account and path
 * files, and a way to open epoch 2 as a haircut epoch after alice's first withdrawal.
 */
export interface TraderFixture {
  chain: Chain;
  rpcUrl: string;
  pool: RiskSharingPoolClient;
  /** Alice's address (anvil's dev account 2, unlocked): her wallet and her recipient. */
  alice: string;
  /** Temporary folder with every file below. */
  dir: string;
  files: {
    /** The published risk tables (zkrs/risk-table@2) and leaf-hash files (zkrs/leaf-hashes@1), one per epoch. */
    tablesDir: string;
    leafHashesDir: string;
    /** Alice's account file (secret) and her epoch-1 path. */
    aliceAccount: string;
    alicePath: string;
    /** Bob's epoch-1 path: another account's. */
    bobPath: string;
    /** A path for alice's own leaf in a tree the operator never posted. */
    strayPath: string;
  };
  /** Alice's private values (positionsHash: the hash of her positions in her leaf): no request the page makes may carry any of them. */
  aliceSecrets: { secret: bigint; accountKey: bigint; salt: bigint; collateral: bigint; positionsHash: bigint };
  /** Alice's epoch-1 account as the tests prove with it. */
  aliceAccount: TraderAccount;
  /** The risk table of epoch 1 and the circuits' parameters. */
  table: RiskTable;
  params: { depth: number; positions: number; logInstruments: number; scenarios: number };
  /**
   * Opens epoch 2 with a haircut (the mark total 10,000 above the pool's balance), alice's
   * collateral debited by what she withdrew in epoch 1, everyone re-salted; writes alice's new
   * account file and path.
   */
  openHaircutEpoch(aliceWithdrew: bigint): Promise<{ epoch: number; aliceAccount: string; alicePath: string; haircut: { num: bigint; den: bigint } }>;
  stop(): Promise<void>;
}

export async function runTraderEpoch(): Promise<TraderFixture> {
  const params = loadCircuitArtifacts(TEST_CIRCUITS.margin).instance.params as TraderFixture["params"];
  const tables: Record<number, RiskTable> = { 1: computeRiskTable(smallSnapshot(1)), 2: computeRiskTable(smallSnapshot(2, 2900)) };
  // Not a round figure: the test looks for its decimal and hex forms in every request, and a round one matches zero padding.
  const alice0 = newTraderAccount(20_000n * UNIT + 123_457n, [{ instrument: 0, quantity: 3n }, { instrument: 1, quantity: -2n }]);
  const others: TraderAccount[] = [
    newTraderAccount(12_000n * UNIT, [{ instrument: 2, quantity: -1n }]),
    newTraderAccount(7_000n * UNIT, [{ instrument: 3, quantity: 4n }, { instrument: 1, quantity: 1n }]),
  ];
  const chain = await startAnvil();
  const dir = mkdtempSync(join(tmpdir(), "zkrs-trader-"));
  try {
    const [admin, lp, alice, desk] = [0, 1, 2, 3].map((i) => devWallet(i, chain.provider)) as HDNodeWallet[];
    const deployment = await deployPool({ signer: admin, circuits: TEST_CIRCUITS });
    const pool = deployment.pool;
    const token = new Contract(deployment.token, ["function mint(address,uint256)"], admin);
    const fund = async (who: HDNodeWallet, amount: bigint): Promise<void> => {
      await (await (token.getFunction("mint").send(who.address, amount))).wait();
      await pool.connect(who).approveToken(amount);
    };
    const leafHashesDir = join(dir, "leaf-hashes");
    mkdirSync(leafHashesDir);
    const tree = (accounts: readonly TraderAccount[]) => new MerkleTree(params.depth, accounts.map((a) => accountCommitment(a, params.positions)));
    /** Publishes the epoch's risk with its proof, proves and posts its solvency; `cash` adds a cash-only account. */
    const openEpoch = async (epoch: number, ledger: readonly TraderAccount[], cash?: (mark: bigint, balance: bigint) => bigint) => {
      await pool.publishRisk(await proveRiskTable(tables[epoch], TEST_CIRCUITS.riskTable));
      const risk = commitRiskTable(tables[epoch], params.logInstruments);
      const mark = liabilityTotals(ledger, risk.rows, params.scenarios)[0];
      const extra = cash?.(mark, await pool.poolBalance());
      const accounts = extra === undefined ? ledger : [...ledger, newTraderAccount(extra)];
      const solvency = await proveSolvency(accounts, tables[epoch], { circuit: TEST_CIRCUITS.solvency });
      await pool.postSolvencyEpoch(solvency.proof);
      const t = tree(accounts);
      const leaves = leafHashesOf(epoch, params.depth, accounts.map((_, i) => t.leaf(i)));
      writeFileSync(join(leafHashesDir, `leaf-hashes-${epoch}.json`), JSON.stringify(encodeLeafHashes(leaves)));
      return t;
    };
    const collateral = [alice0, ...others].reduce((t, a) => t + a.collateral, 0n);
    await fund(lp, 50_000n * UNIT);
    await pool.connect(lp).depositLiquidity(50_000n * UNIT);
    await fund(desk, collateral);
    await pool.connect(desk).depositCollateral(collateral);
    const ledger1 = [alice0, ...others];
    const tree1 = await openEpoch(1, ledger1);

    const write = (name: string, value: unknown): string => {
      const file = join(dir, name);
      writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
      return file;
    };
    const tablesDir = join(dir, "tables");
    mkdirSync(tablesDir);
    const writeTable = (epoch: number): void => {
      const riskRoot = commitRiskTable(tables[epoch], params.logInstruments).riskRoot;
      writeFileSync(join(tablesDir, `table-${epoch}.json`), JSON.stringify(encodeTable(tables[epoch], params.logInstruments, riskRoot)));
    };
    writeTable(1);
    const shape = { depth: params.depth, positionSlots: params.positions };
    const pathFile = (epoch: number, t: MerkleTree, index: number) => encodePath({ epoch, ...shape, accountsRoot: t.root, leaf: t.leaf(index), path: t.path(index) });
    const stray = tree([others[1], alice0]);
    return {
      chain, rpcUrl: chain.rpcUrl, pool, alice: alice.address, dir, table: tables[1], params, aliceAccount: alice0,
      files: {
        tablesDir, leafHashesDir,
        aliceAccount: write("alice.account.json", encodeAccount(alice0)),
        alicePath: write("alice.path.json", pathFile(1, tree1, 0)),
        bobPath: write("bob.path.json", pathFile(1, tree1, 1)),
        strayPath: write("alice.stray-path.json", pathFile(1, stray, 1)),
      },
      aliceSecrets: {
        secret: alice0.secret, accountKey: alice0.accountKey, salt: alice0.salt, collateral: alice0.collateral,
        positionsHash: poseidon(paddedPositions(alice0.positions, params.positions).flatMap((p) => [BigInt(p.instrument), p.quantity])),
      },
      async openHaircutEpoch(aliceWithdrew) {
        const alice2 = withFreshSalt({ ...alice0, collateral: alice0.collateral - aliceWithdrew });
        let haircut = { num: 0n, den: 0n };
        const tree2 = await openEpoch(2, [alice2, ...others.map(withFreshSalt)], (mark, balance) => {
          haircut = { num: balance, den: balance + 10_000n * UNIT };
          return haircut.den - mark; // the mark total ends 10,000 above the balance
        });
        writeTable(2);
        return {
          epoch: 2, haircut,
          aliceAccount: write("alice-2.account.json", encodeAccount(alice2)),
          alicePath: write("alice-2.path.json", pathFile(2, tree2, 0)),
        };
      },
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
