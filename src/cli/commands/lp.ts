/**
 * `zkrs lp deposit|withdraw|claim|cancel|status` — LP capital at the proven NAV (docs/design.md §11).
 * Deposits and withdrawals are requests: they execute at the next epoch's opening at that NAV per
 * share (deposits at the next one that is not a Haircut, withdrawals at the next Solvent one,
 * within the lock), and are claimed afterwards.
 */
import { getAddress, NonceManager } from "ethers";
import { type PoolState, requestIdOf, type RiskSharingPoolClient } from "../../chain/riskSharingPool.js";
import { InputError } from "../../io/json.js";
import { sharesFor, sharesValue } from "../../protocol/lpShares.js";
import { eventsNamed, navPerShare, type PoolEvent } from "../../protocol/poolEvents.js";
import { type Command, type CommandResult, JSON_OPTION } from "../framework.js";
import { gas, KEY_OPTION, onChain, openPool, POOL_OPTION, poolRef, privateKey, RPC_OPTION, rpcUrl } from "../onChain.js";

const REQUEST_OPTION = { request: { type: "string", arg: "id", description: "the request's id (printed by lp deposit / lp withdraw)", required: true } } as const;
const ACCEPT_LOSS = { "accept-loss": { type: "boolean", description: "send it even though, at the last opening's NAV per share, it would get nothing for what it gives" } } as const;

/** One clear error when the LP book is sealed: the next epoch's table is published and the epoch is not open yet. */
function refuseWhileSealed(st: PoolState, what: string): void {
  if (st.lpBookSealed) {
    throw new InputError(`epoch ${st.currentEpoch}'s risk table is published and the epoch is not open yet: no LP ${what} is taken until it opens (its price would be known already)`);
  }
}

/** The request, still stored, or one clear error naming why it is not. */
async function storedRequest(pool: RiskSharingPoolClient, id: bigint) {
  const r = await pool.lpRequest(id);
  if (!r) throw new InputError(`request ${id} does not exist on the pool, or was claimed or cancelled already`);
  const st = await pool.state();
  const executed = r.batch < (r.withdrawal ? st.withdrawBatch : st.depositBatch);
  return { r, executed, st };
}

const lpDepositCommand: Command = {
  path: ["lp", "deposit"],
  summary: "LP: request a deposit: the tokens wait in escrow and buy shares at the next epoch's opening (not a Haircut one), at its NAV per share.",
  details: ["Claim the shares afterwards with `zkrs lp claim --request ID`; cancel before the opening with `zkrs lp cancel`."],
  options: {
    ...RPC_OPTION, ...KEY_OPTION, ...POOL_OPTION,
    amount: { type: "string", arg: "n", description: "token base units to deposit", required: true },
    ...ACCEPT_LOSS, ...JSON_OPTION,
  },
  async run(ctx, args): Promise<CommandResult> {
    const url = rpcUrl(args);
    const key = privateKey(args);
    const ref = poolRef(args);
    const amount = args.bigint("amount", { min: 1n, max: (1n << 96n) - 1n });
    return onChain(ctx, url, async (chain) => {
      const { pool, signer } = await openPool(ctx, chain, ref, key);
      const from = await (signer as NonceManager).getAddress();
      const st = await pool.state();
      if (st.currentEpoch === undefined) throw new InputError("no epoch is published yet: genesis LP capital is `zkrs deposit --lp` (shares 1:1 at once)");
      refuseWhileSealed(st, "request");
      const have = await pool.tokenBalanceOf(from);
      if (have < amount) throw new InputError(`${from} holds ${have} of the pool's token, less than --amount ${amount}`);
      const estimate = sharesFor(amount, st.navAtOpening, st.totalShares);
      if (estimate === 0n && !args.flag("accept-loss")) {
        throw new InputError(`at the last opening's NAV per share (${navPerShare(st.navAtOpening, st.totalShares)}) ${amount} buys no share: the tokens would go to the LPs; pass --accept-loss to send it anyway`);
      }
      const results = await ctx.step(`requesting an LP deposit of ${amount}`, async () => [await pool.approveToken(amount), await pool.requestDeposit(amount)]);
      const id = requestIdOf(results[1]);
      return {
        json: {
          pool: ref.address, from, requestId: id.toString(), batch: st.depositBatch, amount: amount.toString(),
          sharesAtLastNav: estimate.toString(), txs: results.map((r) => r.hash), gasUsed: gas(results).toString(),
        },
        human: [
          `requested an LP deposit of ${amount} from ${from}: request ${id} (deposit batch ${st.depositBatch})`,
          `  it executes at the next epoch's opening that is not a Haircut, at that NAV per share (at the last one, ${navPerShare(st.navAtOpening, st.totalShares)}, it would buy ${estimate} shares)`,
          `  then: zkrs lp claim --request ${id}`,
        ],
      };
    });
  },
};

const lpWithdrawCommand: Command = {
  path: ["lp", "withdraw"],
  summary: "LP: request a withdrawal: the shares wait in escrow and are paid at the next Solvent opening, at its NAV per share, within the lock.",
  details: [
    "While epochs open Stressed or Haircut the request waits. When the lock allows only part, every request of the batch gets the",
    "same fraction and the rest of its shares back. Claim the tokens with `zkrs lp claim --request ID`.",
  ],
  options: {
    ...RPC_OPTION, ...KEY_OPTION, ...POOL_OPTION,
    shares: { type: "string", arg: "n", description: "shares to withdraw" },
    all: { type: "boolean", description: "every share the sender holds" },
    ...ACCEPT_LOSS, ...JSON_OPTION,
  },
  async run(ctx, args): Promise<CommandResult> {
    const url = rpcUrl(args);
    const key = privateKey(args);
    const ref = poolRef(args);
    if (args.has("shares") === args.flag("all")) throw new InputError("give either --shares N or --all");
    const asked = args.flag("all") ? undefined : args.bigint("shares", { min: 1n, max: (1n << 128n) - 1n });
    return onChain(ctx, url, async (chain) => {
      const { pool, signer } = await openPool(ctx, chain, ref, key);
      const from = await (signer as NonceManager).getAddress();
      const owned = await pool.sharesOf(from);
      const shares = asked ?? owned;
      if (shares === 0n) throw new InputError(`${from} holds no shares of the pool`);
      if (shares > owned) throw new InputError(`${from} holds ${owned} shares, less than --shares ${shares}`);
      const st = await pool.state();
      refuseWhileSealed(st, "request");
      const estimate = sharesValue(shares, st.navAtOpening, st.totalShares);
      if (estimate === 0n && !args.flag("accept-loss")) {
        throw new InputError(`at the last opening's NAV per share (${navPerShare(st.navAtOpening, st.totalShares)}) ${shares} shares are worth nothing: they would be burned for 0; pass --accept-loss to send it anyway`);
      }
      const r = await ctx.step(`requesting an LP withdrawal of ${shares} shares`, () => pool.requestWithdraw(shares));
      const id = requestIdOf(r);
      const waits = st.latestAcceptedEpoch !== undefined && st.latestStatus !== "solvent";
      return {
        json: {
          pool: ref.address, from, requestId: id.toString(), batch: st.withdrawBatch, shares: shares.toString(),
          valueAtLastNav: estimate.toString(), latestStatus: st.latestStatus, tx: r.hash, gasUsed: r.gasUsed.toString(),
        },
        human: [
          `requested an LP withdrawal of ${shares} shares from ${from}: request ${id} (withdrawal batch ${st.withdrawBatch})`,
          `  it is paid at the next Solvent opening at that NAV per share, within the lock (at the last one they were worth ${estimate})`,
          ...(waits ? [`  the latest epoch (${st.latestAcceptedEpoch}) opened ${st.latestStatus}: the request waits until an epoch opens solvent`] : []),
          `  then: zkrs lp claim --request ${id}`,
        ],
      };
    });
  },
};

const lpClaimCommand: Command = {
  path: ["lp", "claim"],
  summary: "Anyone: claim an executed LP request for its owner: a deposit's shares, or a withdrawal's tokens and unfilled shares.",
  options: { ...RPC_OPTION, ...KEY_OPTION, ...POOL_OPTION, ...REQUEST_OPTION, ...JSON_OPTION },
  async run(ctx, args): Promise<CommandResult> {
    const url = rpcUrl(args);
    const key = privateKey(args);
    const ref = poolRef(args);
    const id = args.bigint("request", { min: 0n, max: (1n << 256n) - 1n });
    return onChain(ctx, url, async (chain) => {
      const { pool } = await openPool(ctx, chain, ref, key);
      const { r, executed } = await storedRequest(pool, id);
      if (!executed) {
        throw new InputError(`request ${id} has not executed yet: ${r.withdrawal ? "withdrawals execute at the next Solvent opening" : "deposits execute at the next opening that is not a Haircut"}`);
      }
      const tx = await ctx.step(`claiming request ${id}`, () => pool.claim(id));
      const c = tx.events.find((e) => e.name === "LpClaimed");
      const [shares, tokens] = c?.name === "LpClaimed" ? [c.args.shares, c.args.tokens] : [0n, 0n];
      return {
        json: { pool: ref.address, requestId: id.toString(), owner: r.owner, withdrawal: r.withdrawal, shares: shares.toString(), tokens: tokens.toString(), tx: tx.hash, gasUsed: tx.gasUsed.toString() },
        human: [
          r.withdrawal
            ? `claimed withdrawal request ${id} for ${r.owner}: paid ${tokens}${shares > 0n ? `, ${shares} unfilled shares back` : ""}`
            : `claimed deposit request ${id} for ${r.owner}: ${shares} shares`,
          `  tx ${tx.hash} (${tx.gasUsed} gas)`,
        ],
      };
    });
  },
};

const lpCancelCommand: Command = {
  path: ["lp", "cancel"],
  summary: "LP: cancel your request while its batch has not executed: the escrowed tokens or shares come back.",
  options: { ...RPC_OPTION, ...KEY_OPTION, ...POOL_OPTION, ...REQUEST_OPTION, ...JSON_OPTION },
  async run(ctx, args): Promise<CommandResult> {
    const url = rpcUrl(args);
    const key = privateKey(args);
    const ref = poolRef(args);
    const id = args.bigint("request", { min: 0n, max: (1n << 256n) - 1n });
    return onChain(ctx, url, async (chain) => {
      const { pool, signer } = await openPool(ctx, chain, ref, key);
      const from = await (signer as NonceManager).getAddress();
      const { r, executed, st } = await storedRequest(pool, id);
      if (getAddress(r.owner) !== getAddress(from)) throw new InputError(`request ${id} belongs to ${r.owner}, not to ${from}`);
      if (executed) throw new InputError(`request ${id} has executed already: claim it with \`zkrs lp claim --request ${id}\``);
      refuseWhileSealed(st, "cancel");
      const tx = await ctx.step(`cancelling request ${id}`, () => pool.cancelRequest(id));
      return {
        json: { pool: ref.address, requestId: id.toString(), withdrawal: r.withdrawal, amount: r.amount.toString(), tx: tx.hash, gasUsed: tx.gasUsed.toString() },
        human: [`cancelled request ${id}: ${r.amount} ${r.withdrawal ? "shares" : "tokens"} back to ${from}`],
      };
    });
  },
};

/** NAV per share at each opening, from the pool's NavPerShare events (and the era each started). */
export function navHistory(events: readonly PoolEvent[]): { epoch: number; nav: bigint; supply: bigint; navPerShare: string; newEra?: number }[] {
  return eventsNamed(events, "NavPerShare").map((e) => {
    const era = events.find((x) => x.name === "ShareEraStarted" && x.transactionHash === e.transactionHash);
    return {
      epoch: e.args.epoch, nav: e.args.nav, supply: e.args.supply, navPerShare: navPerShare(e.args.nav, e.args.supply),
      ...(era?.name === "ShareEraStarted" ? { newEra: era.args.era } : {}),
    };
  });
}

const lpStatusCommand: Command = {
  path: ["lp", "status"],
  summary: "Anyone: NAV per share at every opening, the LPs' book now, and an account's shares and open requests. Reads only.",
  options: {
    ...RPC_OPTION, ...POOL_OPTION,
    account: { type: "string", arg: "0x...", description: "an LP's address: its shares, their value and its open requests" },
    ...JSON_OPTION,
  },
  async run(ctx, args): Promise<CommandResult> {
    const url = rpcUrl(args);
    const ref = poolRef(args);
    const account = args.has("account") ? args.address("account") : undefined;
    return onChain(ctx, url, async (chain) => {
      const { pool } = await openPool(ctx, chain, ref);
      const [st, events] = await Promise.all([pool.state(), pool.events()]);
      const history = navHistory(events);
      const open: { requestId: bigint; withdrawal: boolean; amount: bigint; batch: number; executed: boolean }[] = [];
      let shares = 0n;
      if (account) {
        shares = await pool.sharesOf(account);
        for (const e of eventsNamed(events, "LpRequested")) {
          if (getAddress(e.args.owner) !== account) continue;
          const r = await pool.lpRequest(e.args.requestId);
          if (!r) continue;
          open.push({ requestId: e.args.requestId, withdrawal: r.withdrawal, amount: r.amount, batch: r.batch, executed: r.batch < (r.withdrawal ? st.withdrawBatch : st.depositBatch) });
        }
      }
      const value = sharesValue(shares, st.navAtOpening, st.totalShares);
      return {
        json: {
          pool: ref.address, navAtOpening: st.navAtOpening.toString(), totalShares: st.totalShares.toString(), navPerShare: navPerShare(st.navAtOpening, st.totalShares),
          shareEra: st.shareEra, pendingDeposits: st.pendingDeposits.toString(), withdrawalsOwed: st.withdrawalsOwed.toString(),
          history: history.map((h) => ({ ...h, nav: h.nav.toString(), supply: h.supply.toString() })),
          ...(account ? {
            account, shares: shares.toString(), value: value.toString(),
            requests: open.map((r) => ({ ...r, requestId: r.requestId.toString(), amount: r.amount.toString() })),
          } : {}),
        },
        human: [
          `pool ${ref.address}: LP NAV ${st.navAtOpening} for ${st.totalShares} shares (${navPerShare(st.navAtOpening, st.totalShares)} per share, era ${st.shareEra})`,
          `  waiting: ${st.pendingDeposits} in deposit requests; owed to executed withdrawals: ${st.withdrawalsOwed}`,
          "  NAV per share at each opening (before its requests):",
          ...(history.length ? history.map((h) => `    epoch ${h.epoch}: ${h.navPerShare}  (NAV ${h.nav}, ${h.supply} shares${h.newEra !== undefined ? `, share era ${h.newEra} started` : ""})`) : ["    (no epoch opened yet)"]),
          ...(account ? [
            `  ${account}: ${shares} shares, worth ${value} at the last opening`,
            ...open.map((r) => `    request ${r.requestId}: ${r.withdrawal ? `withdraw ${r.amount} shares` : `deposit ${r.amount}`} — ${r.executed ? "executed: claim it" : "waiting for an opening"}`),
          ] : []),
        ],
      };
    });
  },
};

export const lpCommands: Command[] = [lpDepositCommand, lpWithdrawCommand, lpClaimCommand, lpCancelCommand, lpStatusCommand];
