import { paddedPositions, type Position } from "../../accounts/account.js";
import { type SignedOrder, verifyOrder } from "../../accounts/order.js";
import { MAX_COLLATERAL } from "../../crypto/bounds.js";
import type { RiskRow } from "../../risk/riskEngine.js";
import { resalted, type TransitionAccount } from "./keys.js";

/**
 * Epoch e+1's public market data that the accounts pass applies: its risk table's rows (padded
 * to the circuits' 2^LOG_N slots; column 0 is the mark, the trade price), each instrument's
 * variation margin per contract from e to e+1 (0 for an option), and the fee per contract traded.
 */
export interface TransitionMarket {
  epoch: number;
  rows: readonly RiskRow[];
  variation: readonly bigint[];
  feeRate: bigint;
}

function row(market: TransitionMarket, instrument: number): RiskRow {
  const r = market.rows[instrument];
  if (!r) throw new RangeError(`instrument ${instrument} is not in epoch ${market.epoch}'s table`);
  return r;
}

function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}

/** Perps and futures are settled to mark: quantity x the instrument's variation per contract. */
export function variationCash(positions: readonly Position[], market: TransitionMarket): bigint {
  return positions.reduce((sum, p) => sum + p.quantity * (market.variation[p.instrument] ?? 0n), 0n);
}

/**
 * The positions after an order, slot by slot: slot k holds legs[k].instrument with its quantity
 * moved by legs[k].delta; a slot takes another instrument only if it held nothing.
 */
export function positionsAfter(before: readonly Position[], order: SignedOrder["order"]): Position[] {
  if (order.legs.length !== before.length) throw new RangeError(`order has ${order.legs.length} legs, the account has ${before.length} position slots`);
  return before.map((p, k) => {
    const leg = order.legs[k];
    if (leg.instrument !== p.instrument && p.quantity !== 0n) throw new RangeError(`order leg ${k} changes the instrument of a slot that holds ${p.quantity} of instrument ${p.instrument}`);
    return { instrument: leg.instrument, quantity: p.quantity + leg.delta };
  });
}

/** What the trades cost at the mark of epoch e+1: sum of (q' - q) x mark, per slot. */
export function tradeCash(before: readonly Position[], after: readonly Position[], market: TransitionMarket): bigint {
  return after.reduce((sum, p, k) => sum + p.quantity * row(market, p.instrument).values[0] - before[k].quantity * row(market, before[k].instrument).values[0], 0n);
}

/** The fee to the LPs: feeRate per contract traded, sum over slots of |q' - q|. */
export function orderFee(before: readonly Position[], after: readonly Position[], market: TransitionMarket): bigint {
  return market.feeRate * after.reduce((sum, p, k) => sum + abs(p.quantity - before[k].quantity), 0n);
}

/** E_s - R for every column s = 0..S of epoch e+1's table (the margin rule holds when all are >= 0). */
export function marginSlacks(collateral: bigint, positions: readonly Position[], market: TransitionMarket): bigint[] {
  const columns = row(market, 0).values.length;
  const requirement = positions.reduce((sum, p) => sum + abs(p.quantity) * row(market, p.instrument).addon, 0n);
  return Array.from({ length: columns }, (_, s) => positions.reduce((e, p) => e + p.quantity * row(market, p.instrument).values[s], collateral) - requirement);
}

/**
 * StarkEx's rule for a position change: allowed if the account obeys the margin rule after it
 * ("compliant"), or if every position only moves toward zero without changing sign and the
 * account's worst slack min_s (E_s - R) does not get worse ("reducing"); otherwise refused (null).
 * (The worst column, not every column: closing a directional position gives up its gain in the
 * scenarios that favoured it, so a per-column rule would forbid every reduction.)
 */
export function orderRule(
  before: { collateral: bigint; positions: readonly Position[] }, after: { collateral: bigint; positions: readonly Position[] }, market: TransitionMarket,
): "compliant" | "reducing" | null {
  const slacksAfter = marginSlacks(after.collateral, after.positions, market);
  if (slacksAfter.every((s) => s >= 0n)) return "compliant";
  const smaller = after.positions.every((p, k) => {
    const q = before.positions[k].quantity;
    return p.quantity * q >= 0n && abs(p.quantity) <= abs(q);
  });
  const slacksBefore = marginSlacks(before.collateral, before.positions, market);
  const worstBefore = slacksBefore.reduce((m, s) => (s < m ? s : m));
  return smaller && slacksAfter.every((s) => s >= worstBefore) ? "reducing" : null;
}

/** One account's step into epoch e+1 (after the events pass), and what the circuit needs to show it. */
export interface AccountTransition {
  account: TransitionAccount;
  /** Collateral after the events minus collateral in e+1: what moved to the LPs. */
  flow: bigint;
  rule: "compliant" | "reducing" | "none";
  /** The column of least slack E_s - R before the trade (the circuit's worstColumn). */
  worstColumn: number;
}

/**
 * The accounts pass's rule for one account: variation to mark, then the owner's order (signed
 * for epoch e+1 and this account) at the mark with its fee, checked by orderRule; then the new
 * salt. An order not signed by the account's key, or for another epoch or account, is refused.
 */
export async function transitionAccount(
  account: TransitionAccount, order: SignedOrder | undefined, market: TransitionMarket, slots: number,
): Promise<AccountTransition> {
  const before = paddedPositions(account.positions, slots);
  const cashBefore = account.collateral + variationCash(before, market);
  let after = before;
  let collateral = cashBefore;
  let rule: AccountTransition["rule"] = "none";
  if (order) {
    if (order.order.epoch !== market.epoch) throw new RangeError(`order is signed for epoch ${order.order.epoch}, the transition is into epoch ${market.epoch}`);
    if (order.order.accountKey !== account.accountKey) throw new RangeError("order is signed for another account");
    if (!(await verifyOrder(order, account.publicKey))) throw new RangeError("order signature is not the account owner's");
    after = positionsAfter(before, order.order);
    collateral = cashBefore - tradeCash(before, after, market) - orderFee(before, after, market);
    const allowed = orderRule({ collateral: cashBefore, positions: before }, { collateral, positions: after }, market);
    if (!allowed) throw new RangeError("order leaves the account below its margin requirement and does not only reduce its risk");
    rule = allowed;
  }
  const slacksBefore = marginSlacks(cashBefore, before, market);
  const worstColumn = slacksBefore.indexOf(slacksBefore.reduce((m, s) => (s < m ? s : m)));
  if (collateral < 0n) throw new RangeError(`the account's collateral would be ${collateral} in epoch ${market.epoch}: liquidate it first`);
  if (collateral > MAX_COLLATERAL) throw new RangeError(`the account's collateral would be ${collateral}, above ${MAX_COLLATERAL}`);
  // Slot by slot, as the circuit commits them (a closed slot keeps its instrument, quantity 0).
  return { account: resalted({ ...account, collateral, positions: after }, market.epoch), flow: account.collateral - collateral, rule, worstColumn };
}
