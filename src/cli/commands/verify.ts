import { InputError } from "../../io/json.js";
import { commitRiskTable } from "../../risk/riskCommitment.js";
import { readManifest } from "../../artifacts/manifest.js";
import { findCircuit } from "../../protocol/circuitCatalog.js";
import { checkProof, describeProof, proofHeader, type Verdict } from "../../protocol/checkProof.js";
import { type Command, type CommandResult, JSON_OPTION } from "../framework.js";
import { type LoadedProof, loadProof, loadTable } from "../inputs.js";
import { proverModules } from "../lazy.js";

/** Off-chain verification of a margin, solvency, liquidation or exit proof file, with the first problem named. */
export async function verifyProofFile(loaded: LoadedProof): Promise<Verdict> {
  const { prover } = await proverModules();
  const verdict = await checkProof(loaded, prover.verifyGroth16);
  if (verdict.valid || !loaded.zkeySha256) return verdict;
  const current = readManifest().circuits[loaded.proof.circuit]?.keys.zkeySha256;
  if (current && current !== loaded.zkeySha256) {
    return { valid: false, reason: `${verdict.reason} (the proof was made with other keys of ${loaded.proof.circuit} than the ones built now: the keys were regenerated since)` };
  }
  return verdict;
}

export const verifyCommands: Command[] = [
  {
    path: ["verify"],
    summary: "Anyone: verify a margin, solvency, liquidation or exit proof file off-chain (exit 0 valid, 1 invalid with the reason).",
    details: ["The kind of proof is read from the file. With --table, also checks the proof is for that table's epoch and riskRoot."],
    options: {
      proof: { type: "string", arg: "file.json", description: "a zkrs/margin-proof@1, zkrs/solvency-proof@3, zkrs/liquidation-proof@1 or zkrs/exit-proof@1 file", required: true },
      table: { type: "string", arg: "table.json", description: "also check the proof is against this risk table" },
      ...JSON_OPTION,
    },
    async run(ctx, args): Promise<CommandResult> {
      const file = args.string("proof");
      const loaded = loadProof(file);
      const statement = proofHeader(loaded);
      const kind = loaded.kind;
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

function statementFields(loaded: LoadedProof): Record<string, string | number> {
  switch (loaded.kind) {
    case "margin":
    case "exit": {
      const s = loaded.proof.statement;
      return { nullifier: s.nullifier.toString(), recipient: s.recipient, amount: s.amount.toString() };
    }
    case "liquidation": {
      const s = loaded.proof.statement;
      return { tag: s.tag.toString(), penalty: s.penalty.toString(), deficit: s.deficit.toString() };
    }
    case "solvency":
      return { stressTotal: loaded.proof.stressTotal.toString(), markTotal: loaded.proof.markTotal.toString(), batches: loaded.proof.batches.length };
  }
}

function validLines(loaded: LoadedProof): string[] {
  const first = describeProof(loaded);
  switch (loaded.kind) {
    case "margin":
    case "exit":
      return [first, `  nullifier ${loaded.proof.statement.nullifier}`];
    case "liquidation":
      return [first, `  tag ${loaded.proof.statement.tag}`];
    case "solvency":
      return [first];
  }
}

function findCircuitOrFail(name: string): ReturnType<typeof findCircuit> {
  try {
    return findCircuit(name);
  } catch (err) {
    throw new InputError((err as Error).message);
  }
}
