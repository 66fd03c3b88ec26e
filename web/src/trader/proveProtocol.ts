import type { Groth16Proof } from "snarkjs";

/**
 * The messages between the trader's page and its prover worker (proveWorker.ts). The request
 * holds the circuit input — the account's secret among it — and never leaves the browser: the
 * worker fetches only the circuit's public wasm and zkey.
 */
export interface ProveRequest {
  /** Circuit input as decimal strings (snarkjs' form). */
  input: Record<string, unknown>;
  wasmUrl: string;
  zkeyUrl: string;
}

export type ProveMessage =
  | { type: "progress"; fraction: number; step: string }
  | { type: "done"; proof: Groth16Proof; publicSignals: string[]; timings: { downloadMs: number; witnessMs: number; proveMs: number } }
  | { type: "error"; message: string };
