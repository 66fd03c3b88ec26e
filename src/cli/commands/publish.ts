import { InputError } from "../../io/json.js";
import { buildRiskTableInput } from "../../oracle/riskTableInput.js";
import { markProverLoaded } from "../lazy.js";
import { type Command, JSON_OPTION } from "../framework.js";
import { catalogCircuit, loadTable } from "../inputs.js";
import { gas, KEY_OPTION, onChain, openPool, POOL_OPTION, poolRef, privateKey, RPC_OPTION, rpcUrl } from "../onChain.js";

export const publishCommand: Command = {
  path: ["publish"],
  summary: "Risk oracle: prove the epoch's risk table well-formed and publish its riskRoot with the proof.",
  details: [
    "The RiskTable proof (the pool's risk-table circuit) shows that riskRoot commits to this one table,",
    "every value and add-on in range and every perp/future at mark value 0; the pool refuses a root without it.",
  ],
  options: {
    ...RPC_OPTION, ...KEY_OPTION, ...POOL_OPTION,
    table: { type: "string", arg: "table.json", description: "the epoch's risk table (zkrs/risk-table@2)", required: true },
    ...JSON_OPTION,
  },
  async run(ctx, args) {
    const url = rpcUrl(args);
    const key = privateKey(args);
    const ref = poolRef(args);
    const { table } = loadTable(args.string("table"));
    const circuit = catalogCircuit(ref.circuits.riskTable, "riskTable");
    try {
      buildRiskTableInput(table, circuit.params);
    } catch (err) {
      throw new InputError(`${args.string("table")}: ${(err as Error).message} (circuit ${circuit.name})`);
    }
    return onChain(ctx, url, async (chain) => {
      const { pool } = await openPool(ctx, chain, ref, key);
      markProverLoaded();
      const { proveRiskTable } = await import("../../oracle/riskTableProof.js");
      const proven = await ctx.step(`proving the risk table of epoch ${table.epoch} (${circuit.name})`, () => proveRiskTable(table, circuit.name));
      const riskRoot = proven.statement.riskRoot;
      const r = await ctx.step(`publishing riskRoot of epoch ${table.epoch}`, () => pool.publishRisk(proven));
      return {
        json: { pool: ref.address, epoch: table.epoch, riskRoot: riskRoot.toString(), tx: r.hash, gasUsed: r.gasUsed.toString() },
        human: [`published epoch ${table.epoch} riskRoot ${riskRoot}`, `  tx ${r.hash} (${r.gasUsed} gas)`],
      };
    });
  },
};
