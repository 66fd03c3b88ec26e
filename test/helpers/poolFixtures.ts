import assert from "node:assert/strict";
import type { Provider, Signer } from "ethers";
import { deployPoseidon2 } from "../../src/chain/poseidonContract.js";
import { deployArtifact, type ErrorArg, PoolError, type PoolDeployment, type RiskSharingPoolClient, TEST_CIRCUITS, verifierArtifact } from "../../src/chain/riskSharingPool.js";

/** The test circuits' verifiers and a Poseidon(2) contract, deployed once per file and shared by its pools. */
export type TestVerifiers = Pick<PoolDeployment, "marginVerifier" | "solvencyVerifier" | "liquidationVerifier" | "riskTableVerifier" | "exitVerifier" | "poseidon2">;

export async function deployTestVerifiers(admin: Signer): Promise<TestVerifiers> {
  const of = async (circuit: string): Promise<string> => (await deployArtifact(verifierArtifact(circuit), admin)).address;
  return {
    marginVerifier: await of(TEST_CIRCUITS.margin),
    solvencyVerifier: await of(TEST_CIRCUITS.solvency),
    liquidationVerifier: await of(TEST_CIRCUITS.liquidation),
    riskTableVerifier: await of(TEST_CIRCUITS.riskTable),
    exitVerifier: await of(TEST_CIRCUITS.exit),
    poseidon2: (await deployPoseidon2(admin)).address,
  };
}

/**
 * `refused(pool, call, errorName, args)`: the call is refused with exactly `errorName` (and these
 * args), and neither the pool's state nor the chain changed.
 */
export function refusedOn(provider: () => Provider) {
  return async function refused(p: RiskSharingPoolClient, call: () => Promise<unknown>, errorName: string, args: Record<string, ErrorArg> = {}): Promise<void> {
    const snapshot = async (): Promise<string> =>
      JSON.stringify({ state: await p.state(), block: await provider().getBlockNumber() }, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    const before = await snapshot();
    await assert.rejects(call(), (err: unknown) => {
      assert.ok(err instanceof PoolError, `expected a PoolError, got ${String(err)}`);
      assert.equal(err.errorName, errorName, err.message);
      for (const [k, v] of Object.entries(args)) assert.equal(err.args[k], v, `${errorName}.${k}`);
      return true;
    });
    assert.equal(await snapshot(), before, "a refused call changed state");
  };
}
