import assert from "node:assert/strict";
import { FIELD_MODULUS } from "../src/crypto/field.js";
import { batchChallenges, eventElement, eventsFingerprint } from "../src/protocol/transition/fingerprint.js";
import { EMPTY_LEDGER_CHAIN } from "../src/protocol/transition/ledgerChain.js";

describe("The events batch fingerprint, off-chain twin of the gate's (docs/design.md §13)", () => {
  const a = { kind: 1 as const, ref: 0n, id: 11n, amount: 100n };
  const b = { kind: 2 as const, ref: 0n, id: 22n, amount: 50n };
  const ch = batchChallenges(123n, EMPTY_LEDGER_CHAIN);

  it("draws challenges in the field that change with nextState and with the cursor", () => {
    for (const x of [ch.alpha, ch.beta]) assert.ok(x >= 0n && x < FIELD_MODULUS);
    assert.notDeepEqual(batchChallenges(124n, EMPTY_LEDGER_CHAIN), ch);
    assert.notDeepEqual(batchChallenges(123n, `0x${"11".repeat(32)}`), ch);
  });

  it("is a product over the multiset: order-free, 1 for no events, and moved by any change of kind, id or amount", () => {
    assert.equal(eventsFingerprint([], ch), 1n);
    assert.equal(eventsFingerprint([a, b], ch), eventsFingerprint([b, a], ch));
    const f = eventsFingerprint([a, b], ch);
    for (const other of [[a, a], [a], [a, b, b], [{ ...a, kind: 4 as const }, b], [{ ...a, id: 12n }, b], [{ ...a, amount: 101n }, b]]) {
      assert.notEqual(eventsFingerprint(other, ch), f);
    }
    assert.equal(eventElement(a, ch.beta), (11n + ch.beta * (1n + 8n * 100n)) % FIELD_MODULUS);
  });

  it("refuses a nextState outside the field and a malformed cursor", () => {
    assert.throws(() => batchChallenges(FIELD_MODULUS, EMPTY_LEDGER_CHAIN), /nextState is not a field element/);
    assert.throws(() => batchChallenges(1n, "0x"), /32 bytes of hex/);
  });
});
