import { dirname, join } from "node:path";
import { accountCommitment } from "../../accounts/account.js";
import { encodeLedger, encodePath, type Ledger, ledgerTree } from "../../io/formats.js";
import { jsonOutput, type OutputFile, writeOutputs } from "../../io/output.js";
import { encodeLeafHashes, leafHashesOf } from "../../protocol/leafHashes.js";
import { type Command, JSON_OPTION } from "../framework.js";
import { catalogCircuit, checkOpeningsFor, loadOpenings } from "../inputs.js";

export const treeCommands: Command[] = [
  {
    path: ["tree"],
    summary: "Operator: build the epoch's accounts tree from the traders' openings; write the ledger and each trader's inclusion path.",
    details: [
      "Openings are files or folders (a folder gives its opening files in name order); the order is the",
      "leaf order. Writes the ledger (PRIVATE: every opening, for `zkrs prove solvency --ledger`) and, per",
      "account, <name>.path.json (leaf index, siblings, accountsRoot, epoch) to hand to that trader, where",
      "<name> is the opening's file name without .json / .opening. Also writes the epoch's leaf-hash file",
      "(zkrs/leaf-hashes@1: every leaf hash in leaf order; salted, so it reveals nothing): PUBLISH it",
      "(`zkrs audit --serve --leaf-hashes`), so any trader can rebuild their own path (`zkrs path rebuild`).",
      "All files are written or none.",
    ],
    positionals: "opening.json|folder ...",
    options: {
      openings: { type: "string", multiple: true, arg: "file|folder", description: "account openings (also as trailing arguments, or comma-separated)" },
      epoch: { type: "string", arg: "n", description: "the epoch this accounts root is for", required: true },
      out: { type: "string", arg: "ledger.json", description: "ledger to write (zkrs/ledger@1)", required: true },
      "leaf-hashes": { type: "string", arg: "file.json", description: "leaf-hash file to write (default: leaf-hashes-<epoch>.json beside the ledger)" },
      "paths-dir": { type: "string", arg: "folder", description: "where to write the path files (default: the ledger's folder)" },
      circuit: { type: "string", arg: "name", description: "circuit whose tree shape to use (default: solvency)" },
      ...JSON_OPTION,
    },
    async run(ctx, args) {
      const epoch = args.int("epoch", 0, 2 ** 32 - 1);
      const out = args.outFile("out");
      const circuit = catalogCircuit(args.optionalString("circuit") ?? "solvency", "portfolio");
      const openings = loadOpenings([...args.list("openings"), ...args.positionals], ctx.log);
      checkOpeningsFor(openings, circuit);
      const shape = { depth: circuit.params.depth, positionSlots: circuit.params.positions };
      const tree = ledgerTree(shape, openings.map((o) => o.opening));
      const ledger: Ledger = { ...shape, epoch, circuit: circuit.name, accountsRoot: tree.root, accounts: openings.map((o) => ({ name: o.name, opening: o.opening })) };
      const pathsDir = args.optionalString("paths-dir") ?? dirname(out);
      const leafHashesFile = args.has("leaf-hashes") ? args.outFile("leaf-hashes") : join(dirname(out), `leaf-hashes-${epoch}.json`);
      const leaves = openings.map((o) => accountCommitment(o.opening, shape.positionSlots));
      const leafHashes = leafHashesOf(epoch, shape.depth, leaves);
      if (leafHashes.accountsRoot !== tree.root) throw new Error("internal: the leaf hashes give another root than the ledger");
      const files: OutputFile[] = [jsonOutput(out, encodeLedger(ledger)), jsonOutput(leafHashesFile, encodeLeafHashes(leafHashes))];
      const paths = openings.map((o, index) => {
        const file = join(pathsDir, `${o.name}.path.json`);
        const leaf = leaves[index];
        files.push(jsonOutput(file, encodePath({ ...shape, epoch, accountsRoot: tree.root, leaf, path: tree.path(index) })));
        return { name: o.name, index, file };
      });
      writeOutputs(files);
      return {
        json: { out, leafHashes: leafHashesFile, epoch, circuit: circuit.name, depth: shape.depth, accounts: openings.length, accountsRoot: tree.root.toString(), paths },
        human: [
          `accounts tree for epoch ${epoch}: ${openings.length} accounts, depth ${shape.depth} (${circuit.name})`,
          ...paths.map((p) => `  leaf ${p.index}: ${p.name} -> ${p.file}`),
          `wrote ledger ${out} (private to the operator)`,
          `wrote leaf hashes ${leafHashesFile} (public: publish it)`,
          `accountsRoot ${tree.root}`,
        ],
      };
    },
  },
];
