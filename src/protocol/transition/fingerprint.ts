import { AbiCoder, keccak256 } from "ethers";
import { FIELD_MODULUS } from "../../crypto/field.js";
import type { ChainEvent } from "./ledgerChain.js";

/** The Fiat–Shamir challenges of one events batch. */
export interface BatchChallenges {
  alpha: bigint;
  beta: bigint;
}

const coder = AbiCoder.defaultAbiCoder();
const word = (types: string[], values: unknown[]): bigint => BigInt(keccak256(coder.encode(types, values)));

/**
 * The challenges the gate draws for an events batch (EpochTransitions._fingerprint): seed =
 * keccak256(nextState, cursor), alpha = keccak256(seed, 1) mod p, beta = keccak256(seed, 2) mod p.
 * `nextState` is the circuit's Poseidon commitment to the events it applied and `cursor` the
 * pool's chain replayed over the batch's calldata events, so both sides are fixed before the
 * challenges exist: a prover that changes an event changes nextState and draws new ones.
 */
export function batchChallenges(nextState: bigint, cursor: string): BatchChallenges {
  if (nextState < 0n || nextState >= FIELD_MODULUS) throw new RangeError("nextState is not a field element");
  if (!/^0x[0-9a-fA-F]{64}$/.test(cursor)) throw new RangeError(`a chain cursor is 32 bytes of hex, got "${cursor}"`);
  const seed = keccak256(coder.encode(["uint256", "bytes32"], [nextState, cursor]));
  return { alpha: word(["bytes32", "uint256"], [seed, 1n]) % FIELD_MODULUS, beta: word(["bytes32", "uint256"], [seed, 2n]) % FIELD_MODULUS };
}

/** An event as one field element under beta: id + beta * (kind + 8 * amount) (kinds 1..4 stay distinct). */
export function eventElement(event: ChainEvent, beta: bigint): bigint {
  const p = FIELD_MODULUS;
  const packed = (BigInt(event.kind) + 8n * (event.amount % p)) % p;
  return (event.id % p + beta * packed) % p;
}

/**
 * The multiset fingerprint of a batch's events: prod (alpha - eventElement(e, beta)) mod p, 1 for
 * none — what the gate computes from calldata and the events circuit from its witness. Two
 * different multisets are two different polynomials in (alpha, beta); they agree at the drawn
 * point with probability at most (number of events) / p.
 */
export function eventsFingerprint(events: readonly ChainEvent[], { alpha, beta }: BatchChallenges): bigint {
  const p = FIELD_MODULUS;
  return events.reduce((acc, e) => (acc * ((alpha - eventElement(e, beta) + p) % p)) % p, 1n);
}
