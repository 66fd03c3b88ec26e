import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import * as snarkjs from "snarkjs";
import { generateDevPtau } from "../src/setup/devPtau.js";

const execFileAsync = promisify(execFile);
const require = createRequire(import.meta.url);

/** Section table of a snarkjs binary file ("ptau"/"zkey"/...): id -> [{pos, size}]. */
function sections(buf: Buffer): Map<number, { pos: number; size: number }[]> {
  const res = new Map<number, { pos: number; size: number }[]>();
  const n = buf.readUInt32LE(8);
  let p = 12;
  for (let i = 0; i < n; i++) {
    const id = buf.readUInt32LE(p);
    const size = Number(buf.readBigUInt64LE(p + 4));
    const list = res.get(id) ?? [];
    list.push({ pos: p + 12, size });
    res.set(id, list);
    p += 12 + size;
  }
  assert.equal(p, buf.length, "section table must cover the whole file");
  return res;
}

function section(buf: Buffer, id: number): Buffer {
  const s = sections(buf).get(id);
  assert.ok(s && s.length === 1, `expected exactly one section ${id}`);
  return buf.subarray(s[0]!.pos, s[0]!.pos + s[0]!.size);
}

const CIRCUIT = `pragma circom 2.0.0;
template DevPtauTiny() {
    signal input a;
    signal input b;
    signal output c;
    signal ab;
    ab <== a * b;
    c <== ab * a + b;
}
component main {public [a]} = DevPtauTiny();
`;

describe("generateDevPtau (dev-only powers of tau)", function () {
  const POWER = 8;
  let dir: string;
  let ptau: string;

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), "devptau-test-"));
    ptau = join(dir, `dev_${POWER}.ptau`);
    const res = await generateDevPtau(POWER, ptau, { entropy: "devPtau unit test" });
    assert.equal(res.power, POWER);
    assert.equal(res.path, ptau);
  });

  after(async function () {
    // snarkjs keeps a cached multi-threaded curve alive; terminate it so mocha can exit.
    const curve = await snarkjs.curves.getCurveFromName("bn128");
    await curve.terminate();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("matches snarkjs `powersoftau prepare phase2` byte-for-byte and passes `powersoftau verify`", async function () {
    const prepared = join(dir, "snarkjs_prepared.ptau");
    await snarkjs.powersOfTau.preparePhase2(ptau, prepared);
    const mine = await readFile(ptau);
    const theirs = await readFile(prepared);
    for (const id of [12, 13, 14, 15]) {
      assert.ok(section(mine, id).equals(section(theirs, id)), `section ${id} differs from snarkjs prepare phase2`);
    }
    // preparePhase2 copies sections 1-7 and recomputes 12-15, so the whole file must match.
    assert.ok(mine.equals(theirs), "file differs from snarkjs prepare phase2 output");
    assert.equal(await snarkjs.powersOfTau.verify(ptau), true);
  });

  it("works for groth16 setup, zkey verify, prove and verify", async function () {
    const circom = join(dirname(require.resolve("circom2/package.json")), "cli.js");
    const src = join(dir, "tiny.circom");
    await writeFile(src, CIRCUIT);
    await execFileAsync(process.execPath, [circom, src, "--r1cs", "--wasm", "-o", dir]);
    const r1cs = join(dir, "tiny.r1cs");
    const wasm = join(dir, "tiny_js", "tiny.wasm");
    const zkey = join(dir, "tiny.zkey");

    await snarkjs.zKey.newZKey(r1cs, ptau, zkey);
    assert.equal(await snarkjs.zKey.verifyFromR1cs(r1cs, ptau, zkey), true);

    const { proof, publicSignals } = await snarkjs.groth16.fullProve({ a: 3, b: 11 }, wasm, zkey);
    assert.deepEqual(publicSignals, [String(3 * 11 * 3 + 11), "3"]);
    const vk = await snarkjs.zKey.exportVerificationKey(zkey);
    assert.equal(await snarkjs.groth16.verify(vk, publicSignals, proof), true);
    assert.equal(await snarkjs.groth16.verify(vk, [publicSignals[0]!, "4"], proof), false);
  });

  it("rejects an invalid power with a clear error and leaves no file behind", async function () {
    const before = new Set(await readdir(dir));
    for (const bad of [0, -1, 29, 2.5, Number.NaN, Number.POSITIVE_INFINITY, "8" as unknown as number]) {
      const out = join(dir, `bad_${String(bad)}.ptau`);
      await assert.rejects(generateDevPtau(bad, out), (err: unknown) => {
        assert.ok(err instanceof RangeError);
        assert.match(err.message, /power must be an integer between 1 and 28/);
        return true;
      });
    }
    assert.deepEqual(new Set(await readdir(dir)), before, "no files may be created for a rejected power");
  });
});
