/**
 * One solvency batch as a queue job. The payload is the batch's circuit input exactly as
 * `planSolvencyBatches` laid it out — treated as opaque JSON (decimal strings, nested arrays) —
 * plus what identifies it: epoch, batch index and the sha256 of the input's canonical JSON.
 * Those three make the BullMQ job id, so enqueueing the same batch twice yields one job and
 * one answer, while a re-planned batch (new blindings) is a different job.
 *
 * PRIVATE: `input` holds account openings (collateral, positions, salts). Never log it.
 */
import { createHash } from "node:crypto";
import type { Groth16Proof } from "snarkjs";
import type { CircuitInput } from "../../proof/groth16Prover.js";

/** The queue every operator and worker of a deployment shares (override with --queue-name). */
export const DEFAULT_QUEUE_NAME = "zkrs-solvency";
/** A queue name both sides can use as a Redis key part. */
export function checkQueueName(queueName: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(queueName)) throw new RangeError(`queue name must be letters, digits, "_", "." or "-", got "${queueName}"`);
  return queueName;
}

/** BullMQ job name of a solvency batch. */
export const SOLVENCY_JOB_NAME = "solvency-batch";

/** A circuit input as JSON: every number a decimal string. */
export type JsonInputValue = string | JsonInputValue[];
export type JsonCircuitInput = Record<string, JsonInputValue>;

export interface SolvencyJobData {
  /** Payload version, so an old worker refuses a job it does not understand. */
  version: 1;
  epoch: number;
  batchIndex: number;
  /** Batches in the epoch (progress only). */
  batchCount: number;
  /** Circuit instance name in the catalog / build manifest. */
  circuit: string;
  /** sha256 of the zkey the collector verifies against: a worker with other keys refuses the job. */
  zkeySha256: string;
  /** sha256 (hex) of canonicalJson(input). */
  inputHash: string;
  /** PRIVATE circuit input of the batch. */
  input: JsonCircuitInput;
}

/** What a worker hands back for a job (stored by BullMQ as the job's return value). */
export interface SolvencyJobResult {
  publicSignals: string[];
  proof: Groth16Proof;
  timings: { witnessMs: number; proveMs: number };
  /** Name of the worker that proved it. */
  worker: string;
}

function toJsonValue(value: CircuitInput[string], field: string): JsonInputValue {
  if (Array.isArray(value)) return (value as CircuitInput[string][]).map((v) => toJsonValue(v, field));
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new RangeError(`circuit input ${field} holds ${value}, not a safe integer`);
    return value.toString();
  }
  if (typeof value === "string" && /^-?(0|[1-9][0-9]*)$/.test(value)) return value;
  throw new RangeError(`circuit input ${field} holds ${typeof value === "string" ? `"${value}"` : typeof value}, not an integer`);
}

/** A circuit input in JSON form (bigints and numbers as decimal strings), field by field. */
export function encodeCircuitInput(input: CircuitInput): JsonCircuitInput {
  return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, toJsonValue(v, k)]));
}

type BigintTree = bigint | BigintTree[];

function toBigints(value: unknown, field: string): BigintTree {
  if (Array.isArray(value)) return value.map((v) => toBigints(v, field));
  if (typeof value === "string" && /^-?(0|[1-9][0-9]*)$/.test(value)) return BigInt(value);
  throw new RangeError(`job input ${field}: expected decimal strings or arrays of them`);
}

/** Back from JSON to a circuit input (decimal strings to bigints), refusing anything else. */
export function decodeCircuitInput(input: unknown): CircuitInput {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new RangeError("job input must be an object of circuit signals");
  return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, toBigints(v, k) as CircuitInput[string]]));
}

/** JSON with object keys sorted at every level: one text per value, whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function inputHash(input: JsonCircuitInput): string {
  return createHash("sha256").update(canonicalJson(input)).digest("hex");
}

/** The BullMQ job id: epoch, batch index and input hash (no ":" — BullMQ reserves it). */
export function solvencyJobId(epoch: number, batchIndex: number, hash: string): string {
  return `e${epoch}-b${batchIndex}-${hash}`;
}
