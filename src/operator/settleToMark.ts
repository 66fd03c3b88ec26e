import { type AccountOpening, withFreshSalt } from "../accounts/account.js";
import { MAX_COLLATERAL } from "../crypto/bounds.js";
import type { MarketSnapshot } from "../risk/riskEngine.js";

/**
 * Variation margin of one account between two snapshots, in collateral base units: perps and
 * futures are settled to mark at every epoch (docs/design.md §3 valuation convention), so each contract
 * moves (new price - old price) x contract size into collateral. Options carry their full value
 * in the risk table and move no cash. Rounded to the nearest unit.
 */
export function variationMargin(account: AccountOpening, from: MarketSnapshot, to: MarketSnapshot): bigint {
  if (from.unitsPerQuote !== to.unitsPerQuote) throw new RangeError(`unitsPerQuote changed between snapshots (${from.unitsPerQuote} -> ${to.unitsPerQuote})`);
  const price = (s: MarketSnapshot, symbol: string): number => {
    const u = s.underlyings.find((x) => x.symbol === symbol);
    if (!u) throw new RangeError(`snapshot of epoch ${s.epoch} has no underlying ${symbol}`);
    return u.price;
  };
  let total = 0n;
  for (const p of account.positions) {
    const spec = from.instruments[p.instrument];
    const next = to.instruments[p.instrument];
    if (!spec || !next || spec.id !== next.id) throw new RangeError(`instrument ${p.instrument} is not the same listing in both snapshots`);
    if (spec.kind !== "perp" && spec.kind !== "future") continue;
    const move = (price(to, spec.underlying) - price(from, spec.underlying)) * (spec.contractSize ?? 1) * from.unitsPerQuote;
    total += p.quantity * BigInt(Math.round(move));
  }
  return total;
}

/**
 * The operator's ledger step between epochs for one account: credit or debit its variation
 * margin and re-randomise its salt (docs/design.md §8.6: an unchanged account must not keep its leaf).
 * An account whose cash would go below zero cannot be committed: it must be liquidated in the
 * epoch it breached, so this refuses it, naming the shortfall.
 */
export function settleToMark<T extends AccountOpening>(account: T, from: MarketSnapshot, to: MarketSnapshot): T {
  const collateral = account.collateral + variationMargin(account, from, to);
  if (collateral < 0n) throw new RangeError(`variation margin takes the account's collateral to ${collateral}: liquidate it first`);
  if (collateral > MAX_COLLATERAL) throw new RangeError(`collateral ${collateral} is above the circuits' bound ${MAX_COLLATERAL}`);
  return withFreshSalt({ ...account, collateral });
}
