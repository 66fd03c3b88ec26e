import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { buildBn128 } from "ffjavascript";
import { NATIVE_PROVER_PATH, nativeProverBuilt } from "../src/proof/nativeProver.js";

// The native prover's field and curve code (native/src) against ffjavascript, the library under
// snarkjs, on random operands and the edge values 0, 1, p-1. `zkrs-prover arith` reads one
// operation per line and answers one line each.

const Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

type Curve = Awaited<ReturnType<typeof buildBn128>>;
type G1Obj = [bigint, bigint, bigint];
type G2Obj = [[bigint, bigint], [bigint, bigint], [bigint, bigint]];

function randomBelow(p: bigint): bigint {
  return BigInt(`0x${randomBytes(40).toString("hex")}`) % p;
}
/** 0, 1, p-1, 2, p-2 and random values. */
function samples(p: bigint, random: number): bigint[] {
  return [0n, 1n, p - 1n, 2n, p - 2n, ...Array.from({ length: random }, () => randomBelow(p))];
}

function arith(lines: string[]): string[] {
  const res = spawnSync(NATIVE_PROVER_PATH, ["arith"], { input: `${lines.join("\n")}\n`, encoding: "utf8", maxBuffer: 64 << 20 });
  assert.equal(res.status, 0, res.stderr);
  const out = res.stdout.trimEnd().split("\n");
  assert.equal(out.length, lines.length);
  return out;
}

describe("native prover arithmetic against ffjavascript", function () {
  let curve: Curve;
  before(async function () {
    assert.ok(nativeProverBuilt(), `the native prover is not built (${NATIVE_PROVER_PATH}): run npm run build:native`);
    curve = await buildBn128(true);
  });
  after(async () => {
    await curve?.terminate();
  });

  // Affine coordinates as the native code writes them; infinity as (0, 0), snarkjs' stored form.
  const g1 = (p: unknown): string => {
    if (curve.G1.isZero(p)) return "0 0";
    const [x, y] = curve.G1.toObject(curve.G1.toAffine(p)) as G1Obj;
    return `${x} ${y}`;
  };
  const g2 = (p: unknown): string => {
    if (curve.G2.isZero(p)) return "0 0 0 0";
    const [[x0, x1], [y0, y1]] = curve.G2.toObject(curve.G2.toAffine(p)) as G2Obj;
    return `${x0} ${x1} ${y0} ${y1}`;
  };
  const randomScalar = (): bigint => randomBelow(R);

  for (const [name, p] of [["fr", R], ["fq", Q]] as const) {
    it(`${name}: add, sub, mul, square, negation and inverse`, () => {
      const F = name === "fr" ? curve.Fr : curve.F1;
      const xs = samples(p, 12);
      const lines: string[] = [];
      const want: string[] = [];
      const v = (x: unknown): string => String(F.toObject(x));
      for (const a of xs) {
        lines.push(`${name} neg ${a}`, `${name} sq ${a}`, `${name} inv ${a}`);
        want.push(v(F.neg(F.e(a))), v(F.square(F.e(a))), a === 0n ? "0" : v(F.inv(F.e(a))));
        for (const b of xs.slice(0, 8)) {
          lines.push(`${name} add ${a} ${b}`, `${name} sub ${a} ${b}`, `${name} mul ${a} ${b}`);
          want.push(v(F.add(F.e(a), F.e(b))), v(F.sub(F.e(a), F.e(b))), v(F.mul(F.e(a), F.e(b))));
        }
      }
      assert.deepEqual(arith(lines), want);
    });

    it(`${name}: an operand not below the modulus is refused`, () => {
      assert.deepEqual(arith([`${name} add ${p} 1`]), [`error: value not below the field modulus: ${p}`]);
    });
  }

  it("fq2: mul, square, inverse", () => {
    const F2 = curve.F2;
    const xs = samples(Q, 6);
    const lines: string[] = [];
    const want: string[] = [];
    const v = (x: unknown): string => (F2.toObject(x) as bigint[]).join(" ");
    for (let i = 0; i < xs.length; i++) {
      const a = [xs[i], xs[(i + 3) % xs.length]];
      const b = [xs[(i + 1) % xs.length], xs[(i + 5) % xs.length]];
      lines.push(`fq2 mul ${a.join(" ")} ${b.join(" ")}`, `fq2 sq ${a.join(" ")}`);
      want.push(v(F2.mul(F2.fromObject(a), F2.fromObject(b))), v(F2.square(F2.fromObject(a))));
      if (a[0] !== 0n || a[1] !== 0n) {
        lines.push(`fq2 inv ${a.join(" ")}`);
        want.push(v(F2.inv(F2.fromObject(a))));
      }
    }
    assert.deepEqual(arith(lines), want);
  });

  it("Fr roots of unity are ffjavascript's (the FFT domain snarkjs' keys are made for)", () => {
    const ks = [1, 2, 10, 17, 27, 28];
    assert.deepEqual(arith(ks.map((k) => `fr root ${k}`)), ks.map((k) => String(curve.Fr.toObject(curve.Fr.w[k]))));
  });

  it("G1: addition (incl. P+P, P+(-P), P+0), doubling, mixed addition, scalar multiplication by 0, 1, r-1, r, random", () => {
    const { G1 } = curve;
    const lines: string[] = [];
    const want: string[] = [];
    for (let i = 0; i < 6; i++) {
      const P = G1.timesScalar(G1.g, randomScalar());
      const Qp = G1.timesScalar(G1.g, randomScalar());
      const p = g1(P), q = g1(Qp);
      lines.push(`g1 add ${p} ${q}`, `g1 madd ${p} ${q}`, `g1 add ${p} ${p}`, `g1 madd ${p} ${p}`, `g1 dbl ${p}`);
      want.push(g1(G1.add(P, Qp)), g1(G1.add(P, Qp)), g1(G1.double(P)), g1(G1.double(P)), g1(G1.double(P)));
      lines.push(`g1 add ${p} ${g1(G1.neg(P))}`, `g1 madd ${p} ${g1(G1.neg(P))}`, `g1 add ${p} 0 0`, `g1 add 0 0 ${p}`, `g1 madd 0 0 ${p}`);
      want.push("0 0", "0 0", p, p, p);
      for (const k of [0n, 1n, 2n, R - 1n, R, randomScalar()]) {
        lines.push(`g1 mul ${p} ${k}`);
        want.push(g1(G1.timesScalar(P, k)));
      }
    }
    assert.deepEqual(arith(lines), want);
  });

  it("G2: addition, doubling, mixed addition, scalar multiplication", () => {
    const { G2 } = curve;
    const lines: string[] = [];
    const want: string[] = [];
    for (let i = 0; i < 4; i++) {
      const P = G2.timesScalar(G2.g, randomScalar());
      const Qp = G2.timesScalar(G2.g, randomScalar());
      const p = g2(P), q = g2(Qp);
      lines.push(`g2 add ${p} ${q}`, `g2 madd ${p} ${q}`, `g2 dbl ${p}`, `g2 add ${p} ${g2(G2.neg(P))}`, `g2 madd ${p} ${p}`);
      want.push(g2(G2.add(P, Qp)), g2(G2.add(P, Qp)), g2(G2.double(P)), "0 0 0 0", g2(G2.double(P)));
      for (const k of [0n, 1n, R - 1n, R, randomScalar()]) {
        lines.push(`g2 mul ${p} ${k}`);
        want.push(g2(G2.timesScalar(P, k)));
      }
    }
    assert.deepEqual(arith(lines), want);
  });

  it("multi-scalar multiplication (Pippenger) equals the sum of scalar products, with zero scalars, zero points and repeats", () => {
    const { G1, G2 } = curve;
    const lines: string[] = [];
    const want: string[] = [];
    for (const n of [1, 3, 40, 700]) {
      const ps = Array.from({ length: n }, (_, i) => (i % 7 === 3 ? G1.zero : G1.timesScalar(G1.g, BigInt(1 + (i % 5)))));
      const ks = Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 0n : i % 4 === 1 ? 1n : i % 4 === 2 ? R - 1n : randomScalar()));
      let sum = G1.zero;
      ps.forEach((P, i) => (sum = G1.add(sum, G1.timesScalar(P, ks[i]))));
      lines.push(`g1 msm ${n} ${ps.map((P, i) => `${g1(P)} ${ks[i]}`).join(" ")}`);
      want.push(g1(sum));
    }
    // P and -P with the same scalar land in the same bucket and cancel; 2P built from P + P.
    const P = G1.timesScalar(G1.g, randomScalar());
    const k = randomScalar();
    // P, -P, P with one scalar: the third waits for the next batch while the first two cancel,
    // then finds its bucket empty.
    lines.push(`g1 msm 3 ${g1(P)} ${k} ${g1(G1.neg(P))} ${k} ${g1(P)} 5`, `g1 msm 2 ${g1(P)} 9 ${g1(P)} 9`, `g1 msm 3 ${g1(P)} ${k} ${g1(G1.neg(P))} ${k} ${g1(P)} ${k}`);
    want.push(g1(G1.timesScalar(P, 5n)), g1(G1.timesScalar(P, 18n)), g1(G1.timesScalar(P, k)));
    for (const n of [2, 50]) {
      const ps = Array.from({ length: n }, () => G2.timesScalar(G2.g, randomScalar()));
      const ks = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0n : randomScalar()));
      let sum = G2.zero;
      ps.forEach((P, i) => (sum = G2.add(sum, G2.timesScalar(P, ks[i]))));
      lines.push(`g2 msm ${n} ${ps.map((P, i) => `${g2(P)} ${ks[i]}`).join(" ")}`);
      want.push(g2(sum));
    }
    assert.deepEqual(arith(lines), want);
  });
});
