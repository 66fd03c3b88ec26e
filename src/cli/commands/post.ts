import { expectedStatus } from "../../auditor/epochStatus.js";
import { InputError } from "../../io/json.js";
import { haircutRatio } from "../../protocol/poolEvents.js";
import { type Command, JSON_OPTION } from "../framework.js";
import { describeStatus, gas, KEY_OPTION, loadVerifiedProof, onChain, openPool, POOL_OPTION, poolRef, privateKey, RPC_OPTION, rpcUrl } from "../onChain.js";

export const postCommand: Command = {
  path: ["post"],
  summary: "Operator: post an epoch's solvency proof (every batch, in order) to the pool.",
  details: [
    "The proof is checked off-chain first, and against the pool's published riskRoot. Batches the pool",
    "accepted already (an interrupted post) are skipped. The last batch opens the epoch for settlement.",
  ],
  options: {
    ...RPC_OPTION, ...KEY_OPTION, ...POOL_OPTION,
    proof: { type: "string", arg: "solvency.json", description: "solvency proof (zkrs/solvency-proof@3)", required: true },
    "accept-haircut": { type: "boolean", description: "open the epoch even though the pool's assets are below the proven mark liabilities (a haircut on every settlement)" },
    ...JSON_OPTION,
  },
  async run(ctx, args) {
    const url = rpcUrl(args);
    const key = privateKey(args);
    const ref = poolRef(args);
    const file = args.string("proof");
    const { proof } = await loadVerifiedProof(ctx, file, "solvency", ref.circuits.solvency);
    return onChain(ctx, url, async (chain) => {
      const { pool } = await openPool(ctx, chain, ref, key);
      const info = await pool.epochInfo(proof.epoch);
      if (info.riskRoot === 0n) throw new InputError(`epoch ${proof.epoch} has no published riskRoot on the pool (run \`zkrs publish\` first)`);
      const state = await pool.state();
      if (state.currentEpoch !== proof.epoch) {
        throw new InputError(`${file} is for epoch ${proof.epoch}, which is closed: the pool's current epoch is ${state.currentEpoch} (only the current epoch takes a solvency proof)`);
      }
      if (info.riskRoot !== proof.riskRoot) throw new InputError(`${file} is against riskRoot ${proof.riskRoot}, the pool's epoch ${proof.epoch} has ${info.riskRoot}`);
      if (info.settleable) throw new InputError(`the pool accepted epoch ${proof.epoch}'s solvency already (accountsRoot ${info.openAccountsRoot})`);
      const cursor = await pool.solvencyCursor(proof.epoch);
      const start = cursor.nextBatch > 0 && cursor.accountsRoot === proof.accountsRoot ? cursor.nextBatch : 0;
      if (start > 0) ctx.log(`  batches 0..${start - 1} were accepted already: resuming at batch ${start}`);
      // The last batch opens the epoch against the assets at that moment (the balance less the trader
      // deposits made since the risk was published and what LP requests hold): say what a haircut means before it happens.
      const held = state.depositsSinceRisk + state.pendingDeposits + state.withdrawalsOwed;
      const assets = state.poolBalance > held ? state.poolBalance - held : 0n;
      if (expectedStatus(assets, proof.stressTotal, proof.markTotal) === "haircut") {
        const what = `the pool holds ${assets}, less than the proven mark liabilities ${proof.markTotal}: every settlement of epoch ${proof.epoch} ` +
          `would pay amount * ${assets} / ${proof.markTotal} (${haircutRatio(assets, proof.markTotal)}), and the insurance fund (${state.insuranceFund}) ` +
          `and the LPs' NAV (${state.navAtOpening}) would be written off`;
        if (!args.flag("accept-haircut")) throw new InputError(`posting ${file} would open epoch ${proof.epoch} with a haircut: ${what}; pass --accept-haircut to open it anyway`);
        ctx.log(`opening epoch ${proof.epoch} with a haircut (--accept-haircut): ${what}`);
      }
      const results = await ctx.step(`posting ${proof.batches.length - start} solvency batch(es) of epoch ${proof.epoch}`, async () => {
        const out = [];
        for (let k = start; k < proof.batches.length; k++) {
          const r = await pool.postSolvency(proof.batches[k]);
          ctx.log(`  batch ${k + 1}/${proof.batches.length} accepted (${r.gasUsed} gas)`);
          out.push(r);
        }
        return out;
      });
      const opened = results.flatMap((r) => r.events).find((e) => e.name === "EpochOpened");
      const balance = opened?.name === "EpochOpened" ? opened.args.poolBalance : await pool.poolBalance();
      const standing = await pool.epochStanding(proof.epoch);
      const status = opened?.name === "EpochOpened" ? opened.args.status : standing.status;
      return {
        json: {
          pool: ref.address, epoch: proof.epoch, accountsRoot: proof.accountsRoot.toString(), stressTotal: proof.stressTotal.toString(),
          markTotal: proof.markTotal.toString(), poolBalance: balance.toString(), status,
          ...(status === "haircut" ? { haircut: { num: standing.haircutNum.toString(), den: standing.haircutDen.toString() } } : {}),
          batches: results.map((r) => ({ tx: r.hash, gasUsed: r.gasUsed.toString() })), gasUsed: gas(results).toString(),
        },
        human: [
          `epoch ${proof.epoch} solvency accepted: liabilities at mark ${proof.markTotal}, stress total ${proof.stressTotal} (both exact), pool assets ${balance} (stress headroom ${balance - proof.stressTotal})`,
          `  status: ${describeStatus(status, standing)}`,
          `  ${results.length} transaction(s), ${gas(results)} gas; epoch open for settlement`,
        ],
      };
    });
  },
};
