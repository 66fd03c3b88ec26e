import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract, type HDNodeWallet } from "ethers";
import { accountCommitment, newTraderAccount, type TraderAccount } from "../../src/accounts/account.js";
import { MerkleTree } from "../../src/accounts/merkleTree.js";
import { loadCircuitArtifacts } from "../../src/build/manifest.js";
import { type Chain, devWallet, startAnvil } from "../../src/chain/localChain.js";
import { deployPool, type RiskSharingPoolClient, TEST_CIRCUITS } from "../../src/chain/riskSharingPool.js";
import { encodeAccount, encodeMarginProof, encodePath, encodeTable } from "../../src/io/formats.js";
import { proveSolvency } from "../../src/operator/proveSolvency.js";
import { liabilityTotals } from "../../src/operator/solvencyTotals.js";
import { commitRiskTable } from "../../src/risk/riskCommitment.js";
import { computeRiskTable } from "../../src/risk/riskEngine.js";
import { proveMargin } from "../../src/trader/proveMargin.js";
import { testSnapshot } from "./market.js";

const UNIT = 1_000_000n;

/** A pool on anvil with one audited epoch, and the files an auditor and a trader would hold. */
export interface AuditorFixture {
  chain: Chain;
  rpcUrl: string;
  pool: RiskSharingPoolClient;
  /** Block of the deployment (the page scans events from it). */
  fromBlock: number;
  epoch: number;
  /** Temporary folder with every file below. */
  dir: string;
  files: {
    /** The published risk table (zkrs/risk-table@1), the only file in `tables/`. */
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
  };
  /** Alice's private values: no request the page makes may carry any of them. */
  aliceSecrets: { secret: bigint; accountKey: bigint; salt: bigint; collateral: bigint };
  stop(): Promise<void>;
}

/**
 * Runs one epoch of the test circuits on a fresh anvil, like the demo but small: LP and
 * trader deposits, the risk table published, solvency proven and posted (two batches),
 * alice's withdrawal proven and settled. Writes the table, alice's files and an outsider's.
 */
export async function runAuditorEpoch(epoch = 3): Promise<AuditorFixture> {
  const params = loadCircuitArtifacts(TEST_CIRCUITS.solvency).instance.params as { depth: number; positions: number; logInstruments: number; scenarios: number };
  const table = computeRiskTable(testSnapshot(epoch));
  const risk = commitRiskTable(table, params.logInstruments);
  const accounts: TraderAccount[] = [
    newTraderAccount(20_000n * UNIT, [{ instrument: 0, quantity: 3n }, { instrument: 1, quantity: -2n }]),
    newTraderAccount(12_000n * UNIT, [{ instrument: 2, quantity: -1n }]),
    newTraderAccount(7_000n * UNIT, [{ instrument: 3, quantity: 4n }, { instrument: 1, quantity: 1n }]),
    newTraderAccount(3_000n * UNIT, [{ instrument: 2, quantity: 1n }, { instrument: 0, quantity: -1n }]),
    newTraderAccount(1n * UNIT),
  ];
  const totals = liabilityTotals(accounts, risk.rows, params.scenarios);
  const bound = totals.reduce((m, t) => (t > m ? t : m), 0n) + 100n * UNIT;

  const chain = await startAnvil();
  const dir = mkdtempSync(join(tmpdir(), "zkrs-auditor-"));
  try {
    const [admin, lp, alice, desk] = [0, 1, 2, 3].map((i) => devWallet(i, chain.provider)) as HDNodeWallet[];
    const deployment = await deployPool({ signer: admin, circuits: TEST_CIRCUITS });
    const fromBlock = await chain.provider.getBlockNumber();
    const pool = deployment.pool;
    const token = new Contract(deployment.token, ["function mint(address,uint256)"], admin);
    const fund = async (who: HDNodeWallet, amount: bigint): Promise<void> => {
      await (await (token.getFunction("mint").send(who.address, amount))).wait();
      await pool.connect(who).approveToken(amount);
    };
    const collateral = accounts.reduce((t, a) => t + a.collateral, 0n);
    await fund(lp, 50_000n * UNIT);
    await pool.connect(lp).depositLiquidity(50_000n * UNIT);
    await fund(desk, collateral);
    await pool.connect(desk).depositCollateral(collateral);
    await pool.publishRisk(epoch, risk.riskRoot);
    const solvency = await proveSolvency(accounts, table, bound, { circuit: TEST_CIRCUITS.solvency });
    await pool.postSolvencyEpoch(solvency.proof);

    const tree = new MerkleTree(params.depth, accounts.map((a) => accountCommitment(a, params.positions)));
    const proof = await proveMargin({
      account: accounts[0], accountPath: tree.path(0), accountsRoot: tree.root, riskTable: table, epoch, recipient: alice.address, amount: 1_000n * UNIT,
    }, TEST_CIRCUITS.margin);
    await pool.connect(alice).settle(proof);

    const write = (name: string, value: unknown): string => {
      const file = join(dir, name);
      writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
      return file;
    };
    const tablesDir = join(dir, "tables");
    mkdirSync(tablesDir);
    writeFileSync(join(tablesDir, `table-${epoch}.json`), JSON.stringify(encodeTable(table, params.logInstruments, risk.riskRoot)));
    const shape = { depth: params.depth, positionSlots: params.positions };
    const pathFile = (t: MerkleTree, index: number, leaf: bigint) => encodePath({ epoch, ...shape, accountsRoot: t.root, leaf, path: t.path(index) });
    const outsider = newTraderAccount(9_000n * UNIT, [{ instrument: 1, quantity: 2n }]);
    const otherTree = new MerkleTree(params.depth, [accountCommitment(outsider, params.positions)]);
    const marginProofJson = encodeMarginProof(proof);
    // pi_c := pi_a: still a point on the curve, but no longer a proof of the statement.
    const tampered = JSON.parse(JSON.stringify(marginProofJson)) as { proof: { pi_a: string[]; pi_c: string[] } };
    tampered.proof.pi_c = [...tampered.proof.pi_a];
    return {
      chain, rpcUrl: chain.rpcUrl, pool, fromBlock, epoch, dir,
      files: {
        tablesDir,
        aliceAccount: write("alice.account.json", encodeAccount(accounts[0])),
        alicePath: write("alice.path.json", pathFile(tree, 0, tree.leaf(0))),
        outsiderAccount: write("outsider.account.json", encodeAccount(outsider)),
        outsiderPath: write("outsider.path.json", pathFile(otherTree, 0, otherTree.leaf(0))),
        marginProof: write("alice.proof.json", marginProofJson),
        tamperedProof: write("tampered.proof.json", tampered),
      },
      aliceSecrets: { secret: accounts[0].secret, accountKey: accounts[0].accountKey, salt: accounts[0].salt, collateral: accounts[0].collateral },
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
