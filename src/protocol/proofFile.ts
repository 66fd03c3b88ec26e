/**
 * The parts every proof file shares: the Groth16 points, the timings, the zkey fingerprint, and
 * a proof of one statement (margin, liquidation, and any kind made the same way) as a file.
 * Browser-safe.
 */
import type { Groth16Proof } from "snarkjs";
import { type FileKind, Fields, FORMATS } from "../io/json.js";
import { type SolidityProof, toSolidityProof } from "./solidityProof.js";
import type { StatementDefinition } from "./statement.js";

export interface ProofTimings {
  witnessMs: number;
  proveMs: number;
}

/** A Groth16 proof of a circuit, with its public signals and the points packed for Solidity. */
export interface ProvenStatement {
  circuit: string;
  proof: Groth16Proof;
  /** Public signals as decimal strings, in the circuit's public-input order. */
  publicSignals: string[];
  solidity: SolidityProof;
  timings: ProofTimings;
}

/** A proof of one statement, as a proof file holds it. */
export interface StatementProof<S> extends ProvenStatement {
  statement: S;
}

const NUMERIC = /^(0|[1-9][0-9]*)$/;

export function readGroth16(f: Fields): Groth16Proof {
  const pair = (g: Fields, field: string, n: number): string[] => g.strings(field, n, NUMERIC, "a decimal string");
  const piB = f.array("pi_b", 3).map((row, i) => {
    if (!Array.isArray(row) || row.length !== 2 || row.some((x) => typeof x !== "string" || !NUMERIC.test(x))) f.failWith(`${f.name("pi_b")}[${i}] must be two decimal strings`);
    return row as string[];
  });
  return { pi_a: pair(f, "pi_a", 3), pi_b: piB, pi_c: pair(f, "pi_c", 3), protocol: f.string("protocol", /^groth16$/, '"groth16"'), curve: f.string("curve", /^bn128$/, '"bn128"') };
}

export function readPublicSignals(f: Fields, n: number): string[] {
  return f.strings("publicSignals", n, NUMERIC, "a decimal string");
}

export function readTimings(f: Fields): ProofTimings {
  if (!f.has("timings")) return { witnessMs: 0, proveMs: 0 };
  const t = f.object("timings");
  return { witnessMs: t.number("witnessMs"), proveMs: t.number("proveMs") };
}

/** The proof, its signals and its points, read from one object of a proof file. */
export function readProven(f: Fields, circuit: string, signals: number): ProvenStatement {
  const proof = readGroth16(f.object("proof"));
  return { circuit, proof, publicSignals: readPublicSignals(f, signals), solidity: toSolidityProof(proof), timings: readTimings(f) };
}

/** sha256 of the zkey a proof was made with, when recorded (tells "keys were regenerated" apart from tampering). */
export function proofKeys(data: unknown): string | undefined {
  const k = (data as Record<string, unknown>).zkeySha256;
  return typeof k === "string" ? k : undefined;
}

/** The file codec of a proof of one statement: `{ format, circuit, zkeySha256, statement, publicSignals, proof, timings }`. */
export interface StatementProofCodec<S> {
  encode(p: Omit<StatementProof<S>, "solidity">, zkeySha256?: string): Record<string, unknown>;
  decode(file: string, data: unknown): StatementProof<S>;
}

export function statementProofCodec<S>(format: FileKind, statement: StatementDefinition<S>): StatementProofCodec<S> {
  return {
    encode: (p, zkeySha256) => ({
      format: FORMATS[format], circuit: p.circuit, zkeySha256, statement: statement.toJson(p.statement),
      publicSignals: p.publicSignals, proof: p.proof, timings: p.timings,
    }),
    decode(file, data) {
      const f = new Fields(file, data);
      const s = statement.read(f.object("statement"));
      return { ...readProven(f, f.string("circuit"), statement.names.length), statement: s };
    },
  };
}
