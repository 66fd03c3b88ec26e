/**
 * The demo's LP act (docs/design.md §11): an LP asks to deposit during an open epoch; the request
 * waits in escrow and executes at the next epoch's opening, at that opening's NAV per share, not
 * at the price of the epoch it was made in; then it is claimed.
 */
import { requestIdOf, type RiskSharingPoolClient } from "../chain/riskSharingPool.js";
import { sharesValue } from "../protocol/lpShares.js";
import { eventsNamed, navPerShare } from "../protocol/poolEvents.js";

export interface LpActResult {
  requestId: bigint;
  amount: bigint;
  /** The epoch open when the request was made, and its NAV per share. */
  requestedIn: number;
  navPerShareThen: string;
  /** The opening that executed it, and its NAV per share. */
  executedAt?: number;
  navPerShareAtExecution?: string;
  shares?: bigint;
  /** What the shares are worth right after the opening (the deposit, less rounding). */
  worth?: bigint;
  gas: Record<string, bigint>;
}

/** Makes the deposit request (the LP must hold and approve `amount`); returns what to finish it with. */
export async function requestLpDeposit(pool: RiskSharingPoolClient, epoch: number, amount: bigint, log: (line: string) => void, usd: (x: bigint) => string): Promise<LpActResult> {
  const st = await pool.state();
  await pool.approveToken(amount);
  const r = await pool.requestDeposit(amount);
  const requestId = requestIdOf(r);
  const then = navPerShare(st.navAtOpening, st.totalShares);
  log(`  an LP requests a deposit of ${usd(amount)} tUSD (request ${requestId}): escrowed, not the pool's assets; it buys shares at the next opening's NAV per share, not at epoch ${epoch}'s ${then}`);
  return { requestId, amount, requestedIn: epoch, navPerShareThen: then, gas: { lpRequestDeposit: r.gasUsed } };
}

/** After the next opening: finds the execution, claims the shares, logs what it got. */
export async function claimLpDeposit(pool: RiskSharingPoolClient, act: LpActResult, log: (line: string) => void, usd: (x: bigint) => string): Promise<LpActResult> {
  const events = await pool.events();
  const executed = eventsNamed(events, "LpDepositsExecuted").at(-1);
  const price = executed && eventsNamed(events, "NavPerShare").find((e) => e.transactionHash === executed.transactionHash);
  if (!executed || !price) {
    log(`  the deposit request ${act.requestId} has not executed yet`);
    return act;
  }
  const c = await pool.claim(act.requestId);
  const claimed = c.events.find((e) => e.name === "LpClaimed");
  const shares = claimed?.name === "LpClaimed" ? claimed.args.shares : 0n;
  const st = await pool.state();
  const worth = sharesValue(shares, st.navAtOpening, st.totalShares);
  const at = navPerShare(price.args.nav, price.args.supply);
  log(`  epoch ${executed.args.epoch} opened with LP NAV ${usd(price.args.nav)} tUSD for ${price.args.supply} shares: ${at} per share (epoch ${act.requestedIn}: ${act.navPerShareThen})`);
  log(`  the request executed there: ${usd(act.amount)} tUSD bought ${shares} shares, worth ${usd(worth)} tUSD; claimed (gas ${c.gasUsed.toLocaleString("en-US")})`);
  return { ...act, executedAt: executed.args.epoch, navPerShareAtExecution: at, shares, worth, gas: { ...act.gas, lpClaimDeposit: c.gasUsed } };
}
