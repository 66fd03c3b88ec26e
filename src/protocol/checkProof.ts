/**
 * One check of a proof, for every place that verifies one off-chain: `zkrs verify`, the
 * auditor's page and `zkrs audit`, the operator's and the trader's library checks. The public
 * signals must be exactly the statement's, a solvency proof's batches must form one chain
 * carrying its header, the circuit must be of the proof's kind, and every Groth16 proof must
 * verify. The Groth16 verifier is injected (snarkjs with keys from build/ in Node, keys fetched
 * beside the page in the browser). Browser-safe.
 */
import type { Groth16Proof } from "snarkjs";
import { fileKind, type FileKind } from "../io/json.js";
import { type CircuitKind, findCircuit } from "./circuitCatalog.js";
import { describeExit, type ExitProof, exitProofFile, exitStatement } from "./exit.js";
import { describeLiquidation, type LiquidationProofFile, liquidationProofFile, liquidationStatement } from "./liquidation.js";
import { describeMargin, type MarginProof, marginProofFile, marginStatement } from "./margin.js";
import { proofKeys } from "./proofFile.js";
import { batchChainProblem, batchStatement, describeSolvency, type SolvencyProof, solvencyProofFile } from "./solvency.js";

/** Off-chain Groth16 verification of one proof against the verification key of `circuit`. */
export type ProofVerifier = (circuit: string, publicSignals: string[], proof: Groth16Proof) => Promise<boolean>;

export interface Verdict {
  valid: boolean;
  /** Why it is invalid (the first problem found). */
  reason?: string;
}

/** A decoded proof file of any kind. */
export type AnyProof =
  | { kind: "margin"; proof: MarginProof }
  | { kind: "solvency"; proof: SolvencyProof }
  | { kind: "liquidation"; proof: LiquidationProofFile }
  | { kind: "exit"; proof: ExitProof };

export type ProofKindName = AnyProof["kind"];

type Checkable<P extends { circuit: string; proof: Groth16Proof; publicSignals: string[] }> = Pick<P, "circuit" | "proof" | "publicSignals" | "statement" & keyof P>;

/** What checkProof needs of each kind (solidity points and timings are not checked). */
export type CheckableProof =
  | { kind: "margin"; proof: Checkable<MarginProof> }
  | { kind: "solvency"; proof: Omit<SolvencyProof, "batches"> & { batches: readonly Checkable<SolvencyProof["batches"][number]>[] } }
  | { kind: "liquidation"; proof: Checkable<LiquidationProofFile> }
  | { kind: "exit"; proof: Checkable<ExitProof> };

/** The file format of each proof kind. */
export const PROOF_FORMATS: Record<ProofKindName, FileKind> = { margin: "marginProof", solvency: "solvencyProof", liquidation: "liquidationProof", exit: "exitProof" };
const KIND_OF_FORMAT = new Map<FileKind, ProofKindName>(Object.entries(PROOF_FORMATS).map(([k, v]) => [v, k as ProofKindName]));

/** Decodes a parsed proof file of one of the given kinds (default: any), with one-line errors naming the file and field. */
export function decodeProofFile(name: string, data: unknown, kinds: readonly ProofKindName[] = ["margin", "solvency", "liquidation", "exit"], flag?: string): AnyProof & { zkeySha256?: string } {
  const kind = KIND_OF_FORMAT.get(fileKind(name, data, kinds.map((k) => PROOF_FORMATS[k]), flag)) as ProofKindName;
  const zkeySha256 = proofKeys(data);
  switch (kind) {
    case "margin":
      return { kind, proof: marginProofFile.decode(name, data), zkeySha256 };
    case "liquidation":
      return { kind, proof: liquidationProofFile.decode(name, data), zkeySha256 };
    case "solvency":
      return { kind, proof: solvencyProofFile.decode(name, data), zkeySha256 };
    case "exit":
      return { kind, proof: exitProofFile.decode(name, data), zkeySha256 };
  }
}

function circuitKind(circuit: string): CircuitKind | undefined {
  try {
    return findCircuit(circuit).kind;
  } catch {
    return undefined;
  }
}

const GROTH16_FAILS = "Groth16 proof does not verify against the public signals";

/** The verdict on a decoded proof of any kind. */
export async function checkProof(p: CheckableProof, verify: ProofVerifier): Promise<Verdict> {
  const circuit = p.proof.circuit;
  const kind = circuitKind(circuit);
  if (kind === undefined) return { valid: false, reason: `unknown circuit "${circuit}"` };
  if (kind !== p.kind) return { valid: false, reason: `circuit ${circuit} is not a ${p.kind} circuit` };
  if (p.kind === "solvency") {
    const { batches } = p.proof;
    const chain = batchChainProblem(batches.map((b) => b.statement), p.proof);
    if (chain) return { valid: false, reason: chain };
    for (const [k, b] of batches.entries()) {
      const mismatch = batchStatement.mismatch(b.statement, b.publicSignals);
      if (mismatch) return { valid: false, reason: `batch ${k}: ${mismatch}` };
      if (!(await verify(circuit, b.publicSignals, b.proof))) return { valid: false, reason: `batch ${k}: Groth16 proof is invalid` };
    }
    return { valid: true };
  }
  const mismatch = p.kind === "margin" ? marginStatement.mismatch(p.proof.statement, p.proof.publicSignals)
    : p.kind === "exit" ? exitStatement.mismatch(p.proof.statement, p.proof.publicSignals)
      : liquidationStatement.mismatch(p.proof.statement, p.proof.publicSignals);
  if (mismatch) return { valid: false, reason: mismatch };
  if (!(await verify(circuit, p.proof.publicSignals, p.proof.proof))) return { valid: false, reason: GROTH16_FAILS };
  return { valid: true };
}

/** The statement fields every proof kind has. */
export function proofHeader(p: AnyProof): { epoch: number; riskRoot: bigint; accountsRoot: bigint } {
  const s = p.kind === "solvency" ? p.proof : p.proof.statement;
  return { epoch: s.epoch, riskRoot: s.riskRoot, accountsRoot: s.accountsRoot };
}

/** What a valid proof claims, in one line ("VALID margin proof: epoch 3, pays 100 to 0x…"). */
export function describeProof(p: AnyProof): string {
  const what = p.kind === "margin" ? describeMargin(p.proof.statement) : p.kind === "liquidation" ? describeLiquidation(p.proof.statement)
    : p.kind === "exit" ? describeExit(p.proof.statement) : describeSolvency(p.proof);
  return `VALID ${p.kind} proof: ${what}`;
}

/** The verdict on a proof file someone hands the auditor. */
export interface ProofFileVerdict extends Verdict {
  kind: ProofKindName;
  circuit: string;
  epoch: number;
  riskRoot: bigint;
  accountsRoot: bigint;
  /** One line: what the proof claims, or why it is invalid. */
  summary: string;
}

/** Decodes and checks a zkrs margin, solvency, liquidation or exit proof file (already parsed JSON). */
export async function checkProofFile(name: string, data: unknown, verify: ProofVerifier): Promise<ProofFileVerdict> {
  const p = decodeProofFile(name, data);
  const verdict = await checkProof(p, verify);
  return {
    ...verdict, kind: p.kind, circuit: p.proof.circuit, ...proofHeader(p),
    summary: verdict.valid ? describeProof(p) : `INVALID ${p.kind} proof: ${verdict.reason}`,
  };
}
