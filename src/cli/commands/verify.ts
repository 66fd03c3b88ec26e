import { InputError } from "../../io/json.js";
import { commitRiskTable } from "../../risk/riskCommitment.js";
import { findCircuit } from "../../build/circuitCatalog.js";
import { readManifest } from "../../build/manifest.js";
import { marginPublicSignals } from "../../trader/marginInput.js";
import { type Command, type CommandResult, JSON_OPTION } from "../framework.js";
import { type LoadedProof, loadProof, loadTable } from "../inputs.js";
import { proverModules } from "../lazy.js";

export interface Verdict {
  valid: boolean;
  reason?: string;
}

/** Off-chain verification of a margin or solvency proof file, with the first problem named. */
export async function verifyProofFile(loaded: LoadedProof): Promise<Verdict> {
  const verdict = await verifyLoaded(loaded);
  if (verdict.valid || !loaded.zkeySha256) return verdict;
  const current = readManifest().circuits[loaded.proof.circuit]?.keys.zkeySha256;
  if (current && current !== loaded.zkeySha256) {
    return { valid: false, reason: `${verdict.reason} (the proof was made with other keys of ${loaded.proof.circuit} than the ones built now: the keys were regenerated since)` };
  }
  return verdict;
}

async function verifyLoaded(loaded: LoadedProof): Promise<Verdict> {
  const { prover, verifySolvency } = await proverModules();
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
    const expected = marginPublicSignals(p.statement);
    const names = ["epoch", "riskRoot", "accountsRoot", "nullifier", "recipient", "amount"];
    const differs = expected.findIndex((v, i) => v !== p.publicSignals[i]);
    if (differs >= 0) return { valid: false, reason: `public signal ${names[differs]} differs from the statement's` };
    if (!(await prover.verifyGroth16(circuitName, p.publicSignals, p.proof))) return { valid: false, reason: "Groth16 proof does not verify against the public signals" };
    return { valid: true };
  }
  if (kind !== "solvency") return { valid: false, reason: `circuit ${circuitName} is not a solvency circuit` };
  return verifySolvency.verifySolvency(loaded.proof);
}

export const verifyCommands: Command[] = [
  {
    path: ["verify"],
    summary: "Anyone: verify a margin or solvency proof file off-chain (exit 0 valid, 1 invalid with the reason).",
    details: ["The kind of proof is read from the file. With --table, also checks the proof is for that table's epoch and riskRoot."],
    options: {
      proof: { type: "string", arg: "file.json", description: "a zkrs/margin-proof@1 or zkrs/solvency-proof@2 file", required: true },
      table: { type: "string", arg: "table.json", description: "also check the proof is against this risk table" },
      ...JSON_OPTION,
    },
    async run(ctx, args): Promise<CommandResult> {
      const file = args.string("proof");
      const loaded = loadProof(file);
      const statement = loaded.kind === "marginProof" ? loaded.proof.statement : loaded.proof;
      const kind = loaded.kind === "marginProof" ? "margin" : "solvency";
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
        ...(loaded.kind === "marginProof"
          ? { nullifier: loaded.proof.statement.nullifier.toString(), recipient: loaded.proof.statement.recipient, amount: loaded.proof.statement.amount.toString() }
          : { liabilitiesBound: loaded.proof.liabilitiesBound.toString(), batches: loaded.proof.batches.length }),
      };
      if (!verdict.valid) return { json, human: [], exitCode: 1, message: `${file}: invalid ${kind} proof: ${verdict.reason}` };
      const human = loaded.kind === "marginProof"
        ? [`VALID margin proof: epoch ${statement.epoch}, pays ${loaded.proof.statement.amount} to ${loaded.proof.statement.recipient}`, `  nullifier ${loaded.proof.statement.nullifier}`]
        : [`VALID solvency proof: epoch ${statement.epoch}, liabilities <= ${loaded.proof.liabilitiesBound} (${loaded.proof.batches.length} batch proofs)`];
      human.push(`  riskRoot ${json.riskRoot}`, `  accountsRoot ${json.accountsRoot}`);
      return { json, human };
    },
  },
];

function findCircuitOrFail(name: string): ReturnType<typeof findCircuit> {
  try {
    return findCircuit(name);
  } catch (err) {
    throw new InputError((err as Error).message);
  }
}
