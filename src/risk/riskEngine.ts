import { blackScholes } from "./blackScholes.js";
import { checkRange, MAX_VALUE, MIN_VALUE } from "../crypto/bounds.js";
import { SPAN_SCENARIOS, type Scenario } from "./scenarios.js";

export type InstrumentKind = "perp" | "future" | "call" | "put";

export interface UnderlyingSnapshot {
  symbol: string;
  /** Spot (or forward) price in quote units, e.g. 3000.5 (USD). */
  price: number;
  /** Annualised implied volatility, e.g. 0.6. */
  vol: number;
  /** Price-scan range as a fraction of the price, e.g. 0.15 for ±15%. */
  priceScanRange: number;
  /** Volatility-scan range in vol points, e.g. 0.1 moves 0.6 to 0.7 / 0.5. */
  volScanRange: number;
}

export interface InstrumentSpec {
  id: string;
  underlying: string;
  kind: InstrumentKind;
  strike?: number;
  /** Time to expiry in years (options). */
  expiryYears?: number;
  /** Underlying units per contract (default 1). */
  contractSize?: number;
  /** Add-on per contract as a fraction of the underlying price (short-option minimum / liquidity charge). */
  addonRate: number;
}

export interface MarketSnapshot {
  epoch: number;
  /** Collateral base units per quote unit (1e6 for a 6-decimal USD token). */
  unitsPerQuote: number;
  /** Annual risk-free rate used to discount option values (default 0). */
  rate?: number;
  underlyings: UnderlyingSnapshot[];
  instruments: InstrumentSpec[];
}

/** One row of the risk table: integer collateral base units per contract. */
export interface RiskRow {
  id: string;
  /** values[0] = mark value m_i, values[s] = value in stress scenario s (extremes pre-weighted). */
  values: bigint[];
  /** Add-on a_i >= 0 per contract. */
  addon: bigint;
  /**
   * True for a perp or future: settled to mark every epoch, so its mark value is 0 (docs/design.md §3's
   * valuation convention, proven by the epoch's RiskTable proof); false for an option.
   */
  linear: boolean;
}

export interface RiskTable {
  epoch: number;
  /** Number of stress scenarios S (rows carry S + 1 values). */
  scenarios: number;
  rows: RiskRow[];
}

/**
 * Rounds a value in base units to an integer, to nearest with ties away from zero, and checks
 * the 48-bit signed bound the circuits enforce.
 */
function toUnits(what: string, x: number): bigint {
  if (!Number.isFinite(x)) throw new RangeError(`${what} is not a finite number (${x})`);
  const r = BigInt(Math.sign(x) * Math.round(Math.abs(x)));
  checkRange(what, r, MIN_VALUE, MAX_VALUE);
  return r;
}

/** Perps and futures are linear: settled to mark every epoch, worth 0 at mark. */
export function isLinear(kind: InstrumentKind): boolean {
  return kind === "perp" || kind === "future";
}

/** Value in quote units of one contract of `spec` at a given underlying price and vol. */
function contractValue(spec: InstrumentSpec, price: number, vol: number, markPrice: number, rate: number): number {
  const size = spec.contractSize ?? 1;
  switch (spec.kind) {
    case "perp":
    case "future":
      // Settled to mark every epoch: worth 0 at mark, the price change in a scenario.
      return (price - markPrice) * size;
    case "call":
    case "put":
      return blackScholes(spec.kind, price, spec.strike as number, spec.expiryYears as number, Math.max(vol, 0.0001), rate) * size;
  }
}

function checkSnapshot(snapshot: MarketSnapshot): Map<string, UnderlyingSnapshot> {
  if (!Number.isInteger(snapshot.epoch) || snapshot.epoch < 0 || snapshot.epoch >= 2 ** 32) throw new RangeError(`epoch must be an integer in [0, 2^32), got ${snapshot.epoch}`);
  if (!(snapshot.unitsPerQuote > 0)) throw new RangeError(`unitsPerQuote must be positive, got ${snapshot.unitsPerQuote}`);
  const byName = new Map<string, UnderlyingSnapshot>();
  for (const u of snapshot.underlyings) {
    if (!(u.price > 0)) throw new RangeError(`underlying ${u.symbol}: price must be positive, got ${u.price}`);
    if (!(u.vol > 0)) throw new RangeError(`underlying ${u.symbol}: vol must be positive, got ${u.vol}`);
    if (!(u.priceScanRange > 0 && u.priceScanRange < 0.5)) throw new RangeError(`underlying ${u.symbol}: priceScanRange must be in (0, 0.5), got ${u.priceScanRange}`);
    if (!(u.volScanRange >= 0 && u.volScanRange < u.vol + 1)) throw new RangeError(`underlying ${u.symbol}: volScanRange must be >= 0, got ${u.volScanRange}`);
    if (byName.has(u.symbol)) throw new RangeError(`underlying ${u.symbol} is listed twice`);
    byName.set(u.symbol, u);
  }
  const ids = new Set<string>();
  for (const spec of snapshot.instruments) {
    if (ids.has(spec.id)) throw new RangeError(`instrument ${spec.id} is listed twice`);
    ids.add(spec.id);
    if (!byName.has(spec.underlying)) throw new RangeError(`instrument ${spec.id}: unknown underlying "${spec.underlying}"`);
    if (!["perp", "future", "call", "put"].includes(spec.kind)) throw new RangeError(`instrument ${spec.id}: kind must be perp, future, call or put, got "${spec.kind}"`);
    if (!(spec.addonRate >= 0 && spec.addonRate < 1)) throw new RangeError(`instrument ${spec.id}: addonRate must be in [0, 1), got ${spec.addonRate}`);
    if (spec.contractSize !== undefined && !(spec.contractSize > 0)) throw new RangeError(`instrument ${spec.id}: contractSize must be positive`);
    if (spec.kind === "call" || spec.kind === "put") {
      if (!(spec.strike !== undefined && spec.strike > 0)) throw new RangeError(`instrument ${spec.id}: an option needs a positive strike`);
      if (!(spec.expiryYears !== undefined && spec.expiryYears >= 0)) throw new RangeError(`instrument ${spec.id}: an option needs expiryYears >= 0`);
    }
  }
  return byName;
}

/**
 * The risk engine: turns a price/vol snapshot into the epoch's risk table. For each instrument
 * it computes its mark value and its value under each SPAN scenario (Black–Scholes for options,
 * linear for perps and futures, which are worth 0 at mark); an extreme scenario's value is
 * mark + 35% of its change. Values are converted to collateral base units and rounded to the
 * nearest integer (ties away from zero); every value must fit the circuits' 48-bit bound.
 */
export function computeRiskTable(snapshot: MarketSnapshot, scenarios: readonly Scenario[] = SPAN_SCENARIOS): RiskTable {
  const underlyings = checkSnapshot(snapshot);
  const rate = snapshot.rate ?? 0;
  const rows = snapshot.instruments.map((spec): RiskRow => {
    const u = underlyings.get(spec.underlying) as UnderlyingSnapshot;
    const units = snapshot.unitsPerQuote;
    const mark = contractValue(spec, u.price, u.vol, u.price, rate);
    const values = [toUnits(`${spec.id} mark value`, mark * units)];
    scenarios.forEach((sc, i) => {
      const price = u.price * (1 + sc.priceMove * u.priceScanRange);
      const vol = u.vol + sc.volMove * u.volScanRange;
      const value = mark + sc.weight * (contractValue(spec, price, vol, u.price, rate) - mark);
      values.push(toUnits(`${spec.id} value in scenario ${i + 1}`, value * units));
    });
    const addon = toUnits(`${spec.id} add-on`, spec.addonRate * u.price * (spec.contractSize ?? 1) * units);
    return { id: spec.id, values, addon, linear: isLinear(spec.kind) };
  });
  return { epoch: snapshot.epoch, scenarios: scenarios.length, rows };
}
