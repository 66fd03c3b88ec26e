/**
 * Batched fixed-base scalar multiplication on BN128 for the development setup generators
 * (devPtau.ts, devZkey.ts): a few small functions added to ffjavascript's wasm module
 * (buildBn128 plugin), run in its worker threads. Every output point is s * G for a scalar s
 * the caller computed in Fr, using a windowed table of the generator (one mixed point addition
 * per window, ~20 per point instead of ~380 double/adds of a variable-base multiplication).
 */

import { buildBn128 } from "ffjavascript";
import { watchCurveEngines } from "../proof/curveEngines.js";

watchCurveEngines(); // its private engines and snarkjs' shared one are all stopped at the end
// ---------------------------------------------------------------------------------------
// Minimal shapes of the ffjavascript / wasmbuilder objects used below (both are untyped).

export type Code = number[];
export type TaskCmd =
  | { cmd: "ALLOCSET"; var: number; buff: Uint8Array }
  | { cmd: "ALLOC"; var: number; len: number }
  | { cmd: "CALL"; fnName: string; params: ({ var: number; offset?: number } | { val: number })[] }
  | { cmd: "GET"; out: number; var: number; len: number };

/** Uint8Array or ffjavascript BigBuffer (used above 256 MB). */
export interface ByteBuf {
  byteLength: number;
  slice(from: number, to: number): Uint8Array;
  set(src: Uint8Array, offset: number): void;
}

export interface FrField {
  n8: number;
  one: Uint8Array;
  e(v: number | bigint): Uint8Array;
  mul(a: Uint8Array, b: Uint8Array): Uint8Array;
  exp(a: Uint8Array, e: number | bigint): Uint8Array;
  toObject(a: Uint8Array): bigint;
  fromRng(rng: unknown): Uint8Array;
  lagrangeEvaluations(buff: Uint8Array): Promise<Uint8Array>;
}

export interface Group {
  g: Uint8Array;
  F: { n8: number };
  toAffine(p: Uint8Array): Uint8Array;
  timesFr(p: Uint8Array, s: Uint8Array): Uint8Array;
  fromRng(rng: unknown): Uint8Array;
  toUncompressed(p: Uint8Array): Uint8Array;
  toRprUncompressed(buff: Uint8Array, pos: number, p: Uint8Array): void;
  toRprLEM(buff: Uint8Array, pos: number, p: Uint8Array): void;
  batchLEMtoU(buff: Uint8Array): Promise<Uint8Array>;
}

export interface Curve {
  q: bigint;
  r: bigint;
  Fr: FrField;
  G1: Group;
  G2: Group;
  tm: { concurrency: number; queueAction(task: TaskCmd[]): Promise<Uint8Array[]> };
  terminate(): Promise<void>;
}

interface CodeBuilder {
  getLocal(n: string): Code;
  setLocal(n: string, v: Code): Code;
  i32_const(v: number): Code;
  i32_add(a: Code, b: Code): Code;
  i32_sub(a: Code, b: Code): Code;
  i32_mul(a: Code, b: Code): Code;
  i32_and(a: Code, b: Code): Code;
  i32_shl(a: Code, b: Code): Code;
  i32_shr_u(a: Code, b: Code): Code;
  i32_ge_u(a: Code, b: Code): Code;
  i32_eqz(a: Code): Code;
  i32_load(addr: Code, offset?: number, align?: number): Code;
  call(fn: string, ...args: Code[]): Code;
  if(cond: Code, then: Code, otherwise?: Code): Code;
  block(c: Code): Code;
  loop(...c: Code[]): Code;
  br_if(depth: number, cond: Code): Code;
  br(depth: number): Code;
  ret(c: Code): Code;
}

interface FunctionBuilder {
  addParam(n: string, t: "i32"): void;
  addLocal(n: string, t: "i32"): void;
  getCodeBuilder(): CodeBuilder;
  addCode(...c: Code[]): void;
}

interface ModuleBuilder {
  addFunction(n: string): FunctionBuilder;
  exportFunction(n: string): void;
  alloc(size: number): number;
}

// ---------------------------------------------------------------------------------------
// wasm plugin: Fr geometric progression, fixed-base tables and fixed-base multiplication.

export const N8 = 32; // bytes per Fq / Fr element on BN128

export type GroupName = "G1" | "G2";
export const PFX: Record<GroupName, string> = { G1: "g1m", G2: "g2m" };
export const S_JAC: Record<GroupName, number> = { G1: N8 * 3, G2: N8 * 6 };
export const S_AFF: Record<GroupName, number> = { G1: N8 * 2, G2: N8 * 4 };

function buildFrGeom(m: ModuleBuilder): void {
  // out[i] = first * inc^i   (Montgomery form)
  const f = m.addFunction("devptau_frGeom");
  f.addParam("pFirst", "i32");
  f.addParam("pInc", "i32");
  f.addParam("n", "i32");
  f.addParam("pOut", "i32");
  f.addLocal("i", "i32");
  f.addLocal("p", "i32");
  const c = f.getCodeBuilder();
  f.addCode(
    c.if(c.i32_eqz(c.getLocal("n")), c.ret([])),
    c.call("frm_copy", c.getLocal("pFirst"), c.getLocal("pOut")),
    c.setLocal("p", c.getLocal("pOut")),
    c.setLocal("i", c.i32_const(1)),
    c.block(
      c.loop(
        c.br_if(1, c.i32_ge_u(c.getLocal("i"), c.getLocal("n"))),
        c.call("frm_mul", c.getLocal("p"), c.getLocal("pInc"), c.i32_add(c.getLocal("p"), c.i32_const(N8))),
        c.setLocal("p", c.i32_add(c.getLocal("p"), c.i32_const(N8))),
        c.setLocal("i", c.i32_add(c.getLocal("i"), c.i32_const(1))),
        c.br(0),
      ),
    ),
  );
  m.exportFunction("devptau_frGeom");
}

function buildTable(m: ModuleBuilder, g: GroupName): void {
  // out[k * 2^w + d] = d * 2^(w*k) * base   (jacobian), k < nWindows, d < 2^w
  const pfx = PFX[g];
  const sJac = S_JAC[g];
  const name = `devptau_${pfx}_table`;
  const f = m.addFunction(name);
  f.addParam("pBase", "i32");
  f.addParam("w", "i32");
  f.addParam("nWindows", "i32");
  f.addParam("pOut", "i32");
  f.addLocal("k", "i32");
  f.addLocal("d", "i32");
  f.addLocal("nD", "i32");
  f.addLocal("j", "i32");
  f.addLocal("pTo", "i32");
  const c = f.getCodeBuilder();
  const B = c.i32_const(m.alloc(sJac));
  const ACC = c.i32_const(m.alloc(sJac));
  const T = c.i32_const(m.alloc(sJac));
  const inc = (v: string, by: number): Code => c.setLocal(v, c.i32_add(c.getLocal(v), c.i32_const(by)));
  f.addCode(
    c.call(`${pfx}_copy`, c.getLocal("pBase"), B),
    c.setLocal("pTo", c.getLocal("pOut")),
    c.setLocal("nD", c.i32_shl(c.i32_const(1), c.getLocal("w"))),
    c.setLocal("k", c.i32_const(0)),
    c.block(
      c.loop(
        c.br_if(1, c.i32_ge_u(c.getLocal("k"), c.getLocal("nWindows"))),
        c.call(`${pfx}_zero`, ACC),
        c.setLocal("d", c.i32_const(0)),
        c.block(
          c.loop(
            c.br_if(1, c.i32_ge_u(c.getLocal("d"), c.getLocal("nD"))),
            c.call(`${pfx}_copy`, ACC, c.getLocal("pTo")),
            inc("pTo", sJac),
            c.call(`${pfx}_add`, ACC, B, T),
            c.call(`${pfx}_copy`, T, ACC),
            inc("d", 1),
            c.br(0),
          ),
        ),
        c.setLocal("j", c.i32_const(0)),
        c.block(
          c.loop(
            c.br_if(1, c.i32_ge_u(c.getLocal("j"), c.getLocal("w"))),
            c.call(`${pfx}_double`, B, T),
            c.call(`${pfx}_copy`, T, B),
            inc("j", 1),
            c.br(0),
          ),
        ),
        inc("k", 1),
        c.br(0),
      ),
    ),
  );
  m.exportFunction(name);
}

function buildFixedBase(m: ModuleBuilder, g: GroupName): void {
  // out[i] = scalar[i] * base  (jacobian), using an affine table built by *_table.
  // Scalars are Fr elements in Montgomery form (32 bytes each).
  const pfx = PFX[g];
  const sJac = S_JAC[g];
  const sAff = S_AFF[g];
  const name = `devptau_${pfx}_fixedBase`;
  const f = m.addFunction(name);
  f.addParam("pTable", "i32");
  f.addParam("w", "i32");
  f.addParam("nWindows", "i32");
  f.addParam("pScalars", "i32");
  f.addParam("n", "i32");
  f.addParam("pOut", "i32");
  for (const l of ["i", "k", "bit", "digit", "mask", "stride", "pT", "pSc", "pO", "pA", "pB", "tmp"]) f.addLocal(l, "i32");
  const c = f.getCodeBuilder();
  // 32-byte scalar + 8 zero bytes so the unaligned 4-byte digit loads never read garbage.
  const S = m.alloc(N8 + 8);
  const A1 = m.alloc(sJac);
  const A2 = m.alloc(sJac);
  const inc = (v: string, by: Code): Code => c.setLocal(v, c.i32_add(c.getLocal(v), by));
  f.addCode(
    c.setLocal("mask", c.i32_sub(c.i32_shl(c.i32_const(1), c.getLocal("w")), c.i32_const(1))),
    c.setLocal("stride", c.i32_mul(c.i32_shl(c.i32_const(1), c.getLocal("w")), c.i32_const(sAff))),
    c.setLocal("pSc", c.getLocal("pScalars")),
    c.setLocal("pO", c.getLocal("pOut")),
    c.setLocal("i", c.i32_const(0)),
    c.block(
      c.loop(
        c.br_if(1, c.i32_ge_u(c.getLocal("i"), c.getLocal("n"))),
        c.call("frm_fromMontgomery", c.getLocal("pSc"), c.i32_const(S)),
        c.setLocal("pA", c.i32_const(A1)),
        c.setLocal("pB", c.i32_const(A2)),
        c.call(`${pfx}_zero`, c.getLocal("pA")),
        c.setLocal("pT", c.getLocal("pTable")),
        c.setLocal("bit", c.i32_const(0)),
        c.setLocal("k", c.i32_const(0)),
        c.block(
          c.loop(
            c.br_if(1, c.i32_ge_u(c.getLocal("k"), c.getLocal("nWindows"))),
            c.setLocal(
              "digit",
              c.i32_and(
                c.i32_shr_u(
                  c.i32_load(c.i32_add(c.i32_const(S), c.i32_shr_u(c.getLocal("bit"), c.i32_const(3))), 0, 0),
                  c.i32_and(c.getLocal("bit"), c.i32_const(7)),
                ),
                c.getLocal("mask"),
              ),
            ),
            c.if(c.getLocal("digit"), [
              ...c.call(
                `${pfx}_addMixed`,
                c.getLocal("pA"),
                c.i32_add(c.getLocal("pT"), c.i32_mul(c.getLocal("digit"), c.i32_const(sAff))),
                c.getLocal("pB"),
              ),
              ...c.setLocal("tmp", c.getLocal("pA")),
              ...c.setLocal("pA", c.getLocal("pB")),
              ...c.setLocal("pB", c.getLocal("tmp")),
            ]),
            inc("pT", c.getLocal("stride")),
            inc("bit", c.getLocal("w")),
            inc("k", c.i32_const(1)),
            c.br(0),
          ),
        ),
        c.call(`${pfx}_copy`, c.getLocal("pA"), c.getLocal("pO")),
        inc("pSc", c.i32_const(N8)),
        inc("pO", c.i32_const(sJac)),
        inc("i", c.i32_const(1)),
        c.br(0),
      ),
    ),
  );
  m.exportFunction(name);
}

function fixedBasePlugin(m: ModuleBuilder): void {
  buildFrGeom(m);
  for (const g of ["G1", "G2"] as const) {
    buildTable(m, g);
    buildFixedBase(m, g);
  }
}

// ---------------------------------------------------------------------------------------
// Fixed-base engine on top of the thread manager.

export interface FixedBaseTable {
  g: GroupName;
  w: number;
  nWindows: number;
  table: Uint8Array;
}

/** Scalars for a run of points: explicit (Montgomery Fr, 32 bytes each) or first*inc^i. */
export type ScalarSource = { scalars: Uint8Array } | { first: Uint8Array; inc: Uint8Array };

export interface Job {
  n: number;
  src: ScalarSource;
  /** Also return the points in compressed form (needed for the response hash). */
  compressed: boolean;
}

function chooseWindow(nOutputs: number, sAff: number): number {
  // Minimise (outputs + table entries) * windows, table capped at ~12 MB (it is shipped with
  // every worker task).
  let best = 4;
  let bestCost = Infinity;
  for (let w = 4; w <= 16; w++) {
    const nW = Math.ceil(254 / w);
    if (nW * (1 << w) * sAff > 12 * 1024 * 1024) break;
    const cost = nW * (nOutputs + 1.5 * (1 << w));
    if (cost < bestCost) {
      bestCost = cost;
      best = w;
    }
  }
  return best;
}

export async function buildTableFor(curve: Curve, g: GroupName, nOutputs: number): Promise<FixedBaseTable> {
  const w = chooseWindow(nOutputs, S_AFF[g]);
  const nWindows = Math.ceil(254 / w);
  const count = nWindows * (1 << w);
  const pfx = PFX[g];
  const [table] = await curve.tm.queueAction([
    { cmd: "ALLOCSET", var: 0, buff: curve[g].g.slice() },
    { cmd: "ALLOC", var: 1, len: count * S_JAC[g] },
    { cmd: "CALL", fnName: `devptau_${pfx}_table`, params: [{ var: 0 }, { val: w }, { val: nWindows }, { var: 1 }] },
    { cmd: "CALL", fnName: `${pfx}_batchToAffine`, params: [{ var: 1 }, { val: count }, { var: 1 }] },
    { cmd: "GET", out: 0, var: 1, len: count * S_AFF[g] },
  ]);
  return { g, w, nWindows, table };
}

/** Runs one job in a worker: returns [affine LEM points, compressed points]. */
export function runJob(curve: Curve, t: FixedBaseTable, job: Job): Promise<Uint8Array[]> {
  const pfx = PFX[t.g];
  const { n } = job;
  const task: TaskCmd[] = [{ cmd: "ALLOCSET", var: 0, buff: t.table }];
  if ("scalars" in job.src) {
    task.push({ cmd: "ALLOCSET", var: 1, buff: job.src.scalars });
  } else {
    task.push(
      { cmd: "ALLOCSET", var: 3, buff: job.src.first },
      { cmd: "ALLOCSET", var: 4, buff: job.src.inc },
      { cmd: "ALLOC", var: 1, len: n * N8 },
      { cmd: "CALL", fnName: "devptau_frGeom", params: [{ var: 3 }, { var: 4 }, { val: n }, { var: 1 }] },
    );
  }
  task.push(
    { cmd: "ALLOC", var: 2, len: n * S_JAC[t.g] },
    {
      cmd: "CALL",
      fnName: `devptau_${pfx}_fixedBase`,
      params: [{ var: 0 }, { val: t.w }, { val: t.nWindows }, { var: 1 }, { val: n }, { var: 2 }],
    },
    { cmd: "CALL", fnName: `${pfx}_batchToAffine`, params: [{ var: 2 }, { val: n }, { var: 2 }] },
    { cmd: "GET", out: 0, var: 2, len: n * S_AFF[t.g] },
  );
  if (job.compressed) {
    task.push(
      { cmd: "ALLOC", var: 5, len: n * (S_AFF[t.g] / 2) },
      { cmd: "CALL", fnName: `${pfx}_batchLEMtoC`, params: [{ var: 2 }, { val: n }, { var: 5 }] },
      { cmd: "GET", out: 1, var: 5, len: n * (S_AFF[t.g] / 2) },
    );
  }
  return curve.tm.queueAction(task);
}

/** Runs jobs with bounded parallelism, handing results to `consume` in order. */
export async function runOrdered(
  curve: Curve,
  t: FixedBaseTable,
  jobs: AsyncIterable<Job> | Iterable<Job>,
  consume: (points: Uint8Array, compressed: Uint8Array | undefined, job: Job) => Promise<void>,
): Promise<void> {
  const maxInFlight = Math.max(2, curve.tm.concurrency * 2);
  const inFlight: { job: Job; p: Promise<Uint8Array[]> }[] = [];
  const drainOne = async (): Promise<void> => {
    const head = inFlight.shift();
    if (!head) return;
    const [points, compressed] = await head.p;
    await consume(points, compressed, head.job);
  };
  try {
    for await (const job of jobs) {
      const p = runJob(curve, t, job);
      p.catch(() => undefined); // surfaced when awaited in order
      inFlight.push({ job, p });
      if (inFlight.length >= maxInFlight) await drainOne();
    }
    while (inFlight.length > 0) await drainOne();
  } finally {
    await Promise.allSettled(inFlight.map((x) => x.p));
  }
}


/**
 * Runs `work` with a private multi-threaded BN128 curve carrying the plugin above, then stops
 * its workers. ffjavascript caches one curve in globalThis.curve_bn128 (snarkjs uses it) and
 * buildBn128() returns that cached instance, which lacks the plugin: build a private instance
 * and put the cache back as it was.
 */
export async function withFixedBaseCurve<T>(work: (curve: Curve) => Promise<T>): Promise<T> {
  const glob = globalThis as { curve_bn128?: unknown };
  const cached = glob.curve_bn128;
  glob.curve_bn128 = null;
  let built: Curve | undefined;
  try {
    built = (await buildBn128(false, fixedBasePlugin)) as Curve;
  } finally {
    // buildBn128 cached its result; restore the previous entry unless a concurrent caller
    // has cached its own instance meanwhile (keep that one rather than orphaning it).
    if (glob.curve_bn128 === null || glob.curve_bn128 === built) glob.curve_bn128 = cached;
  }
  const curve = built;
  try {
    return await work(curve);
  } finally {
    const current = glob.curve_bn128;
    await curve.terminate(); // stops the workers; also sets globalThis.curve_bn128 = null
    glob.curve_bn128 = current;
  }
}
