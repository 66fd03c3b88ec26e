import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type WitnessCalculator, WitnessCalculatorBuilder } from "circom_runtime";
import * as snarkjs from "snarkjs";
import type { CircuitArtifacts } from "../../src/artifacts/manifest.js";
import { FIELD_MODULUS } from "../../src/crypto/field.js";
import type { CircuitInput } from "../../src/proof/groth16Prover.js";

/** What the witness helpers read of a circuit: its compiled files (a catalog circuit's artifacts, or a test harness). */
export interface CircuitFiles {
  circuit: Pick<CircuitArtifacts["circuit"], "wasm" | "sym" | "r1cs">;
}

const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

type Signal = bigint | Signal[];

function toSignal(v: unknown): Signal {
  return Array.isArray(v) ? v.map(toSignal) : BigInt(v as bigint | number | string);
}

const calculators = new Map<string, Promise<WitnessCalculator>>();

/**
 * One compiled witness calculator per circuit wasm, reused by every call (circom's `init`
 * resets it for each witness, after a failed assert too). Compiling the module and allocating
 * its memory on every call, as `snarkjs.wtns.calculate` does, took most of the circuit tests'
 * time.
 */
function calculatorFor(wasm: string): Promise<WitnessCalculator> {
  let wc = calculators.get(wasm);
  if (!wc) {
    wc = WitnessCalculatorBuilder(readFileSync(wasm));
    calculators.set(wasm, wc);
  }
  return wc;
}

/** Full witness of an input, or the error when the circuit's own asserts reject it. */
export async function computeWitness(artifacts: CircuitFiles, input: CircuitInput): Promise<bigint[]> {
  const signals = Object.fromEntries(Object.entries(input).map(([k, v]) => [k, toSignal(v)]));
  const wc = await calculatorFor(artifacts.circuit.wasm);
  return wc.calculateWitness(signals, false);
}

/** True when the witness generator refuses the input (a constraint fails). The calculator's
 *  own "ERROR: ..." line for an expected refusal is kept out of the test log. */
export async function witnessRejected(artifacts: CircuitFiles, input: CircuitInput): Promise<boolean> {
  const consoleError = console.error;
  console.error = () => {};
  try {
    await computeWitness(artifacts, input);
    return false;
  } catch {
    return true;
  } finally {
    console.error = consoleError;
  }
}

const symCache = new Map<string, Map<string, number>>();

/**
 * Witness index of a signal by its full name (e.g. "main.accountKey"), or of the first kept
 * signal whose name matches a pattern (anonymous components carry line numbers in their
 * names); -1 if --O2 removed it.
 */
export function signalIndex(artifacts: CircuitFiles, name: string | RegExp): number {
  let map = symCache.get(artifacts.circuit.sym);
  if (!map) {
    map = new Map();
    for (const line of readFileSync(artifacts.circuit.sym, "utf8").split("\n")) {
      const [, varIdx, , signal] = line.split(",");
      if (signal) map.set(signal, Number(varIdx));
    }
    symCache.set(artifacts.circuit.sym, map);
  }
  if (name instanceof RegExp) {
    for (const [signal, idx] of map) if (idx >= 0 && name.test(signal)) return idx;
    throw new Error(`no kept signal matches ${name} in ${artifacts.circuit.sym}`);
  }
  const idx = map.get(name);
  if (idx === undefined) throw new Error(`no signal ${name} in ${artifacts.circuit.sym}`);
  return idx;
}

/** Serialises a witness in snarkjs' .wtns format (version 2). */
export function encodeWtns(witness: readonly bigint[]): Buffer {
  const n8 = 32;
  const header = Buffer.alloc(12);
  header.write("wtns", 0, "latin1");
  header.writeUInt32LE(2, 4);
  header.writeUInt32LE(2, 8);
  const le = (x: bigint): Buffer => Buffer.from(x.toString(16).padStart(64, "0"), "hex").reverse();
  const s1 = Buffer.alloc(12 + 4 + n8 + 4);
  s1.writeUInt32LE(1, 0);
  s1.writeBigUInt64LE(BigInt(4 + n8 + 4), 4);
  s1.writeUInt32LE(n8, 12);
  le(FIELD_MODULUS).copy(s1, 16);
  s1.writeUInt32LE(witness.length, 16 + n8);
  const s2h = Buffer.alloc(12);
  s2h.writeUInt32LE(2, 0);
  s2h.writeBigUInt64LE(BigInt(n8 * witness.length), 4);
  return Buffer.concat([header, s1, s2h, ...witness.map((w) => le(((w % FIELD_MODULUS) + FIELD_MODULUS) % FIELD_MODULUS))]);
}

/** True when every R1CS constraint holds for the witness (snarkjs `wtns check`). */
export async function constraintsHold(artifacts: CircuitFiles, witness: readonly bigint[]): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), "zkrs-wtns-"));
  try {
    const file = join(dir, "w.wtns");
    writeFileSync(file, encodeWtns(witness));
    return await snarkjs.wtns.check(artifacts.circuit.r1cs, file, silent);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A copy of the witness with one signal changed by `delta`. */
export function tamper(artifacts: CircuitFiles, witness: readonly bigint[], name: string | RegExp, delta = 1n): bigint[] {
  const idx = signalIndex(artifacts, name);
  if (idx < 0) throw new Error(`signal ${name} was optimised away; pick a kept signal`);
  const out = [...witness];
  out[idx] = (out[idx] + delta) % FIELD_MODULUS;
  return out;
}
