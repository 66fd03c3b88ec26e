import { existsSync } from "node:fs";
import { smallSnapshot } from "../../demo/demoMarket.js";
import { encodeTable } from "../../io/formats.js";
import { FORMATS, InputError } from "../../io/json.js";
import { jsonOutput, writeOutputs } from "../../io/output.js";
import { commitRiskTable } from "../../risk/riskCommitment.js";
import { computeRiskTable } from "../../risk/riskEngine.js";
import { type Command, JSON_OPTION } from "../framework.js";
import { catalogCircuit, loadSnapshot } from "../inputs.js";

export const riskCommands: Command[] = [
  {
    path: ["risk"],
    summary: "Risk oracle: compute the epoch's risk table from a price/vol snapshot and print its riskRoot.",
    details: [
      "The snapshot is a zkrs/snapshot@1 file (`zkrs risk example` writes one). Every instrument gets its",
      "mark value and its value in the 16 SPAN scenarios, in collateral base units. riskRoot depends on the",
      "number of instrument slots of the circuits (2^log-instruments); by default that of --circuit.",
    ],
    options: {
      snapshot: { type: "string", arg: "snap.json", description: "market snapshot (zkrs/snapshot@1)", required: true },
      out: { type: "string", arg: "table.json", description: "risk table to write (zkrs/risk-table@1)", required: true },
      "log-instruments": { type: "string", arg: "n", description: "log2 of the instrument slots riskRoot commits to" },
      circuit: { type: "string", arg: "name", description: "take log-instruments from this circuit (default: margin)" },
      ...JSON_OPTION,
    },
    async run(ctx, args) {
      const snapshot = loadSnapshot(args.string("snapshot"));
      const out = args.outFile("out");
      const logInstruments = args.has("log-instruments")
        ? args.int("log-instruments", 0, 16)
        : catalogCircuit(args.optionalString("circuit") ?? "margin", "any").params.logInstruments;
      let table;
      let commitment;
      try {
        table = computeRiskTable(snapshot);
        commitment = commitRiskTable(table, logInstruments);
      } catch (err) {
        throw new InputError(`${args.string("snapshot")}: ${(err as Error).message}`);
      }
      writeOutputs([jsonOutput(out, encodeTable(table, logInstruments, commitment.riskRoot))]);
      ctx.log(`wrote ${out}`);
      const rows = table.rows.map((r) => {
        const stress = r.values.slice(1);
        const lo = stress.reduce((a, b) => (b < a ? b : a));
        const hi = stress.reduce((a, b) => (b > a ? b : a));
        return `  ${r.id.padEnd(16)} mark ${r.values[0]}, stressed [${lo}, ${hi}], add-on ${r.addon}`;
      });
      return {
        json: { out, epoch: table.epoch, scenarios: table.scenarios, instruments: table.rows.length, logInstruments, riskRoot: commitment.riskRoot.toString() },
        human: [
          `risk table for epoch ${table.epoch}: ${table.rows.length} instruments x ${table.scenarios} scenarios (+ mark), ${2 ** logInstruments} slots`,
          ...rows,
          `riskRoot ${commitment.riskRoot}`,
        ],
      };
    },
  },
  {
    path: ["risk", "example"],
    summary: "Write an example market snapshot (ETH and BTC perps and options) to start from.",
    options: {
      out: { type: "string", arg: "snap.json", description: "snapshot file to write", required: true },
      epoch: { type: "string", arg: "n", description: "epoch number (default 1)" },
      force: { type: "boolean", description: "overwrite an existing file" },
      ...JSON_OPTION,
    },
    async run(ctx, args) {
      const out = args.outFile("out");
      const epoch = args.int("epoch", 0, 2 ** 32 - 1, 1);
      if (existsSync(out) && !args.flag("force")) throw new InputError(`${out} exists already (use --force to overwrite)`);
      writeOutputs([jsonOutput(out, { format: FORMATS.snapshot, ...smallSnapshot(epoch), rate: 0 })]);
      return { json: { out, epoch }, human: [`wrote example snapshot ${out} (epoch ${epoch})`] };
    },
  },
];
