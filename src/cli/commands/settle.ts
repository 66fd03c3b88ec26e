import { haircutPayment } from "../../auditor/epochStatus.js";
import { InputError } from "../../io/json.js";
import { haircutRatio } from "../../protocol/poolEvents.js";
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
      const info = await pool.epochInfo(s.epoch);
      if (!info.settleable) throw new InputError(`epoch ${s.epoch} is not open for settlement on the pool (no accepted solvency proof yet, or a later epoch was published)`);
      if (info.riskRoot !== s.riskRoot) throw new InputError(`${file} is against riskRoot ${s.riskRoot}, the pool's epoch ${s.epoch} has ${info.riskRoot}`);
      if (info.openAccountsRoot !== s.accountsRoot) throw new InputError(`${file} is against accountsRoot ${s.accountsRoot}, the pool's epoch ${s.epoch} has ${info.openAccountsRoot}`);
      if (await pool.nullifierUsed(s.nullifier)) throw new InputError(`${file}: this account settled in epoch ${s.epoch} already (nullifier used)`);
      const standing = await pool.epochStanding(s.epoch);
      if (standing.status === "haircut") {
        const due = haircutPayment(s.amount, { num: standing.haircutNum, den: standing.haircutDen });
        const what = `epoch ${s.epoch} pays a haircut of ${haircutRatio(standing.haircutNum, standing.haircutDen)}: this settlement would pay ${due} of ${s.amount} ` +
          `and spend the account's nullifier for epoch ${s.epoch} (no second settlement this epoch)`;
        if (!args.flag("accept-haircut")) throw new InputError(`${what}; pass --accept-haircut to settle anyway`);
        ctx.log(`${what} (--accept-haircut)`);
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
