import { accountCommitment, type AccountOpening, checkOpening, paddedPositions, randomFieldElement } from "../accounts/account.js";
import { MerkleTree } from "../crypto/merkleTree.js";
import type { SolvencyParams } from "../protocol/circuitCatalog.js";
import type { BatchStatement } from "../protocol/solvency.js";
import { toField } from "../crypto/field.js";
import { hashList } from "../crypto/poseidon.js";
import type { CircuitInput } from "../proof/groth16Prover.js";
import { commitRiskTable, type RiskCommitment } from "../risk/riskCommitment.js";
import type { RiskTable } from "../risk/riskEngine.js";
import { exactFigures, flooredEquities, liabilityTotals } from "./solvencyTotals.js";

/** TotalsCommitment(epoch, batchIndex, totals, blinding): the off-circuit twin of circuits/lib/totals.circom. */
export function totalsCommitment(epoch: number, batchIndex: bigint, totals: readonly bigint[], blinding: bigint): bigint {
  return hashList([BigInt(epoch), toField(batchIndex), ...totals, blinding]);
}

export interface PlannedBatch {
  statement: BatchStatement;
  input: CircuitInput;
  /** Running totals after this batch (private to the operator). */
  totals: bigint[];
}

export interface SolvencyPlan {
  risk: RiskCommitment;
  tree: MerkleTree;
  batches: PlannedBatch[];
  /** Final liability totals per scenario (column 0 = mark), private to the operator. */
  totals: bigint[];
  /** The public figures of the last batch: the largest total and the mark total. */
  stressTotal: bigint;
  markTotal: bigint;
}

export interface PlanOptions {
  /**
   * How many batches to prove. The public sees the batch count, so by default it is rounded up
   * to a power of two (empty batches are padding): the account count then leaks only to within
   * a factor of two, not to within one batch.
   */
  batchCount?: number;
  randomBlinding?: () => bigint;
}

/** Default batch count: the batches the accounts need, rounded up to a power of two. */
export function paddedBatchCount(accounts: number, batchSize: number): number {
  const needed = Math.max(1, Math.ceil(accounts / batchSize));
  return 2 ** Math.ceil(Math.log2(needed));
}

/**
 * Lays the pool out for the batch circuit: account j sits at leaf j of the accounts tree;
 * batch k covers leaves [kB, (k+1)B); running totals are carried from batch to batch under
 * fresh random blindings. Every input is checked first, each error naming the account.
 */
export function planSolvencyBatches(
  accounts: readonly AccountOpening[], riskTable: RiskTable, epoch: number, params: SolvencyParams,
  options: PlanOptions = {},
): SolvencyPlan {
  const randomBlinding = options.randomBlinding ?? randomFieldElement;
  if (!Number.isInteger(epoch) || epoch < 0 || epoch >= 2 ** 32) throw new RangeError(`epoch must be an integer in [0, 2^32), got ${epoch}`);
  if (riskTable.epoch !== epoch) throw new RangeError(`risk table is for epoch ${riskTable.epoch}, not epoch ${epoch}`);
  if (riskTable.scenarios !== params.scenarios) throw new RangeError(`risk table has ${riskTable.scenarios} scenarios, the circuit takes ${params.scenarios}`);
  const B = 2 ** params.logBatch;
  const capacity = 2 ** params.depth;
  if (accounts.length > capacity) throw new RangeError(`${accounts.length} accounts do not fit an accounts tree of depth ${params.depth}`);
  accounts.forEach((a, j) => {
    try {
      checkOpening(a, params.positions, 2 ** params.logInstruments);
    } catch (err) {
      throw new RangeError(`account ${j}: ${(err as Error).message}`);
    }
  });
  const keys = new Set<bigint>();
  accounts.forEach((a, j) => {
    if (keys.has(a.accountKey)) throw new RangeError(`account ${j}: accountKey is used by another account (each leaf needs its own key)`);
    keys.add(a.accountKey);
  });

  const risk = commitRiskTable(riskTable, params.logInstruments);
  const tree = new MerkleTree(params.depth, accounts.map((a) => accountCommitment(a, params.positions)));
  const S1 = params.scenarios + 1;
  const needed = Math.max(1, Math.ceil(accounts.length / B));
  const batchCount = options.batchCount ?? paddedBatchCount(accounts.length, B);
  if (!Number.isInteger(batchCount) || batchCount < needed || batchCount * B > capacity) {
    throw new RangeError(`batchCount must be an integer from ${needed} (to hold ${accounts.length} accounts) to ${capacity / B}, got ${batchCount}`);
  }
  const values = risk.rows.map((r) => r.values.map(toField));
  const final = liabilityTotals(accounts, risk.rows, params.scenarios);
  const figures = exactFigures(final);
  const batches: PlannedBatch[] = [];
  let prevTotals = Array<bigint>(S1).fill(0n);
  let prevBlinding = randomBlinding();
  let prevCommitment = totalsCommitment(epoch, -1n, prevTotals, prevBlinding);
  for (let k = 0; k < batchCount; k++) {
    const slots = Array.from({ length: B }, (_, j) => accounts[k * B + j]);
    const totals = [...prevTotals];
    for (const a of slots) if (a) flooredEquities(a, risk.rows, params.scenarios).forEach((v, s) => { totals[s] += v; });
    const blinding = randomBlinding();
    const isLast = k === batchCount - 1;
    const stressTotal = isLast ? figures.stressTotal : 0n;
    const markTotal = isLast ? figures.markTotal : 0n;
    const statement: BatchStatement = {
      epoch, riskRoot: risk.riskRoot, accountsRoot: tree.root, stressTotal, markTotal, batchIndex: k, isLast,
      prevTotalsCommitment: prevCommitment, totalsCommitment: totalsCommitment(epoch, BigInt(k), totals, blinding),
    };
    const empty: AccountOpening = { accountKey: 0n, collateral: 0n, salt: 0n, positions: [] };
    const opened = slots.map((a) => a ?? empty);
    const positions = opened.map((a) => paddedPositions(a.positions, params.positions));
    const input: CircuitInput = {
      epoch: BigInt(epoch), riskRoot: statement.riskRoot, accountsRoot: statement.accountsRoot, stressTotal, markTotal,
      batchIndex: BigInt(k), isLast: statement.isLast ? 1n : 0n,
      prevTotalsCommitment: statement.prevTotalsCommitment, totalsCommitment: statement.totalsCommitment,
      values, instrumentsRoot: risk.instrumentsRoot,
      active: slots.map((a) => (a ? 1n : 0n)),
      accountKey: opened.map((a) => a.accountKey),
      collateral: opened.map((a) => a.collateral),
      salt: opened.map((a) => a.salt),
      instrument: positions.map((ps) => ps.map((p) => BigInt(p.instrument))),
      quantity: positions.map((ps) => ps.map((p) => toField(p.quantity))),
      subtreeSiblings: tree.pathFrom(params.logBatch, k).siblings,
      prevTotals, prevBlinding, blinding,
      stressSelector: totals.map((_, s) => (isLast && s === figures.stressColumn ? 1n : 0n)),
    };
    batches.push({ statement, input, totals });
    prevTotals = totals;
    prevBlinding = blinding;
    prevCommitment = statement.totalsCommitment;
  }
  return { risk, tree, batches, totals: prevTotals, stressTotal: figures.stressTotal, markTotal: figures.markTotal };
}
