import assert from "node:assert/strict";
import { accountCommitment, newTraderAccount, nullifierOf, withFreshSalt } from "../src/accounts/account.js";
import { TEST_PARAMS } from "../src/protocol/circuitCatalog.js";
import { paddedBatchCount, planSolvencyBatches } from "../src/operator/solvencyBatches.js";
import { computeRiskTable } from "../src/risk/riskEngine.js";
import { testSnapshot } from "./helpers/market.js";

// docs/design.md §8, attacks not covered elsewhere. The others are tested where the rule lives:
//  1 sum-tree child swap ............ poolSolvency.test.ts "running totals that do not chain"
//  2 negative / wrapped values ...... marginCompliance + poolSolvency "out-of-range and field-wrapping"
//  5 netting with fake accounts ..... poolSolvency.test.ts "a negative-equity account adds 0"
//  7 omitted / altered accounts ..... poolSolvency "omitted, altered or moved", marginCompliance "not in accountsRoot",
//                                     riskSharingPool/cli audit with an account file
//  8 verifier misuse ................ riskSharingPool.test.ts (field modulus, bound, roots, recipient/amount)
// and the liquidation side (docs/design.md §9): a healthy account cannot be liquidated, forged penalty /
// deficit / tag, wrapped values .... liquidation.test.ts; a margin proof passed off as a
// liquidation, reused tags ......... waterfall.test.ts
describe("known attacks on solvency systems (docs/design.md §8)", () => {
  const P = TEST_PARAMS.positions;

  it("3: no packing — instrument and quantity are hashed as separate elements, so value cannot move between them", () => {
    const key = 42n;
    const a = { accountKey: key, collateral: 100n, salt: 7n, positions: [{ instrument: 1, quantity: 2n }] };
    const b = { ...a, positions: [{ instrument: 2, quantity: 1n }] };
    const c = { ...a, positions: [{ instrument: 0, quantity: 2n * 4n + 1n }] }; // what "idx + 4*q" packing would collide with
    assert.equal(new Set([a, b, c].map((x) => accountCommitment(x, P))).size, 3);
  });

  it("4: duplicate leaves — two accounts with identical balances get distinct leaves, and one key cannot own two leaves", () => {
    const x = newTraderAccount(1_000n, [{ instrument: 0, quantity: 1n }]);
    const y = newTraderAccount(1_000n, [{ instrument: 0, quantity: 1n }]);
    assert.notEqual(accountCommitment(x, P), accountCommitment(y, P));
    const table = computeRiskTable(testSnapshot(1));
    assert.throws(() => planSolvencyBatches([x, { ...x, salt: 1n }], table, 1, TEST_PARAMS), /account 1: accountKey is used by another account/);
  });

  it("6: linkability — a fresh salt every epoch gives an unchanged account a new leaf; batch counts are padded", () => {
    const x = newTraderAccount(5_000n, [{ instrument: 2, quantity: -1n }]);
    const next = withFreshSalt(x);
    assert.deepEqual({ ...next, salt: x.salt }, x);
    assert.notEqual(accountCommitment(next, P), accountCommitment(x, P));
    assert.deepEqual([1, 4, 5, 16, 17, 33].map((n) => paddedBatchCount(n, 4)), [1, 1, 2, 4, 8, 16]);
  });

  it("6: linkability — a liquidation tag is the epoch's nullifier: the same account gets unrelated tags in other epochs", () => {
    const x = newTraderAccount(5_000n);
    const tags = [1, 2, 3].map((e) => nullifierOf(x.accountKey, e));
    assert.equal(new Set(tags).size, 3);
    assert.notEqual(nullifierOf(newTraderAccount(5_000n).accountKey, 1), tags[0]);
  });
});
