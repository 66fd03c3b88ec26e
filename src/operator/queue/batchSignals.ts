import { SOLVENCY_PUBLIC_SIGNALS } from "../../protocol/circuitCatalog.js";
import type { CircuitInput } from "../../proof/groth16Prover.js";

/** The public signals a batch's input must produce, read by name from the input (catalog order). */
export function expectedSignals(input: CircuitInput): string[] {
  return SOLVENCY_PUBLIC_SIGNALS.map((name) => {
    const v = input[name];
    if (v === undefined || Array.isArray(v)) throw new RangeError(`batch input has no scalar public signal "${name}"`);
    return v.toString();
  });
}
