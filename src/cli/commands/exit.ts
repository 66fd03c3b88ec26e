import { accountCommitment } from "../../accounts/account.js";
import type { PathFile } from "../../io/formats.js";
import { InputError } from "../../io/json.js";
import { jsonOutput, writeOutputs } from "../../io/output.js";
import { exitProofFile } from "../../protocol/exit.js";
import { type Command, JSON_OPTION, UsageError } from "../framework.js";
import { catalogCircuit, loadAccount, loadLeafHashes, loadPath, loadTable } from "../inputs.js";
import { proverModules } from "../lazy.js";
import { pathFromLeafHashes } from "./path.js";
import { checkShape, zkeySha256 } from "./prove.js";

export const exitCommands: Command[] = [
  {
    path: ["prove", "exit"],
    summary: "Trader: prove your claim on a frozen pool, max(E_0, 0) at mark in the last open epoch, paid to --recipient.",
    details: [
      "Inputs: your account file, its inclusion path in the last open epoch's accounts tree (--path from the",
      "operator, or --leaf-hashes: the epoch's published leaf-hash file, from which the path is rebuilt) and",
      "the epoch's risk table. The amount is computed, not chosen: an account under water claims 0.",
    ],
    options: {
      account: { type: "string", arg: "acct.json", description: "your account (zkrs/account@1)", required: true },
      path: { type: "string", arg: "path.json", description: "your inclusion path (zkrs/path@1)" },
      "leaf-hashes": { type: "string", arg: "file.json", description: "or: the epoch's leaf-hash file (zkrs/leaf-hashes@1); the path is rebuilt from it" },
      table: { type: "string", arg: "table.json", description: "the epoch's risk table (zkrs/risk-table@2)", required: true },
      recipient: { type: "string", arg: "0x...", description: "address the exit pays", required: true },
      circuit: { type: "string", arg: "name", description: "exit circuit (default: exit)" },
      out: { type: "string", arg: "proof.json", description: "proof file to write (zkrs/exit-proof@1)", required: true },
      ...JSON_OPTION,
    },
    async run(ctx, args) {
      const circuit = catalogCircuit(args.optionalString("circuit") ?? "exit", "exit");
      if (args.has("path") === args.has("leaf-hashes")) throw new UsageError("give either --path or --leaf-hashes", args.command);
      const accountFile = args.string("account");
      const tableFile = args.string("table");
      const out = args.outFile("out");
      const recipient = args.address("recipient");
      const account = loadAccount(accountFile, ctx.log);
      const { table } = loadTable(tableFile);
      let path: PathFile;
      let pathFile: string;
      if (args.has("path")) {
        pathFile = args.string("path");
        path = loadPath(pathFile);
        checkShape(pathFile, path, circuit);
        if (accountCommitment(account, path.positionSlots) !== path.leaf) {
          throw new InputError(`${accountFile} is not the account at leaf ${path.path.index} of ${pathFile} (changed since you gave the operator its opening, or another account's path?)`);
        }
      } else {
        pathFile = args.string("leaf-hashes");
        path = pathFromLeafHashes(pathFile, loadLeafHashes(pathFile), account, circuit);
      }
      if (table.epoch !== path.epoch) throw new InputError(`${tableFile} is the risk table of epoch ${table.epoch}, but ${pathFile} is for epoch ${path.epoch}`);
      const { exit, prover } = await proverModules();
      const request = { account, accountPath: path.path, accountsRoot: path.accountsRoot, riskTable: table, epoch: path.epoch, recipient };
      await prover.warmUpProver();
      const proof = await ctx.step(`proving the exit claim (${circuit.name}, epoch ${path.epoch})`, () => exit.proveExit(request, circuit.name));
      writeOutputs([jsonOutput(out, exitProofFile.encode(proof, zkeySha256(circuit.name)))]);
      const s = proof.statement;
      return {
        json: {
          out, circuit: proof.circuit, epoch: s.epoch, riskRoot: s.riskRoot.toString(), accountsRoot: s.accountsRoot.toString(),
          nullifier: s.nullifier.toString(), recipient: s.recipient, amount: s.amount.toString(), timings: proof.timings,
        },
        human: [
          `exit proof for epoch ${s.epoch}: claim ${s.amount} at mark, paid to ${s.recipient}`,
          `  nullifier ${s.nullifier}`,
          `  witness ${proof.timings.witnessMs} ms, proof ${proof.timings.proveMs} ms`,
          `wrote ${out}`,
        ],
      };
    },
  },
];
