import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { type WitnessCalculator, WitnessCalculatorBuilder } from "circom_runtime";

/**
 * circom's WebAssembly witness generators, each compiled and instantiated once per process and
 * reused (snarkjs' `wtns.calculate` reads, compiles and instantiates the module on every call:
 * 100–250 ms of CPU for a reference circuit, and the module then never runs tiered-up code).
 * Same witness bytes as `wtns.calculate` (its own calculateWTNSBin). Calls on one generator run
 * one at a time (it has a single state that `init` resets); after a failed computation the
 * instance is dropped and the next call instantiates a fresh one. Reloaded when the file changes.
 */
interface Entry {
  size: number;
  mtimeMs: number;
  calculator: Promise<WitnessCalculator>;
  queue: Promise<unknown>;
}

const entries = new Map<string, Entry>();

function entryFor(wasmPath: string): Entry {
  const path = resolve(wasmPath);
  const st = statSync(path);
  const known = entries.get(path);
  if (known && known.size === st.size && known.mtimeMs === st.mtimeMs) return known;
  const calculator = WitnessCalculatorBuilder(readFileSync(path));
  calculator.catch(() => entries.delete(path));
  const entry: Entry = { size: st.size, mtimeMs: st.mtimeMs, calculator, queue: known?.queue ?? Promise.resolve() };
  entries.set(path, entry);
  return entry;
}

/** The .wtns bytes of `input` (decimal strings, nested arrays) for the circuit whose witness generator is `wasmPath`. */
export function calculateWitness(wasmPath: string, input: Record<string, unknown>): Promise<Uint8Array> {
  const entry = entryFor(wasmPath);
  const run = entry.queue.then(async () => {
    const calculator = await entry.calculator;
    try {
      return await calculator.calculateWTNSBin(input, 0);
    } catch (err) {
      // a computation that threw may have left the instance mid-state: start the next one afresh
      const path = resolve(wasmPath);
      if (entries.get(path) === entry) entries.delete(path);
      throw err;
    }
  });
  entry.queue = run.catch(() => undefined);
  return run;
}

/** Forgets every cached witness generator (their memory is freed once unreferenced). */
export function dropWitnessCalculators(): void {
  entries.clear();
}
