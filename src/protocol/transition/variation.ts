import { checkRange, MAX_VALUE, MIN_VALUE } from "../../crypto/bounds.js";
import type { MarketSnapshot } from "../../risk/riskEngine.js";

/**
 * Each instrument's variation margin per contract from epoch e to e+1, in collateral base units,
 * padded with zeros to the circuits' 2^logInstruments slots: (new price - old price) x contract
 * size for a perp or future, rounded to the nearest unit as settleToMark rounds it; 0 for an
 * option (it carries its full value in the table). The risk oracle publishes it with e+1's table
 * and the accounts pass credits quantity x variation.
 */
export function variationVector(from: MarketSnapshot, to: MarketSnapshot, logInstruments: number): bigint[] {
  if (from.unitsPerQuote !== to.unitsPerQuote) throw new RangeError(`unitsPerQuote changed between snapshots (${from.unitsPerQuote} -> ${to.unitsPerQuote})`);
  const slots = 2 ** logInstruments;
  if (from.instruments.length > slots) throw new RangeError(`${from.instruments.length} instruments do not fit ${slots} table slots`);
  const price = (s: MarketSnapshot, symbol: string): number => {
    const u = s.underlyings.find((x) => x.symbol === symbol);
    if (!u) throw new RangeError(`snapshot of epoch ${s.epoch} has no underlying ${symbol}`);
    return u.price;
  };
  return Array.from({ length: slots }, (_, i) => {
    const spec = from.instruments[i];
    if (!spec) return 0n;
    const next = to.instruments[i];
    if (!next || next.id !== spec.id) throw new RangeError(`instrument ${i} (${spec.id}) is not the same listing in both snapshots`);
    if (spec.kind !== "perp" && spec.kind !== "future") return 0n;
    const v = BigInt(Math.round((price(to, spec.underlying) - price(from, spec.underlying)) * (spec.contractSize ?? 1) * from.unitsPerQuote));
    checkRange(`variation of ${spec.id}`, v, MIN_VALUE, MAX_VALUE);
    return v;
  });
}
