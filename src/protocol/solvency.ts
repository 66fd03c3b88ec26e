/**
 * The solvency proof (docs/design.md §4.2, §9, §10): an epoch's accounts, in chained batches, owe
 * exactly `markTotal` at mark, and `stressTotal` is exactly the largest of their totals over mark
 * and every stress scenario. Only the last batch carries the two figures; the others carry 0.
 * One batch statement per proof; the batches of an epoch form one chain (the rule below), and
 * a solvency file carries the epoch's header and every batch.
 */
import { Fields, FORMATS } from "../io/json.js";
import { MAX_BOUND } from "../crypto/bounds.js";
import type { SolidityProof } from "./solidityProof.js";
import { SOLVENCY_PUBLIC_SIGNALS } from "./circuitCatalog.js";
import { proofTuple } from "./solidityProof.js";
import { readProven, type StatementProof } from "./proofFile.js";
import { bigintIn, defineStatement, FIELD_ELEMENT, FLAG, type StatementOf, UINT32 } from "./statement.js";

const BOUND = bigintIn({ min: 0n, max: MAX_BOUND });

const CODECS = {
  epoch: UINT32, riskRoot: FIELD_ELEMENT, accountsRoot: FIELD_ELEMENT,
  /** On the last batch, exactly max_s sum_j max(0, E_{j,s}) over mark and every scenario; 0 on the others. */
  stressTotal: BOUND,
  /** On the last batch, exactly the mark liabilities sum_j max(0, E_{j,0}); 0 on the others. */
  markTotal: BOUND,
  batchIndex: UINT32, isLast: FLAG, prevTotalsCommitment: FIELD_ELEMENT, totalsCommitment: FIELD_ELEMENT,
};

export const batchStatement = defineStatement(SOLVENCY_PUBLIC_SIGNALS, CODECS);

/** The public statement of one batch, in the circuit's public-input order. */
export type BatchStatement = StatementOf<typeof batchStatement>;

/** The epoch's public figures: exact on the last batch, 0 on the others. */
const FIGURES = ["stressTotal", "markTotal"] as const;

/** The signals that differ from batch to batch; every other one is the epoch's, the same in all batches. */
const PER_BATCH = ["batchIndex", "isLast", "prevTotalsCommitment", "totalsCommitment"] as const;
type PerBatch = (typeof PER_BATCH)[number];
type HeaderSignal = Exclude<keyof BatchStatement, PerBatch>;

/** The epoch-wide signals (epoch, roots, bounds, and any the circuit adds): the header of a solvency file. */
export const HEADER_SIGNALS = SOLVENCY_PUBLIC_SIGNALS.filter((n): n is HeaderSignal => !(PER_BATCH as readonly string[]).includes(n));
export const solvencyHeader = defineStatement(HEADER_SIGNALS, CODECS);
export type SolvencyHeader = StatementOf<typeof solvencyHeader>;

export type BatchProof = StatementProof<BatchStatement>;

/** What the operator publishes for an epoch: the header and every batch proof, in order. */
export interface SolvencyProof extends SolvencyHeader {
  circuit: string;
  batches: BatchProof[];
}

/**
 * The chain rule of an epoch's batches: batch k has index k, only the last is marked last,
 * each starts from the totals commitment the one before it ended with, every batch carries the
 * header's epoch and roots, and the figures (stressTotal, markTotal) are the header's on the last
 * batch and 0 on the others (the header: the file's, or else the last batch's). Returns the
 * first problem, or undefined when the chain holds. The contract enforces the same as it
 * accepts batches one by one.
 */
export function batchChainProblem(batches: readonly BatchStatement[], header?: SolvencyHeader): string | undefined {
  if (batches.length === 0) return "no batches";
  for (const k of batches.keys()) {
    const problem = batchLinkProblem(batches, k, header);
    if (problem) return problem;
  }
  return undefined;
}

/** The chain rule for batch k of `batches` alone (see batchChainProblem). */
export function batchLinkProblem(batches: readonly BatchStatement[], k: number, header?: SolvencyHeader): string | undefined {
  const s = batches[k];
  const head: SolvencyHeader = header ?? batches[batches.length - 1];
  if (s.batchIndex !== k) return `batch at position ${k} has index ${s.batchIndex} (reordered or missing)`;
  if (s.isLast !== (k === batches.length - 1)) return `batch ${k} is${s.isLast ? "" : " not"} marked last`;
  const other = HEADER_SIGNALS.find((n) => !(FIGURES as readonly string[]).includes(n) && s[n] !== head[n]);
  if (other) return `batch ${k} is for another epoch or root (its ${other} is not the ${header ? "header's" : "last batch's"})`;
  if (s.isLast) {
    const figure = FIGURES.find((n) => s[n] !== head[n]);
    if (figure) return `batch ${k} carries another ${figure} than the header's`;
  } else if (FIGURES.some((n) => s[n] !== 0n)) {
    return `batch ${k} is not the last but carries figures (stressTotal, markTotal must be 0)`;
  }
  if (k > 0 && s.prevTotalsCommitment !== batches[k - 1].totalsCommitment) return `batch ${k} does not chain to batch ${k - 1} (running totals differ)`;
  return undefined;
}

/** `RiskSharingPool.postSolvency(epoch, statement, proof)`: the statement struct is every signal but epoch and riskRoot (the pool has those). */
export function postSolvencyArgs(s: BatchStatement, proof: SolidityProof): unknown[] {
  const { epoch, riskRoot: _riskRoot, ...statement } = s;
  return [epoch, statement, proofTuple(proof)];
}

export function describeSolvency(p: SolvencyProof): string {
  return `epoch ${p.epoch}, liabilities at mark ${p.markTotal}, stress total ${p.stressTotal}, both exact (${p.batches.length} batch proofs)`;
}

export const solvencyProofFile = {
  encode(p: SolvencyHeader & { circuit: string; batches: readonly Omit<BatchProof, "solidity" | "circuit">[] }, zkeySha256?: string): Record<string, unknown> {
    return {
      format: FORMATS.solvencyProof, circuit: p.circuit, zkeySha256, ...solvencyHeader.toJson(p),
      batches: p.batches.map((b) => ({ statement: batchStatement.toJson(b.statement), publicSignals: b.publicSignals, proof: b.proof, timings: b.timings })),
    };
  },
  decode(file: string, data: unknown): SolvencyProof {
    const f = new Fields(file, data);
    const circuit = f.string("circuit");
    const batches = f.objects("batches").map((b): BatchProof => ({
      ...readProven(b, circuit, batchStatement.names.length), statement: batchStatement.read(b.object("statement")),
    }));
    if (batches.length === 0) f.fail("batches", "is empty");
    return { circuit, ...solvencyHeader.read(f), batches };
  },
};
