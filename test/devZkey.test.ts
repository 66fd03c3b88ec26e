import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import * as snarkjs from "snarkjs";
import { generateDevPtau } from "../src/setup/devPtau.js";
import { generateDevZkey } from "../src/setup/devZkey.js";

const execFileAsync = promisify(execFile);
const require = createRequire(import.meta.url);

// Two public inputs, a public output, constraints in A, B and C with coefficients other than 1.
const CIRCUIT = `pragma circom 2.0.0;
template DevZkeyTiny(N) {
    signal input a;
    signal input b;
    signal input k;
    signal output c;
    signal x[N + 1];
    x[0] <== a * b;
    for (var i = 0; i < N; i++) x[i + 1] <== (x[i] + 3 * a) * (b - 2 * k) + 5;
    c <== x[N] * 7;
}
component main {public [a, b]} = DevZkeyTiny(40);
`;

const SEED = "devZkey unit test";
const BEACON = { hashHex: "5a".repeat(32), numIterationsExp: 10, name: "devZkey test beacon" };

describe("generateDevZkey (dev keys straight from known toxic waste)", function () {
  let dir: string;
  let r1cs: string;
  let wasm: string;
  let ptau: string;
  let domainPower: number;

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), "devzkey-test-"));
    const circom = join(dirname(require.resolve("circom2/package.json")), "cli.js");
    await writeFile(join(dir, "tiny.circom"), CIRCUIT);
    await execFileAsync(process.execPath, [circom, join(dir, "tiny.circom"), "--r1cs", "--wasm", "-o", dir]);
    r1cs = join(dir, "tiny.r1cs");
    wasm = join(dir, "tiny_js", "tiny.wasm");
    ({ domainPower } = await generateDevZkey(r1cs, join(dir, "dev_nobeacon.zkey"), { toxicSeed: SEED }));
    ptau = join(dir, "same_tau.ptau");
    await generateDevPtau(domainPower + 1, ptau, { entropy: SEED });
  });

  after(async function () {
    const curve = await snarkjs.curves.getCurveFromName("bn128");
    await curve.terminate();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("without a beacon is byte-identical to `zkey new` against the ptau of the same tau", async function () {
    const theirs = join(dir, "snarkjs_new.zkey");
    await snarkjs.zKey.newZKey(r1cs, ptau, theirs);
    assert.ok((await readFile(join(dir, "dev_nobeacon.zkey"))).equals(await readFile(theirs)), "differs from snarkjs zkey new");
  });

  it("with the beacon is byte-identical to `zkey new` + `zkey beacon`, and `zkey verify` accepts it", async function () {
    const zkey0 = join(dir, "snarkjs_0.zkey");
    const theirs = join(dir, "snarkjs_beacon.zkey");
    await snarkjs.zKey.newZKey(r1cs, ptau, zkey0);
    await snarkjs.zKey.beacon(zkey0, theirs, BEACON.name, BEACON.hashHex, BEACON.numIterationsExp);
    const mine = join(dir, "dev.zkey");
    await generateDevZkey(r1cs, mine, { toxicSeed: SEED, beacon: BEACON });
    assert.ok((await readFile(mine)).equals(await readFile(theirs)), "differs from snarkjs zkey new + beacon");
    assert.equal(await snarkjs.zKey.verifyFromR1cs(r1cs, ptau, mine), true);
  });

  it("is refused by `zkey verify` against a ptau of another tau", async function () {
    const other = join(dir, "other_tau.ptau");
    await generateDevPtau(domainPower + 1, other, { entropy: `${SEED} (another)` });
    assert.equal(await snarkjs.zKey.verifyFromR1cs(r1cs, other, join(dir, "dev.zkey")), false);
  });

  it("proves with snarkjs; its verification key accepts the proof and refuses a changed public input", async function () {
    const zkey = join(dir, "dev.zkey");
    const { proof, publicSignals } = await snarkjs.groth16.fullProve({ a: 3, b: 11, k: 2 }, wasm, zkey);
    assert.deepEqual(publicSignals.slice(1), ["3", "11"]);
    const vk = await snarkjs.zKey.exportVerificationKey(zkey);
    assert.equal(await snarkjs.groth16.verify(vk, publicSignals, proof), true);
    assert.equal(await snarkjs.groth16.verify(vk, [publicSignals[0]!, "4", "11"], proof), false);
  });

  it("rejects a file that is not an r1cs with one clear error and leaves nothing behind", async function () {
    const before = new Set(await readdir(dir));
    await assert.rejects(generateDevZkey(ptau, join(dir, "bad.zkey"), { toxicSeed: SEED }), /is not an r1cs file/);
    await assert.rejects(generateDevZkey(r1cs, join(dir, "bad.zkey"), { toxicSeed: SEED, beacon: { ...BEACON, hashHex: "xyz" } }), /beacon hash/);
    assert.deepEqual(new Set(await readdir(dir)), before);
  });
});
