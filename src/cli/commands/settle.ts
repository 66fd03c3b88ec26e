import { InputError } from "../../io/json.js";
import { settlePreflight } from "../../trader/settlePreflight.js";
import { type Command, JSON_OPTION } from "../framework.js";
import { gas, KEY_OPTION, loadVerifiedProof, onChain, openPool, POOL_OPTION, poolRef, privateKey, RPC_OPTION, rpcUrl } from "../onChain.js";

export const settleCommand: Command = {
  path: ["settle"],
  summary: "Trader (or anyone): settle a margin proof: the pool pays its amount to its recipient.",
  options: {
    ...RPC_OPTION, ...KEY_OPTION, ...POOL_OPTION,
    proof: { type: "string", arg: "proof.json", description: "margin proof (zkrs/margin-proof@1)", required: true },
    "accept-haircut": { type: "boolean", description: "settle in a haircut epoch: receive less than the amount (the account's nullifier for the epoch is spent all the same)" },
    ...JSON_OPTION,
  },
  async run(ctx, args) {
    const url = rpcUrl(args);
    const key = privateKey(args);
    const ref = poolRef(args);
    const file = args.string("proof");
    const { proof } = await loadVerifiedProof(ctx, file, "margin", ref.circuits.margin);
    const s = proof.statement;
    return onChain(ctx, url, async (chain) => {
      const { pool } = await openPool(ctx, chain, ref, key);
      const outlook = await settlePreflight(pool, s, file);
      if (outlook.haircut) {
        if (!args.flag("accept-haircut")) throw new InputError(`${outlook.haircut.message}; pass --accept-haircut to settle anyway`);
        ctx.log(`${outlook.haircut.message} (--accept-haircut)`);
      }
      const r = await ctx.step(`settling ${s.amount} to ${s.recipient} (epoch ${s.epoch})`, () => pool.settle(proof));
      const settled = r.events.find((e) => e.name === "Settled");
      const paid = settled?.name === "Settled" ? settled.args.paid : s.amount;
      return {
        json: {
          pool: ref.address, epoch: s.epoch, nullifier: s.nullifier.toString(), recipient: s.recipient, amount: s.amount.toString(), paid: paid.toString(),
          tx: r.hash, gasUsed: r.gasUsed.toString(),
        },
        human: [
          paid === s.amount
            ? `settled: paid ${s.amount} to ${s.recipient} (epoch ${s.epoch})`
            : `settled: paid ${paid} of ${s.amount} to ${s.recipient} (epoch ${s.epoch}, haircut)`,
          `  tx ${r.hash} (${r.gasUsed} gas)`,
        ],
      };
    });
  },
};
