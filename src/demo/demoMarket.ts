import { type AccountOpening, newTraderAccount, type Position, type TraderAccount } from "../accounts/account.js";
import type { InstrumentSpec, MarketSnapshot } from "../risk/riskEngine.js";

/**
 * A small market for the test circuits (4 instrument slots): perps and options on ETH and BTC,
 * 6-decimal collateral units. Used by the tests, the gas report and `zkrs risk example`.
 */
export function smallSnapshot(epoch: number, ethPrice = 3000, btcPrice = 60000): MarketSnapshot {
  return {
    epoch,
    unitsPerQuote: 1_000_000,
    underlyings: demoUnderlyings(ethPrice, btcPrice, 0.6, 0.5),
    instruments: [
      { id: "ETH-PERP", underlying: "ETH", kind: "perp", addonRate: 0.005 },
      { id: "ETH-3000-C", underlying: "ETH", kind: "call", strike: 3000, expiryYears: 30 / 365, addonRate: 0.01 },
      { id: "BTC-PERP", underlying: "BTC", kind: "perp", addonRate: 0.005 },
      { id: "BTC-55000-P", underlying: "BTC", kind: "put", strike: 55000, expiryYears: 30 / 365, addonRate: 0.01 },
    ],
  };
}

function demoUnderlyings(ethPrice: number, btcPrice: number, ethVol: number, btcVol: number): MarketSnapshot["underlyings"] {
  return [
    { symbol: "ETH", price: ethPrice, vol: ethVol, priceScanRange: 0.15, volScanRange: 0.1 },
    { symbol: "BTC", price: btcPrice, vol: btcVol, priceScanRange: 0.12, volScanRange: 0.08 },
  ];
}

/**
 * The demo and benchmark market: ETH and BTC, each with a perpetual, a quarterly future and
 * calls and puts at seven strikes (32 listed instruments), priced in a 6-decimal USD token.
 */
export function demoSnapshot(epoch: number, ethPrice = 3000, btcPrice = 60000): MarketSnapshot {
  const instruments: InstrumentSpec[] = [];
  for (const [symbol, atm, step] of [["ETH", 3000, 250], ["BTC", 60000, 5000]] as const) {
    instruments.push({ id: `${symbol}-PERP`, underlying: symbol, kind: "perp", addonRate: 0.005 });
    instruments.push({ id: `${symbol}-FUT-Q`, underlying: symbol, kind: "future", addonRate: 0.004 });
    for (let k = -3; k <= 3; k++) {
      const strike = atm + k * step;
      instruments.push({ id: `${symbol}-${strike}-C`, underlying: symbol, kind: "call", strike, expiryYears: 30 / 365, addonRate: 0.01 });
      instruments.push({ id: `${symbol}-${strike}-P`, underlying: symbol, kind: "put", strike, expiryYears: 30 / 365, addonRate: 0.01 });
    }
  }
  return {
    epoch,
    unitsPerQuote: 1_000_000,
    underlyings: demoUnderlyings(ethPrice, btcPrice, 0.65, 0.55),
    instruments,
  };
}

/** Index of an instrument id in the demo snapshot. */
export function instrumentIndex(snapshot: MarketSnapshot, id: string): number {
  const i = snapshot.instruments.findIndex((s) => s.id === id);
  if (i < 0) throw new Error(`no instrument ${id}`);
  return i;
}

/**
 * A deterministic pseudo-random pool of `n` well-collateralised accounts with up to `slots`
 * positions each over `instruments` instruments (for benchmarks: realistic, not adversarial).
 */
export function syntheticAccounts(n: number, slots: number, instruments: number, seed = 1): AccountOpening[] {
  let s = seed;
  const rand = (m: number): number => { s = (s * 1103515245 + 12345) % 2 ** 31; return s % m; };
  return Array.from({ length: n }, (): TraderAccount => {
    const positions: Position[] = Array.from({ length: 1 + rand(slots) }, () => ({ instrument: rand(instruments), quantity: BigInt(rand(21) - 10) }));
    return newTraderAccount(BigInt(200_000 + rand(2_000_000)) * 1_000_000n, positions);
  });
}
