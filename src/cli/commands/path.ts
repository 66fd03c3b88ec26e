import type { AccountOpening } from "../../accounts/account.js";
import { decodeAccount, decodeOpening, encodePath } from "../../io/formats.js";
import { readTagged } from "../../io/jsonFile.js";
import { jsonOutput, writeOutputs } from "../../io/output.js";
import { type Command, JSON_OPTION } from "../framework.js";
import { catalogCircuit, loadLeafHashes, warnIfShared } from "../inputs.js";
import { pathFromLeafHashes } from "../../trader/pathFromLeafHashes.js";

export { pathFromLeafHashes };

/** An account file (secret) or its opening, for commands that only need the leaf. */
export function loadAccountOrOpening(file: string, warn: (line: string) => void, flag = "--account"): AccountOpening {
  const { kind, data } = readTagged(file, ["account", "opening"], flag);
  if (kind === "account") {
    warnIfShared(file, warn);
    return decodeAccount(file, data);
  }
  return decodeOpening(file, data);
}

export const pathCommands: Command[] = [
  {
    path: ["path", "rebuild"],
    summary: "Trader: rebuild your inclusion path from the epoch's published leaf hashes (no operator needed).",
    details: [
      "The operator publishes every epoch's leaf-hash file (written by `zkrs tree`, served by `zkrs audit",
      "--serve`). Its root is recomputed and checked; your leaf is found by its hash, and the path file",
      "(zkrs/path@1) is what `zkrs prove margin` / `zkrs prove exit` take.",
    ],
    options: {
      "leaf-hashes": { type: "string", arg: "file.json", description: "the epoch's leaf-hash file (zkrs/leaf-hashes@1)", required: true },
      account: { type: "string", arg: "acct.json", description: "your account (zkrs/account@1) or its opening (zkrs/opening@1)", required: true },
      index: { type: "string", arg: "n", description: "check: your leaf must be at this index" },
      circuit: { type: "string", arg: "name", description: "circuit whose tree shape to use (default: exit)" },
      out: { type: "string", arg: "path.json", description: "path file to write (zkrs/path@1)", required: true },
      ...JSON_OPTION,
    },
    async run(ctx, args) {
      const file = args.string("leaf-hashes");
      const out = args.outFile("out");
      const circuit = catalogCircuit(args.optionalString("circuit") ?? "exit", "portfolio");
      const index = args.has("index") ? args.int("index", 0, 2 ** 32 - 1) : undefined;
      const hashes = loadLeafHashes(file);
      const account = loadAccountOrOpening(args.string("account"), ctx.log);
      const path = pathFromLeafHashes(file, hashes, account, circuit, index);
      writeOutputs([jsonOutput(out, encodePath(path))]);
      return {
        json: { out, epoch: path.epoch, index: path.path.index, accountsRoot: path.accountsRoot.toString(), leaf: path.leaf.toString() },
        human: [
          `path of leaf ${path.path.index} in epoch ${path.epoch}'s accounts tree (${hashes.leaves.length} leaves, root checked)`,
          `  accountsRoot ${path.accountsRoot}`,
          `wrote ${out}`,
        ],
      };
    },
  },
];
