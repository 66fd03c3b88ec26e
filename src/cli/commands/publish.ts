import { findCircuit } from "../../protocol/circuitCatalog.js";
import { commitRiskTable } from "../../risk/riskCommitment.js";
import { type Command, JSON_OPTION } from "../framework.js";
import { loadTable } from "../inputs.js";
import { gas, KEY_OPTION, onChain, openPool, POOL_OPTION, poolRef, privateKey, RPC_OPTION, rpcUrl } from "../onChain.js";

export const publishCommand: Command = {
  path: ["publish"],
  summary: "Risk oracle: publish the epoch's riskRoot (re-derived from the risk table) to the pool.",
  options: {
    ...RPC_OPTION, ...KEY_OPTION, ...POOL_OPTION,
    table: { type: "string", arg: "table.json", description: "the epoch's risk table (zkrs/risk-table@1)", required: true },
    ...JSON_OPTION,
  },
  async run(ctx, args) {
    const url = rpcUrl(args);
    const key = privateKey(args);
    const ref = poolRef(args);
    const { table } = loadTable(args.string("table"));
    const margin = findCircuit(ref.circuits.margin);
    const riskRoot = commitRiskTable(table, margin.params.logInstruments).riskRoot;
    return onChain(ctx, url, async (chain) => {
      const { pool } = await openPool(ctx, chain, ref, key);
      const r = await ctx.step(`publishing riskRoot of epoch ${table.epoch}`, () => pool.publishRisk(table.epoch, riskRoot));
      return {
        json: { pool: ref.address, epoch: table.epoch, riskRoot: riskRoot.toString(), tx: r.hash, gasUsed: r.gasUsed.toString() },
        human: [`published epoch ${table.epoch} riskRoot ${riskRoot}`, `  tx ${r.hash} (${r.gasUsed} gas)`],
      };
    });
  },
};
