/**
 * A proof kind's public statement, defined once: the names of its public signals (in the
 * circuit's order, from the circuit catalog) and, per signal, how the value is typed, checked,
 * written to a JSON file and turned into the field element the circuit and the contract see.
 * From that one definition come statement → signals, signals → statement, the JSON codec of
 * the statement and the check that a proof's public signals are its statement's.
 * Browser-safe.
 */
import { getAddress, isAddress } from "ethers";
import { FIELD_MODULUS } from "../crypto/field.js";
import type { BigintRange, Fields } from "../io/json.js";

/** How one public signal's value is typed, checked and encoded. */
export interface SignalCodec<T> {
  /** The field element the circuit takes for the value. */
  toSignal(value: T): bigint;
  /** The value a field element stands for, or undefined when it is not one (out of range). */
  fromSignal(x: bigint): T | undefined;
  /** The value in a JSON file (bigints as decimal strings). */
  toJson(value: T): string | number | boolean;
  /** Reads and checks the value from a JSON file; the error names the file and the field. */
  read(f: Fields, name: string): T;
}

const EPOCH_MAX = 2 ** 32 - 1;

/** A uint32 (epoch, batch index): a JSON number. */
export const UINT32: SignalCodec<number> = {
  toSignal: (v) => BigInt(v),
  fromSignal: (x) => (x <= BigInt(EPOCH_MAX) ? Number(x) : undefined),
  toJson: (v) => v,
  read: (f, name) => f.int(name, 0, EPOCH_MAX),
};

/** An integer in a range (amounts, bounds, field elements): a decimal string. */
export function bigintIn(range: Required<BigintRange>): SignalCodec<bigint> {
  return {
    toSignal: (v) => v,
    fromSignal: (x) => (x >= range.min && x <= range.max ? x : undefined),
    toJson: (v) => v.toString(),
    read: (f, name) => f.bigint(name, range),
  };
}

/** Any field element (roots, nullifiers, commitments). */
export const FIELD_ELEMENT = bigintIn({ min: 0n, max: FIELD_MODULUS - 1n });

/** A 0/1 flag: true or false. */
export const FLAG: SignalCodec<boolean> = {
  toSignal: (v) => (v ? 1n : 0n),
  fromSignal: (x) => (x === 0n ? false : x === 1n ? true : undefined),
  toJson: (v) => v,
  read: (f, name) => f.bool(name),
};

/** An Ethereum address, checksummed; the circuit takes it as the 160-bit integer. */
export const ADDRESS: SignalCodec<string> = {
  toSignal: (v) => BigInt(v),
  fromSignal: (x) => (x < 1n << 160n ? getAddress(`0x${x.toString(16).padStart(40, "0")}`) : undefined),
  toJson: (v) => v,
  read: (f, name) => {
    const v = f.string(name, /^0x[0-9a-fA-F]{40}$/, "a 0x address");
    if (!isAddress(v)) f.fail(name, `is not a valid address (bad checksum?): ${v}`);
    return getAddress(v);
  },
};

type Codecs<N extends string> = { readonly [K in N]: SignalCodec<unknown> };
type ValueOf<C> = C extends SignalCodec<infer T> ? T : never;

/** The statement a definition describes: one typed field per public signal. */
export type StatementOf<D> = D extends StatementDefinition<infer S> ? S : never;

export interface StatementDefinition<S> {
  /** Public signal names, in the circuit's order. */
  readonly names: readonly (keyof S & string)[];
  /** The public signals (decimal strings) a proof of this statement has, in order. */
  signals(s: S): string[];
  /** The statement public signals stand for, or a string naming the first that is malformed. */
  fromSignals(signals: readonly string[]): S | string;
  /** The first public signal that is not the statement's, named, or undefined when all agree. */
  mismatch(s: S, signals: readonly string[]): string | undefined;
  /** The statement as a JSON object. */
  toJson(s: S): Record<string, string | number | boolean>;
  /** Reads and checks a statement from a JSON object. */
  read(f: Fields): S;
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

export function defineStatement<const N extends readonly string[], C extends Codecs<N[number]>>(
  names: N, codecs: C,
): StatementDefinition<{ [K in N[number]]: ValueOf<C[K]> }> {
  type S = { [K in N[number]]: ValueOf<C[K]> };
  const codec = (name: string): SignalCodec<unknown> => (codecs as Record<string, SignalCodec<unknown>>)[name];
  const signals = (s: S): string[] => names.map((n) => codec(n).toSignal((s as Record<string, unknown>)[n]).toString());
  return {
    names: names as readonly (keyof S & string)[],
    signals,
    fromSignals(given) {
      if (given.length !== names.length) return `${given.length} public signals, the statement has ${names.length}`;
      const out: Record<string, unknown> = {};
      for (const [i, n] of names.entries()) {
        const v = DECIMAL.test(given[i]) ? codec(n).fromSignal(BigInt(given[i])) : undefined;
        if (v === undefined) return `public signal ${n} = ${given[i]} is out of its range`;
        out[n] = v;
      }
      return out as S;
    },
    mismatch(s, given) {
      if (given.length !== names.length) return `${given.length} public signals, the statement has ${names.length}`;
      const expected = signals(s);
      const i = expected.findIndex((v, k) => v !== given[k]);
      return i >= 0 ? `public signal ${names[i]} differs from the statement's` : undefined;
    },
    toJson(s) {
      return Object.fromEntries(names.map((n) => [n, codec(n).toJson((s as Record<string, unknown>)[n])]));
    },
    read(f) {
      return Object.fromEntries(names.map((n) => [n, codec(n).read(f, n)])) as S;
    },
  };
}
