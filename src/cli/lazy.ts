/**
 * The prover modules load snarkjs (slow to import, and it starts worker threads), so commands
 * import them on demand through here, and main releases the threads only when they were loaded.
 */
let loaded = false;

export async function proverModules(): Promise<{
  prover: typeof import("../proof/groth16Prover.js");
  margin: typeof import("../trader/proveMargin.js");
  verifyMargin: typeof import("../trader/verifyMargin.js");
  solvency: typeof import("../operator/proveSolvency.js");
  verifySolvency: typeof import("../operator/verifySolvency.js");
  liquidation: typeof import("../operator/proveLiquidation.js");
  verifyLiquidation: typeof import("../operator/verifyLiquidation.js");
  exit: typeof import("../trader/proveExit.js");
}> {
  loaded = true;
  const [prover, margin, verifyMargin, solvency, verifySolvency, liquidation, verifyLiquidation, exit] = await Promise.all([
    import("../proof/groth16Prover.js"),
    import("../trader/proveMargin.js"),
    import("../trader/verifyMargin.js"),
    import("../operator/proveSolvency.js"),
    import("../operator/verifySolvency.js"),
    import("../operator/proveLiquidation.js"),
    import("../operator/verifyLiquidation.js"),
    import("../trader/proveExit.js"),
  ]);
  return { prover, margin, verifyMargin, solvency, verifySolvency, liquidation, verifyLiquidation, exit };
}

export function markProverLoaded(): void {
  loaded = true;
}

/** Ends snarkjs' worker threads (else the process never exits). */
export async function releaseProver(): Promise<void> {
  if (!loaded) return;
  const { releaseProverThreads } = await import("../proof/groth16Prover.js");
  await releaseProverThreads();
}
