import { UnrecoverableError } from "bullmq";
import { SOLVENCY_PUBLIC_SIGNALS } from "../../protocol/circuitCatalog.js";
import { loadCircuitArtifacts } from "../../artifacts/manifest.js";
import { proveCircuit } from "../../proof/groth16Prover.js";
import { printable } from "../../io/printable.js";
import { expectedSignals } from "./batchSignals.js";
import { decodeCircuitInput, inputHash, type JsonCircuitInput, type SolvencyJobData, type SolvencyJobResult, solvencyJobId } from "./solvencyJob.js";

/** A job that can never succeed, whoever proves it: BullMQ fails it at once with this reason. */
function refuse(reason: string): never {
  throw new UnrecoverableError(reason);
}

/** The job's payload checked field by field (it comes from Redis); errors name the field, never a value. */
export function readSolvencyJob(data: unknown): SolvencyJobData {
  if (typeof data !== "object" || data === null) refuse("job data is not an object");
  const d = data as Partial<SolvencyJobData>;
  if (d.version !== 1) refuse(`job payload version ${printable(String(d.version), 20)} is not understood by this worker (expects 1)`);
  const int = (name: "epoch" | "batchIndex" | "batchCount"): number => {
    const v = d[name];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) refuse(`job field ${name} is not a non-negative integer`);
    return v;
  };
  const text = (name: "circuit" | "zkeySha256" | "inputHash", pattern: RegExp, what: string): string => {
    const v = d[name];
    if (typeof v !== "string" || !pattern.test(v)) refuse(`job field ${name} is not ${what}`);
    return v;
  };
  const SHA256 = /^[0-9a-f]{64}$/;
  if (typeof d.input !== "object" || d.input === null || Array.isArray(d.input)) refuse("job field input is not an object");
  return {
    version: 1, epoch: int("epoch"), batchIndex: int("batchIndex"), batchCount: int("batchCount"),
    circuit: text("circuit", /^[A-Za-z0-9_]{1,64}$/, "a circuit name"), zkeySha256: text("zkeySha256", SHA256, "a sha256 (64 hex digits)"),
    inputHash: text("inputHash", SHA256, "a sha256 (64 hex digits)"), input: d.input as JsonCircuitInput,
  };
}

/**
 * What a worker does with one job: check the payload is what its id says (input hash) and that
 * this machine has the same keys as the operator, prove the batch, and check the proof's public
 * signals are the input's, read by name. A bad witness (a constraint fails) or a malformed job
 * is refused with UnrecoverableError — it fails once with that reason instead of being retried;
 * anything else is an ordinary error that BullMQ retries.
 */
export async function proveSolvencyJob(jobId: string | undefined, data: unknown, worker: string): Promise<SolvencyJobResult> {
  const job = readSolvencyJob(data);
  if (inputHash(job.input) !== job.inputHash) refuse("job input does not match its inputHash (altered in the queue?)");
  if (jobId !== solvencyJobId(job.epoch, job.batchIndex, job.inputHash)) refuse(`job id ${printable(String(jobId), 80)} is not the one its epoch, batch index and input hash give`);
  let artifacts;
  try {
    artifacts = loadCircuitArtifacts(job.circuit);
  } catch (err) {
    refuse(`worker ${worker}: ${(err as Error).message}`);
  }
  if (artifacts.instance.kind !== "solvency") refuse(`circuit ${job.circuit} is not a solvency circuit`);
  if (artifacts.keys.zkeySha256 !== job.zkeySha256) {
    refuse(`worker ${worker} has other keys for ${job.circuit} (zkey sha256 ${artifacts.keys.zkeySha256.slice(0, 12)}…, the operator's is ${job.zkeySha256.slice(0, 12)}…): rebuild or copy build/ from the operator`);
  }
  let input;
  try {
    input = decodeCircuitInput(job.input);
  } catch (err) {
    refuse((err as Error).message);
  }
  let proven;
  try {
    proven = await proveCircuit(artifacts, input);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/witness violates a circuit constraint/.test(message)) refuse(`batch ${job.batchIndex}: ${message}`);
    throw err;
  }
  const expected = expectedSignals(input);
  const differs = expected.findIndex((v, i) => v !== proven.publicSignals[i]);
  if (differs >= 0 || proven.publicSignals.length !== expected.length) {
    refuse(`batch ${job.batchIndex}: the proof's public signal ${SOLVENCY_PUBLIC_SIGNALS[differs] ?? "count"} differs from the input (circuit and catalog out of step?)`);
  }
  return { publicSignals: proven.publicSignals, proof: proven.proof, timings: proven.timings, worker };
}
