import { InputError } from "../../io/json.js";
import { commitRiskTable } from "../../risk/riskCommitment.js";
import { findCircuit, LIQUIDATION_PUBLIC_SIGNALS, MARGIN_PUBLIC_SIGNALS } from "../../build/circuitCatalog.js";
import { readManifest } from "../../build/manifest.js";
import { liquidationPublicSignals } from "../../operator/liquidationInput.js";
import { marginPublicSignals } from "../../trader/marginInput.js";
import { type Command, type CommandResult, JSON_OPTION } from "../framework.js";
import { type LoadedProof, loadProof, loadTable } from "../inputs.js";
import { proverModules } from "../lazy.js";

export interface Verdict {
  valid: boolean;
  reason?: string;
}

/** Off-chain verification of a margin, solvency or liquidation proof file, with the first problem named. */
export async function verifyProofFile(loaded: LoadedProof): Promise<Verdict> {
  const verdict = await verifyLoaded(loaded);
  if (verdict.valid || !loaded.zkeySha256) return verdict;
  const current = readManifest().circuits[loaded.proof.circuit]?.keys.zkeySha256;
  if (current && current !== loaded.zkeySha256) {
    return { valid: false, reason: `${verdict.reason} (the proof was made with other keys of ${loaded.proof.circuit} than the ones built now: the keys were regenerated since)` };
  }
  return verdict;
}

/** The first public signal that is not the statement's, named, or undefined when they all agree. */
function signalMismatch(expected: readonly string[], actual: readonly string[], names: readonly string[]): string | undefined {
  const differs = expected.findIndex((v, i) => v !== actual[i]);
  return differs >= 0 ? `public signal ${names[differs]} differs from the statement's` : undefined;
}

async function verifyLoaded(loaded: LoadedProof): Promise<Verdict> {
  const { prover, verifySolvency, verifyLiquidation } = await proverModules();
  const circuitName = loaded.proof.circuit;
  let kind: string;
  try {
    kind = findCircuit(circuitName).kind;
  } catch {
    return { valid: false, reason: `unknown circuit "${circuitName}"` };
  }
  if (loaded.kind === "marginProof") {
    if (kind !== "margin") return { valid: false, reason: `circuit ${circuitName} is not a margin circuit` };
    const p = loaded.proof;
    const mismatch = signalMismatch(marginPublicSignals(p.statement), p.publicSignals, MARGIN_PUBLIC_SIGNALS);
    if (mismatch) return { valid: false, reason: mismatch };
    if (!(await prover.verifyGroth16(circuitName, p.publicSignals, p.proof))) return { valid: false, reason: "Groth16 proof does not verify against the public signals" };
    return { valid: true };
  }
  if (loaded.kind === "liquidationProof") {
    if (kind !== "liquidation") return { valid: false, reason: `circuit ${circuitName} is not a liquidation circuit` };
    const p = loaded.proof;
    const mismatch = signalMismatch(liquidationPublicSignals(p.statement), p.publicSignals, LIQUIDATION_PUBLIC_SIGNALS);
    if (mismatch) return { valid: false, reason: mismatch };
    if (!(await verifyLiquidation.verifyLiquidation(p))) return { valid: false, reason: "Groth16 proof does not verify against the public signals" };
    return { valid: true };
  }
  if (kind !== "solvency") return { valid: false, reason: `circuit ${circuitName} is not a solvency circuit` };
  return verifySolvency.verifySolvency(loaded.proof);
}

export const verifyCommands: Command[] = [
  {
    path: ["verify"],
    summary: "Anyone: verify a margin, solvency or liquidation proof file off-chain (exit 0 valid, 1 invalid with the reason).",
    details: ["The kind of proof is read from the file. With --table, also checks the proof is for that table's epoch and riskRoot."],
    options: {
      proof: { type: "string", arg: "file.json", description: "a zkrs/margin-proof@1, zkrs/solvency-proof@3 or zkrs/liquidation-proof@1 file", required: true },
      table: { type: "string", arg: "table.json", description: "also check the proof is against this risk table" },
      ...JSON_OPTION,
    },
    async run(ctx, args): Promise<CommandResult> {
      const file = args.string("proof");
      const loaded = loadProof(file);
      const statement = loaded.kind === "solvencyProof" ? loaded.proof : loaded.proof.statement;
      const kind = PROOF_KIND_NAMES[loaded.kind];
      let verdict: Verdict = { valid: true };
      if (args.has("table")) {
        const tableFile = args.string("table");
        const { table } = loadTable(tableFile);
        const circuit = findCircuitOrFail(loaded.proof.circuit);
        const root = commitRiskTable(table, circuit.params.logInstruments).riskRoot;
        if (table.epoch !== statement.epoch) verdict = { valid: false, reason: `the proof is for epoch ${statement.epoch}, ${tableFile} for epoch ${table.epoch}` };
        else if (root !== statement.riskRoot) verdict = { valid: false, reason: `the proof's riskRoot is not the root of ${tableFile}` };
      }
      if (verdict.valid) verdict = await ctx.step(`verifying ${kind} proof ${file} (${loaded.proof.circuit})`, () => verifyProofFile(loaded));
      const json = {
        valid: verdict.valid, ...(verdict.reason ? { reason: verdict.reason } : {}), kind, circuit: loaded.proof.circuit, epoch: statement.epoch,
        riskRoot: statement.riskRoot.toString(), accountsRoot: statement.accountsRoot.toString(),
        ...statementFields(loaded),
      };
      if (!verdict.valid) return { json, human: [], exitCode: 1, message: `${file}: invalid ${kind} proof: ${verdict.reason}` };
      const human = validLines(loaded);
      human.push(`  riskRoot ${json.riskRoot}`, `  accountsRoot ${json.accountsRoot}`);
      return { json, human };
    },
  },
];

/** The word for each proof kind in messages ("invalid liquidation proof"). */
export const PROOF_KIND_NAMES: Record<LoadedProof["kind"], string> = { marginProof: "margin", solvencyProof: "solvency", liquidationProof: "liquidation" };

function statementFields(loaded: LoadedProof): Record<string, string | number> {
  switch (loaded.kind) {
    case "marginProof": {
      const s = loaded.proof.statement;
      return { nullifier: s.nullifier.toString(), recipient: s.recipient, amount: s.amount.toString() };
    }
    case "liquidationProof": {
      const s = loaded.proof.statement;
      return { tag: s.tag.toString(), penalty: s.penalty.toString(), deficit: s.deficit.toString() };
    }
    case "solvencyProof":
      return { stressTotal: loaded.proof.stressTotal.toString(), markTotal: loaded.proof.markTotal.toString(), batches: loaded.proof.batches.length };
  }
}

function validLines(loaded: LoadedProof): string[] {
  switch (loaded.kind) {
    case "marginProof": {
      const s = loaded.proof.statement;
      return [`VALID margin proof: epoch ${s.epoch}, pays ${s.amount} to ${s.recipient}`, `  nullifier ${s.nullifier}`];
    }
    case "liquidationProof": {
      const s = loaded.proof.statement;
      return [`VALID liquidation proof: epoch ${s.epoch}, penalty ${s.penalty}, deficit ${s.deficit}`, `  tag ${s.tag}`];
    }
    case "solvencyProof": {
      const p = loaded.proof;
      return [`VALID solvency proof: epoch ${p.epoch}, liabilities at mark ${p.markTotal}, stress total ${p.stressTotal} (exact; ${p.batches.length} batch proofs)`];
    }
  }
}

function findCircuitOrFail(name: string): ReturnType<typeof findCircuit> {
  try {
    return findCircuit(name);
  } catch (err) {
    throw new InputError((err as Error).message);
  }
}
