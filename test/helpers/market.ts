import type { MarketSnapshot } from "../../src/risk/riskEngine.js";

/** A small market on two underlyings: perps and options, 6-decimal collateral units. */
export function testSnapshot(epoch: number, ethPrice = 3000, btcPrice = 60000): MarketSnapshot {
  return {
    epoch,
    unitsPerQuote: 1_000_000,
    underlyings: [
      { symbol: "ETH", price: ethPrice, vol: 0.6, priceScanRange: 0.15, volScanRange: 0.1 },
      { symbol: "BTC", price: btcPrice, vol: 0.5, priceScanRange: 0.12, volScanRange: 0.08 },
    ],
    instruments: [
      { id: "ETH-PERP", underlying: "ETH", kind: "perp", addonRate: 0.005 },
      { id: "ETH-3000-C", underlying: "ETH", kind: "call", strike: 3000, expiryYears: 30 / 365, addonRate: 0.01 },
      { id: "BTC-PERP", underlying: "BTC", kind: "perp", addonRate: 0.005 },
      { id: "BTC-55000-P", underlying: "BTC", kind: "put", strike: 55000, expiryYears: 30 / 365, addonRate: 0.01 },
    ],
  };
}
