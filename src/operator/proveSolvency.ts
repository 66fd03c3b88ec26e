import type { AccountOpening } from "../accounts/account.js";
import { loadCircuitArtifacts } from "../artifacts/manifest.js";
import { proveCircuit, warmUpProver } from "../proof/groth16Prover.js";
import type { BatchProof, SolvencyProof } from "../protocol/solvency.js";
import type { RiskTable } from "../risk/riskEngine.js";
import { planSolvencyBatches } from "./solvencyBatches.js";
import { checkExpectedFigures } from "./solvencyTotals.js";

export type { BatchProof, SolvencyProof };

/** The proof plus what only the operator keeps: the exact liability totals per scenario. */
export interface SolvencyResult {
  proof: SolvencyProof;
  /** Private: total floored equity per scenario (0 = mark). Never publish. */
  totals: bigint[];
  accountsPerSecond: number;
}

export interface ProveSolvencyOptions {
  epoch?: number;
  circuit?: string;
  /** Batches proven at once in this process (witness of one overlaps the MSM of another). Default 2. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
  /** Batches to prove (default: what the accounts need, rounded up to a power of two). */
  batchCount?: number;
  /**
   * Figures the caller expects (e.g. from its own books): the prover refuses before proving
   * when either differs from the exact figure (InexactFigureError). The statement is always exact.
   */
  expect?: { stressTotal?: bigint; markTotal?: bigint };
}

/**
 * The operator's proof (docs/design.md §4.2, §9, §10): the pool's liabilities — the sum over accounts of
 * max(0, equity) — are exactly `markTotal` at mark, and `stressTotal` is exactly the largest of
 * them over mark and every stress scenario, for exactly the accounts in the posted accounts root.
 * The contract sets the epoch's status, haircut and the LPs' NAV from these two aggregates alone;
 * the accounts, their number and the per-scenario totals stay hidden. The totals are computed in
 * TypeScript first (and checked against `expect`), then every batch is proven.
 */
export async function proveSolvency(accounts: readonly AccountOpening[], riskTable: RiskTable, options: ProveSolvencyOptions = {}): Promise<SolvencyResult> {
  const circuit = options.circuit ?? "solvency";
  const artifacts = loadCircuitArtifacts(circuit);
  if (artifacts.instance.kind !== "solvency") throw new Error(`circuit ${circuit} is not a solvency circuit`);
  const epoch = options.epoch ?? riskTable.epoch;
  const plan = planSolvencyBatches(accounts, riskTable, epoch, artifacts.instance.params, { batchCount: options.batchCount });
  checkExpectedFigures(plan.totals, options.expect ?? {});
  const { stressTotal, markTotal } = plan;

  await warmUpProver();
  const started = Date.now();
  const results: BatchProof[] = new Array(plan.batches.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < plan.batches.length) {
      const k = next++;
      const batch = plan.batches[k];
      results[k] = { ...(await proveCircuit(artifacts, batch.input)), statement: batch.statement };
      options.onProgress?.(++done, plan.batches.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 2) }, worker));
  const seconds = (Date.now() - started) / 1000;
  return {
    proof: { circuit, epoch, riskRoot: plan.risk.riskRoot, accountsRoot: plan.tree.root, stressTotal, markTotal, batches: results },
    totals: plan.totals,
    accountsPerSecond: accounts.length / Math.max(seconds, 1e-9),
  };
}
