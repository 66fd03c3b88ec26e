/**
 * Every multi-threaded BN254 curve engine ffjavascript builds in this process, so that all of them
 * can be stopped. ffjavascript caches one engine in `globalThis.curve_bn128` (snarkjs uses it), but
 * two callers that find the cache empty at the same moment (one circuit's r1cs read while another
 * circuit's keys are made) each build an engine and the later overwrites the cache: the earlier
 * one keeps its worker threads and the process never exits (a fresh `scripts/build.ts --set test`
 * hung after "build done"). Watching the cache slot records each engine as ffjavascript stores it.
 */
interface CurveEngine {
  terminate(): Promise<void>;
}

const engines = new Set<CurveEngine>();
let watching = false;

function record(engine: CurveEngine): void {
  if (engines.has(engine)) return;
  engines.add(engine);
  const stop = engine.terminate.bind(engine);
  let stopped: Promise<void> | undefined;
  // Idempotent: an engine stopped by its owner is not stopped again.
  engine.terminate = () => {
    engines.delete(engine);
    stopped ??= stop();
    return stopped;
  };
}

/** Starts recording every engine stored in ffjavascript's cache slot (once per process). */
export function watchCurveEngines(): void {
  if (watching) return;
  watching = true;
  const holder = globalThis as { curve_bn128?: CurveEngine | null };
  let current = holder.curve_bn128 ?? null;
  if (current) record(current);
  Object.defineProperty(globalThis, "curve_bn128", {
    configurable: true,
    enumerable: true,
    get: () => current,
    set: (engine: CurveEngine | null) => {
      current = engine;
      if (engine) record(engine);
    },
  });
}

/** Stops the worker threads of every engine recorded and not stopped yet (the cached one included). */
export async function stopCurveEngines(): Promise<void> {
  for (const engine of [...engines]) await engine.terminate();
}
