import assert from "node:assert/strict";
import { FIELD_MODULUS } from "../src/crypto/field.js";
import { poseidon } from "../src/crypto/poseidon.js";
import { releaseProverThreads } from "../src/proof/groth16Prover.js";
import { compileHarness, type Harness } from "./helpers/harness.js";
import { seededRandom } from "./helpers/seededRandom.js";
import { computeWitness, constraintsHold, signalIndex, tamper } from "./helpers/witness.js";

// circomlib's partial-round counts, by t - 2 (circomlib poseidon.circom).
const N_ROUNDS_P = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68];
const ARITIES = Array.from({ length: 16 }, (_, i) => i + 1);

/** The count --O2 leaves of circomlib's Poseidon(n): 3 per S-box, less the first S-box of lane 0 (its input is a constant). */
function circomlibCount(n: number): number {
  return 3 * (8 * (n + 1) + N_ROUNDS_P[n - 1]! - 1);
}

describe("PoseidonHash: circomlib's Poseidon with nothing left for --O2 to simplify", function () {
  let harness: Harness;
  let reference: Harness;

  before(async () => {
    // One hash of each arity 1..16 over a prefix of the same 16 inputs.
    harness = await compileHarness("poseidon_hash_harness", (lib) => `include "${lib}/poseidon_hash.circom";

template Harness() {
    signal input in[16];
    signal output out[16];
    component h[16];
    for (var n = 1; n <= 16; n++) {
        h[n - 1] = PoseidonHash(n);
        for (var i = 0; i < n; i++) h[n - 1].inputs[i] <== in[i];
        out[n - 1] <== h[n - 1].out;
    }
}

component main = Harness();`);
    // circomlib's own template, for the arities the circuits hash most (tree nodes, rows).
    reference = await compileHarness("poseidon_circomlib_harness", () => `include "poseidon.circom";

template Reference() {
    signal input a[2];
    signal input b[16];
    signal output out[2];
    out[0] <== Poseidon(2)(a);
    out[1] <== Poseidon(16)(b);
}

component main = Reference();`);
  });
  after(releaseProverThreads);

  const outputs = (w: readonly bigint[]): bigint[] => ARITIES.map((n) => w[signalIndex(harness, `main.out[${n - 1}]`)]!);

  it("has exactly the constraints --O2 leaves of circomlib's Poseidon, for every arity", () => {
    assert.equal(harness.constraints, ARITIES.reduce((s, n) => s + circomlibCount(n), 0));
    assert.equal(reference.constraints, circomlibCount(2) + circomlibCount(16));
  });

  it("hashes as poseidon-lite (the TypeScript model) for every arity, on random and edge inputs", async () => {
    const rand = seededRandom(0x9051d0);
    const randomField = (): bigint => {
      let x = 0n;
      for (let i = 0; i < 8; i++) x = (x << 32n) | BigInt(rand(2 ** 32));
      return x % FIELD_MODULUS;
    };
    const cases: bigint[][] = [
      Array(16).fill(0n),
      Array(16).fill(FIELD_MODULUS - 1n),
      ...Array.from({ length: 6 }, () => Array.from({ length: 16 }, randomField)),
    ];
    for (const input of cases) {
      const w = await computeWitness(harness, { in: input });
      assert.deepEqual(outputs(w), ARITIES.map((n) => poseidon(input.slice(0, n))));
      assert.equal(await constraintsHold(harness, w), true);
    }
  });

  it("equals circomlib's Poseidon template's output (2 and 16 inputs)", async () => {
    const a = [12345n, FIELD_MODULUS - 7n];
    const b = Array.from({ length: 16 }, (_, i) => BigInt(i) * 0x1234567890abcdefn);
    const ref = await computeWitness(reference, { a, b });
    const ours = outputs(await computeWitness(harness, { in: b }));
    assert.equal(ref[signalIndex(reference, "main.out[1]")], ours[15]);
    const pair = outputs(await computeWitness(harness, { in: [...a, ...Array(14).fill(0n)] }));
    assert.equal(ref[signalIndex(reference, "main.out[0]")], pair[1]);
  });

  it("refuses a witness with any S-box signal or the output changed", async () => {
    const input = Array.from({ length: 16 }, (_, i) => BigInt(i + 1));
    const w = await computeWitness(harness, { in: input });
    assert.equal(await constraintsHold(harness, w), true);
    // Per arity: x^2, x^4 and x^5 of a full-round S-box, of a partial-round one and of the one
    // before the last, x^2 and x^4 of the last (--O2 substitutes one last x^5 into the output's
    // linear constraint, as it does in circomlib's template), then the output.
    for (const n of [1, 2, 5, 16]) {
      const t = n + 1;
      const last = 8 * t + N_ROUNDS_P[n - 1]! - 1;
      for (const [k, sigs] of [[1, ["x2", "x4", "x5"]], [4 * t + 3, ["x2", "x4", "x5"]], [last - 1, ["x2", "x4", "x5"]], [last, ["x2", "x4"]]] as const) {
        for (const sig of sigs) {
          const name = `main.h[${n - 1}].${sig}[${k}]`;
          assert.equal(await constraintsHold(harness, tamper(harness, w, name)), false, `${name} changed`);
        }
      }
      assert.equal(await constraintsHold(harness, tamper(harness, w, `main.out[${n - 1}]`)), false, `output of ${n} changed`);
    }
  });
});
