import { newTraderAccount } from "../../src/accounts/account.js";
import { TEST_CIRCUITS } from "../../src/chain/riskSharingPool.js";
import { proveSolvency, type SolvencyProof } from "../../src/operator/proveSolvency.js";
import type { RiskTableProof } from "../../src/oracle/riskTableProof.js";
import { computeRiskTable, type RiskTable } from "../../src/risk/riskEngine.js";
import { testSnapshot } from "./market.js";
import { tableProof } from "./riskTables.js";

/** An epoch's risk-table proof and solvency proof, ready to publish and post on any pool. */
export interface EpochProofs {
  table: RiskTableProof;
  solvency: SolvencyProof;
}

/** The tests' table of `epoch`: epoch 9's market, relabelled (one table proof per epoch, cached). */
export function lpTestTable(epoch: number): RiskTable {
  const t = computeRiskTable(testSnapshot(9));
  return epoch === 9 ? t : { ...t, epoch };
}

const cash = new Map<string, Promise<EpochProofs>>();

/**
 * An epoch whose ledger is one cash account of `collateral` (no positions): markTotal and
 * stressTotal are exactly `collateral`, so a test chooses them. Proven once per (epoch, collateral)
 * in a test process and replayed on any pool (proofs bind the epoch and roots, not the pool).
 */
export function cashEpoch(epoch: number, collateral: bigint): Promise<EpochProofs> {
  const key = `${epoch}:${collateral}`;
  let p = cash.get(key);
  if (!p) {
    p = (async () => {
      const table = lpTestTable(epoch);
      const solvency = (await proveSolvency([newTraderAccount(collateral)], table, { circuit: TEST_CIRCUITS.solvency })).proof;
      return { table: await tableProof(table), solvency };
    })();
    cash.set(key, p);
  }
  return p;
}
