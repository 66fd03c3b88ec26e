import { releaseProverThreads } from "../src/proof/groth16Prover.js";

/**
 * Mocha root hooks: after the whole suite, stop every BN254 curve engine's worker threads and the
 * native prover process that any file left running, so mocha exits on its own ("exit": false).
 * Loaded first (.mocharc "require"), so the curve-engine watcher records every engine built.
 */
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await releaseProverThreads();
  },
};
