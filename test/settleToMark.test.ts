import assert from "node:assert/strict";
import { newTraderAccount } from "../src/accounts/account.js";
import { settleToMark, variationMargin } from "../src/operator/settleToMark.js";
import { testSnapshot } from "./helpers/market.js";

// The operator's ledger step between epochs (docs/design.md §3 valuation convention): perps move their
// variation margin into collateral, options move no cash, every account gets a fresh salt.
// Test market rows: 0 ETH-PERP, 1 ETH-3000-C, 2 BTC-PERP, 3 BTC-55000-P.
describe("settleToMark (variation margin between epochs)", () => {
  const UNIT = 1_000_000n;
  const before = testSnapshot(1, 3000, 60_000);
  const after = testSnapshot(2, 3150.5, 58_000);

  it("credits longs and debits shorts by (new - old price) x quantity; options move no cash", () => {
    const account = newTraderAccount(10_000n * UNIT, [
      { instrument: 0, quantity: 2n }, { instrument: 2, quantity: -1n }, { instrument: 1, quantity: -4n }, { instrument: 3, quantity: 3n },
    ]);
    assert.equal(variationMargin(account, before, after), 2n * 150_500_000n + 2_000n * UNIT);
    const next = settleToMark(account, before, after);
    assert.equal(next.collateral, 10_000n * UNIT + 301n * UNIT + 2_000n * UNIT);
    assert.deepEqual(next.positions, account.positions);
    assert.equal(next.accountKey, account.accountKey);
    assert.notEqual(next.salt, account.salt, "a fresh salt every epoch");
  });

  it("refuses an account whose cash would go negative: it must be liquidated first", () => {
    const short = newTraderAccount(100n * UNIT, [{ instrument: 0, quantity: -1n }]);
    assert.throws(() => settleToMark(short, before, after), /collateral to -50500000: liquidate it first/);
  });

  it("refuses snapshots whose listings differ", () => {
    const other = { ...after, instruments: [...after.instruments].reverse() };
    assert.throws(() => variationMargin(newTraderAccount(0n, [{ instrument: 0, quantity: 1n }]), before, other), /not the same listing/);
  });
});
