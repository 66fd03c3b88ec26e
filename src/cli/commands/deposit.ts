import { getAddress, NonceManager } from "ethers";
import { InputError } from "../../io/json.js";
import { type Command, JSON_OPTION } from "../framework.js";
import { gas, KEY_OPTION, onChain, openPool, POOL_OPTION, poolRef, privateKey, RPC_OPTION, rpcUrl } from "../onChain.js";

export const depositCommand: Command = {
  path: ["deposit"],
  summary: "Trader: approve and deposit collateral tokens into the pool (--lp: genesis LP capital, before the first epoch).",
  details: [
    "A trader's deposit is credited to their account by the operator in its ledger. --lp deposits the pool's first LP capital,",
    "shares 1:1, and only before the first risk publication; afterwards LP deposits are requests at the next epoch's NAV (`zkrs lp deposit`).",
  ],
  options: {
    ...RPC_OPTION, ...KEY_OPTION, ...POOL_OPTION,
    amount: { type: "string", arg: "n", description: "token base units to deposit", required: true },
    lp: { type: "boolean", description: "deposit as a liquidity provider (default: trader collateral)" },
    ...JSON_OPTION,
  },
  async run(ctx, args) {
    const url = rpcUrl(args);
    const key = privateKey(args);
    const ref = poolRef(args);
    const amount = args.bigint("amount", { min: 1n, max: (1n << 128n) - 1n });
    const lp = args.flag("lp");
    return onChain(ctx, url, async (chain) => {
      const { pool, signer } = await openPool(ctx, chain, ref, key);
      const holder = await (signer as NonceManager).getAddress();
      if (lp && (await pool.state()).currentEpoch !== undefined) {
        throw new InputError("the pool has published an epoch: LP deposits are requests priced at the next opening's NAV now; use `zkrs lp deposit`");
      }
      const have = await pool.tokenBalanceOf(holder);
      if (have < amount) throw new InputError(`${holder} holds ${have} of the pool's token, less than --amount ${amount}`);
      const results = await ctx.step(`depositing ${amount} ${lp ? "as genesis LP capital" : "as trader collateral"}`, async () => {
        const approve = await pool.approveToken(amount);
        const deposit = lp ? await pool.depositLiquidity(amount) : await pool.depositCollateral(amount);
        return [approve, deposit];
      });
      const balance = await pool.poolBalance();
      return {
        json: { pool: ref.address, from: holder, amount: amount.toString(), lp, poolBalance: balance.toString(), txs: results.map((r) => r.hash), gasUsed: gas(results).toString() },
        human: [`deposited ${amount} ${lp ? "as LP" : "as trader collateral"} from ${holder}; pool balance ${balance}`],
      };
    });
  },
};
