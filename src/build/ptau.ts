import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Progress, ProgressBoard } from "../io/progress.js";
import { sha256File } from "./hashing.js";
import { PTAU_CACHE_DIR, SHARED_PTAU_DIR } from "./paths.js";
import type { PtauChoice, PtauSource } from "../artifacts/manifest.js";

export type { PtauChoice, PtauSource };


/** Smallest ptau power snarkjs accepts for a circuit (as in `zkey new`). */
export function requiredPower(constraints: number, nPublic: number): number {
  return Math.floor(Math.log2(constraints + nPublic)) + 1;
}

/** Reads the power of a snarkjs ptau file from its header section, checking the magic. */
export function readPtauPower(path: string): number {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(12);
    readSync(fd, head, 0, 12, 0);
    if (head.toString("latin1", 0, 4) !== "ptau") throw new Error(`${path} is not a powers-of-tau file (bad magic)`);
    const nSections = head.readUInt32LE(8);
    let pos = 12;
    for (let i = 0; i < nSections; i++) {
      const sec = Buffer.alloc(12);
      readSync(fd, sec, 0, 12, pos);
      const type = sec.readUInt32LE(0);
      const size = Number(sec.readBigUInt64LE(4));
      if (type === 1) {
        const n8 = Buffer.alloc(4);
        readSync(fd, n8, 0, 4, pos + 12);
        const p = Buffer.alloc(4);
        readSync(fd, p, 0, 4, pos + 12 + 4 + n8.readUInt32LE(0));
        return p.readUInt32LE(0);
      }
      pos += 12 + size;
    }
    throw new Error(`${path} has no header section`);
  } finally {
    closeSync(fd);
  }
}

/** True when the file has been through `prepare phase2` (it has the Lagrange sections). */
export function isPreparedPtau(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(12);
    readSync(fd, head, 0, 12, 0);
    const nSections = head.readUInt32LE(8);
    let pos = 12;
    for (let i = 0; i < nSections; i++) {
      const sec = Buffer.alloc(12);
      if (readSync(fd, sec, 0, 12, pos) < 12) return false;
      if (sec.readUInt32LE(0) === 12) return true;
      pos += 12 + Number(sec.readBigUInt64LE(4));
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

function ptauFilesIn(dir: string): { path: string; power: number }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".ptau"))
    .map((f) => join(dir, f))
    .filter((p) => isPreparedPtau(p))
    .map((p) => ({ path: p, power: readPtauPower(p) }))
    .sort((a, b) => a.power - b.power);
}

export interface ResolvePtauOptions {
  /** A ptau handed in with --ptau or ZKRS_PTAU (a ceremony file, prepared for phase 2). */
  explicitPath?: string;
  log?: (line: string) => void;
  board?: ProgressBoard;
}

/**
 * Picks the powers-of-tau file for a circuit needing 2^power: an explicit file when given
 * (--ptau / ZKRS_PTAU), else the smallest big enough in ../shared/ptau, else one in the local
 * cache, else a freshly generated dev file (labelled insecure) kept in the cache.
 */
export async function resolvePtau(power: number, options: ResolvePtauOptions = {}): Promise<PtauChoice> {
  const log = options.log ?? (() => {});
  const explicit = options.explicitPath ?? process.env.ZKRS_PTAU;
  if (explicit) {
    const path = resolve(explicit);
    if (!existsSync(path)) throw new Error(`ptau file ${path} does not exist`);
    const filePower = readPtauPower(path);
    if (filePower < power) throw new Error(`ptau file ${path} has power ${filePower}, the circuit needs ${power}`);
    if (!isPreparedPtau(path)) throw new Error(`ptau file ${path} is not prepared for phase 2 (run snarkjs powersoftau prepare phase2)`);
    return { path, power: filePower, sha256: await sha256File(path), source: "explicit", insecure: false };
  }
  for (const [dir, source] of [[SHARED_PTAU_DIR, "shared"], [PTAU_CACHE_DIR, "cache"]] as const) {
    const found = ptauFilesIn(dir).find((f) => f.power >= power);
    if (found) return { ...found, sha256: await sha256File(found.path), source, insecure: true };
  }
  mkdirSync(PTAU_CACHE_DIR, { recursive: true });
  const path = join(PTAU_CACHE_DIR, `dev_bn128_${power}.ptau`);
  log(`  no ptau of power >= ${power} found: generating an INSECURE development ptau at ${path}`);
  const { generateDevPtau } = await import("../setup/devPtau.js");
  let stage = "";
  let progress: Progress | undefined;
  try {
    await generateDevPtau(power, path, {
      onProgress: (name, done, total) => {
        if (name !== stage) {
          progress?.end();
          progress = options.board?.start(`dev ptau 2^${power}: ${name}`);
          stage = name;
        }
        progress?.update(done, total);
      },
    });
  } finally {
    progress?.end();
  }
  return { path, power, sha256: await sha256File(path), source: "generated", insecure: true };
}
