import { SOLVENCY_PUBLIC_SIGNALS } from "../../build/circuitCatalog.js";
import type { CircuitInput } from "../../proof/groth16Prover.js";

type SignalName = (typeof SOLVENCY_PUBLIC_SIGNALS)[number];

/** Index of a solvency public signal, by name, in the circuit catalog's order. */
export function signalIndex(name: SignalName): number {
  return SOLVENCY_PUBLIC_SIGNALS.indexOf(name);
}

/** The public signals a batch's input must produce, read by name from the input (catalog order). */
export function expectedSignals(input: CircuitInput): string[] {
  return SOLVENCY_PUBLIC_SIGNALS.map((name) => {
    const v = input[name];
    if (v === undefined || Array.isArray(v)) throw new RangeError(`batch input has no scalar public signal "${name}"`);
    return v.toString();
  });
}

/**
 * The chaining of an epoch's batches, from their public signals read by name: batch k has
 * index k, only the last is marked last, each starts from the totals commitment the one
 * before it ended with, only the last carries the figures (stressTotal, markTotal: 0 on the
 * others), and every other public signal (epoch, roots) is the same in all batches. Returns the first problem, or undefined when the chain holds.
 */
export function chainProblem(signals: readonly (readonly string[])[]): string | undefined {
  if (signals.length === 0) return "no batches";
  const perBatch = new Set<string>(["batchIndex", "isLast", "prevTotalsCommitment", "totalsCommitment", "stressTotal", "markTotal"]);
  const at = (k: number, name: SignalName): string => signals[k][signalIndex(name)];
  for (let k = 0; k < signals.length; k++) {
    if (signals[k].length !== SOLVENCY_PUBLIC_SIGNALS.length) return `batch ${k} has ${signals[k].length} public signals, the circuit has ${SOLVENCY_PUBLIC_SIGNALS.length}`;
    if (at(k, "batchIndex") !== String(k)) return `batch at position ${k} has index ${at(k, "batchIndex")}`;
    if (at(k, "isLast") !== (k === signals.length - 1 ? "1" : "0")) return `batch ${k} has isLast = ${at(k, "isLast")}`;
    if (k < signals.length - 1 && (at(k, "stressTotal") !== "0" || at(k, "markTotal") !== "0")) return `batch ${k} is not the last but carries the figures (stressTotal, markTotal must be 0)`;
    if (k > 0 && at(k, "prevTotalsCommitment") !== at(k - 1, "totalsCommitment")) return `batch ${k} does not chain to batch ${k - 1} (running totals differ)`;
    for (const name of SOLVENCY_PUBLIC_SIGNALS) {
      if (!perBatch.has(name) && at(k, name) !== at(0, name)) return `batch ${k} has another ${name} than batch 0`;
    }
  }
  return undefined;
}
