import { getAddress, NonceManager } from "ethers";
import { InputError } from "../../io/json.js";
import { type Command, JSON_OPTION } from "../framework.js";
import { gas, KEY_OPTION, onChain, openPool, POOL_OPTION, poolRef, privateKey, RPC_OPTION, rpcUrl } from "../onChain.js";

export const depositCommand: Command = {
  path: ["deposit"],
  summary: "Trader or LP: approve and deposit collateral tokens into the pool (--lp for liquidity, for pool shares).",
  details: ["A trader's deposit is credited to their account by the operator in its ledger; an LP deposit mints pool shares."],
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
      const have = await pool.tokenBalanceOf(holder);
      if (have < amount) throw new InputError(`${holder} holds ${have} of the pool's token, less than --amount ${amount}`);
      const results = await ctx.step(`depositing ${amount} ${lp ? "as LP" : "as trader collateral"}`, async () => {
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
