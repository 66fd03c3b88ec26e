import { AbiCoder, keccak256 } from "ethers";

/**
 * One ledger event as the pool records it and the gate replays it (docs/design.md §13):
 *   kind 1  deposit      id = the note Poseidon(accountKey, nonce), amount = tokens received,
 *                        ref = the pool's deposit id;
 *   kind 2  settlement   id = the margin proof's nullifier, amount = its amount, ref = 0;
 *   kind 3  liquidation  id = the proof's tag, amount = its penalty, ref = 0;
 *   kind 4  (calldata only) a recorded deposit the transition returns to its depositor instead
 *           of crediting it: replayed as the deposit it was (kind 1, same ref).
 */
export interface ChainEvent {
  kind: 1 | 2 | 3 | 4;
  ref: bigint;
  id: bigint;
  amount: bigint;
}

/** The pool's chain before its first event (bytes32 zero). */
export const EMPTY_LEDGER_CHAIN = `0x${"00".repeat(32)}`;

const coder = AbiCoder.defaultAbiCoder();

/** The word the pool hashes for an event's kind: kind | ref << 8 (a returned deposit is the deposit it was). */
export function kindWord(event: ChainEvent): bigint {
  if (![1, 2, 3, 4].includes(event.kind)) throw new RangeError(`ledger event kind must be 1, 2, 3 or 4, got ${event.kind}`);
  if (event.ref < 0n || event.ref >= 2n ** 64n) throw new RangeError(`ledger event ref must be in [0, 2^64), got ${event.ref}`);
  if ((event.kind === 2 || event.kind === 3) && event.ref !== 0n) throw new RangeError(`a kind ${event.kind} event carries no deposit id (ref ${event.ref})`);
  return BigInt(event.kind === 4 ? 1 : event.kind) | (event.ref << 8n);
}

/**
 * One step of the pool's ledger chain: keccak256(abi.encode(chain, kindWord, id, amount)), as
 * RiskSharingPool._recordEvent and EpochTransitions._replay compute it. Keccak, not Poseidon: a
 * few hundred gas per settlement; the events circuit is bound to the same events by the gate's
 * Fiat–Shamir fingerprint instead of recomputing this chain.
 */
export function ledgerChainStep(chain: string, event: ChainEvent): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(chain)) throw new RangeError(`a ledger chain value is 32 bytes of hex, got "${chain}"`);
  for (const [what, v] of [["id", event.id], ["amount", event.amount]] as const) {
    if (v < 0n || v >= 2n ** 256n) throw new RangeError(`ledger event ${what} must be a uint256, got ${v}`);
  }
  return keccak256(coder.encode(["bytes32", "uint256", "uint256", "uint256"], [chain, kindWord(event), event.id, event.amount]));
}

/** The chain after `events`, in order, from `start`. */
export function ledgerChain(start: string, events: readonly ChainEvent[]): string {
  return events.reduce(ledgerChainStep, start);
}
