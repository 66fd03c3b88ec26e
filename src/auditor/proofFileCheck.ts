import { findCircuit } from "../build/circuitCatalog.js";
import { decodeLiquidationProof, decodeMarginProof, decodeSolvencyProof } from "../io/formats.js";
import { fileKind } from "../io/json.js";
import { liquidationPublicSignals } from "../operator/liquidationInput.js";
import { batchPublicSignals } from "../operator/solvencyBatches.js";
import { marginPublicSignals } from "../trader/marginInput.js";
import type { ProofVerifier } from "./epochAudit.js";

/** The verdict on a proof file someone hands the auditor. */
export interface ProofFileVerdict {
  valid: boolean;
  kind: "margin" | "solvency" | "liquidation";
  circuit: string;
  epoch: number;
  riskRoot: bigint;
  accountsRoot: bigint;
  /** One line: what the proof claims, or why it is invalid. */
  summary: string;
}

/**
 * Verifies a zkrs margin, solvency or liquidation proof file (already parsed JSON): the public signals
 * must be exactly the statement the file claims, and every Groth16 proof must verify. The
 * same rules as `zkrs verify`, with the verifier injected (the page verifies in the browser).
 */
export async function checkProofFile(name: string, data: unknown, verify: ProofVerifier): Promise<ProofFileVerdict> {
  const kind = fileKind(name, data, ["marginProof", "solvencyProof", "liquidationProof"]);
  if (kind === "liquidationProof") {
    const p = decodeLiquidationProof(name, data);
    const s = p.statement;
    const base = { kind: "liquidation" as const, circuit: p.circuit, epoch: s.epoch, riskRoot: s.riskRoot, accountsRoot: s.accountsRoot };
    if (kindOf(p.circuit) !== "liquidation") return { ...base, valid: false, summary: `circuit "${p.circuit}" is not a liquidation circuit` };
    const expected = liquidationPublicSignals(s);
    const names = ["epoch", "riskRoot", "accountsRoot", "tag", "penalty", "deficit"];
    const differs = expected.findIndex((v, i) => v !== p.publicSignals[i]);
    if (differs >= 0) return { ...base, valid: false, summary: `INVALID: public signal ${names[differs]} differs from the statement's` };
    const ok = await verify(p.circuit, p.publicSignals, p.proof);
    return { ...base, valid: ok, summary: ok ? `VALID liquidation proof: epoch ${s.epoch}, penalty ${s.penalty}, deficit ${s.deficit}` : "INVALID: the Groth16 proof does not verify against its public signals" };
  }
  if (kind === "marginProof") {
    const p = decodeMarginProof(name, data);
    const s = p.statement;
    const base = { kind: "margin" as const, circuit: p.circuit, epoch: s.epoch, riskRoot: s.riskRoot, accountsRoot: s.accountsRoot };
    const circuitKind = kindOf(p.circuit);
    if (circuitKind !== "margin") return { ...base, valid: false, summary: `circuit "${p.circuit}" is not a margin circuit` };
    const expected = marginPublicSignals(s);
    const names = ["epoch", "riskRoot", "accountsRoot", "nullifier", "recipient", "amount"];
    const differs = expected.findIndex((v, i) => v !== p.publicSignals[i]);
    if (differs >= 0) return { ...base, valid: false, summary: `INVALID: public signal ${names[differs]} differs from the statement's` };
    const ok = await verify(p.circuit, p.publicSignals, p.proof);
    return { ...base, valid: ok, summary: ok ? `VALID margin proof: epoch ${s.epoch}, pays ${s.amount} to ${s.recipient}` : "INVALID: the Groth16 proof does not verify against its public signals" };
  }
  const p = decodeSolvencyProof(name, data);
  const base = { kind: "solvency" as const, circuit: p.circuit, epoch: p.epoch, riskRoot: p.riskRoot, accountsRoot: p.accountsRoot };
  if (kindOf(p.circuit) !== "solvency") return { ...base, valid: false, summary: `circuit "${p.circuit}" is not a solvency circuit` };
  for (const [k, b] of p.batches.entries()) {
    const expected = batchPublicSignals(b.statement);
    if (b.statement.batchIndex !== k) return { ...base, valid: false, summary: `INVALID: batch at position ${k} has index ${b.statement.batchIndex}` };
    if (expected.length !== b.publicSignals.length || expected.some((v, i) => v !== b.publicSignals[i])) {
      return { ...base, valid: false, summary: `INVALID: batch ${k}'s public signals differ from its statement` };
    }
    if (k > 0 && b.statement.prevTotalsCommitment !== p.batches[k - 1].statement.totalsCommitment) {
      return { ...base, valid: false, summary: `INVALID: batch ${k} does not chain to batch ${k - 1}` };
    }
    if (!(await verify(p.circuit, b.publicSignals, b.proof))) return { ...base, valid: false, summary: `INVALID: batch ${k}'s Groth16 proof does not verify` };
  }
  return { ...base, valid: true, summary: `VALID solvency proof: epoch ${p.epoch}, liabilities at mark ${p.markTotal}, stress total ${p.stressTotal} (${p.batches.length} batch proofs)` };
}

function kindOf(circuit: string): string | undefined {
  try {
    return findCircuit(circuit).kind;
  } catch {
    return undefined;
  }
}
