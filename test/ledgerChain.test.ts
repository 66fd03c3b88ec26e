import assert from "node:assert/strict";
import { AbiCoder, keccak256 } from "ethers";
import { EMPTY_LEDGER_CHAIN, kindWord, ledgerChain, ledgerChainStep } from "../src/protocol/transition/ledgerChain.js";

describe("The ledger event chain, off-chain twin of the pool's (docs/design.md §13)", () => {
  const deposit = { kind: 1 as const, ref: 3n, id: 77n, amount: 1_000n };
  const settlement = { kind: 2 as const, ref: 0n, id: 88n, amount: 500n };

  it("hashes abi.encode(chain, kind | ref << 8, id, amount) with keccak256", () => {
    const expected = keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "uint256", "uint256", "uint256"], [EMPTY_LEDGER_CHAIN, 1n + (3n << 8n), 77n, 1_000n]));
    assert.equal(ledgerChainStep(EMPTY_LEDGER_CHAIN, deposit), expected);
  });

  it("replays a returned deposit (kind 4) as the deposit it was, and chains in order", () => {
    assert.equal(ledgerChainStep(EMPTY_LEDGER_CHAIN, { ...deposit, kind: 4 }), ledgerChainStep(EMPTY_LEDGER_CHAIN, deposit));
    const both = ledgerChain(EMPTY_LEDGER_CHAIN, [deposit, settlement]);
    assert.equal(both, ledgerChainStep(ledgerChainStep(EMPTY_LEDGER_CHAIN, deposit), settlement));
    assert.notEqual(both, ledgerChain(EMPTY_LEDGER_CHAIN, [settlement, deposit]), "order matters");
  });

  it("refuses a bad kind, a deposit id on a settlement or liquidation, and a malformed chain value, naming what is wrong", () => {
    assert.throws(() => kindWord({ ...deposit, kind: 5 as 1 }), /kind must be 1, 2, 3 or 4, got 5/);
    assert.throws(() => kindWord({ ...settlement, ref: 1n }), /a kind 2 event carries no deposit id/);
    assert.throws(() => kindWord({ ...deposit, ref: 2n ** 64n }), /ref must be in \[0, 2\^64\)/);
    assert.throws(() => ledgerChainStep("0x12", deposit), /32 bytes of hex/);
    assert.throws(() => ledgerChainStep(EMPTY_LEDGER_CHAIN, { ...deposit, amount: -1n }), /amount must be a uint256/);
  });
});
