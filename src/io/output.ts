import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { writeFileAtomic } from "../io/atomicWrite.js";
import { InputError, toJsonText } from "./json.js";

export interface OutputFile {
  path: string;
  data: string;
  /** File mode (0o600 for files holding a secret). */
  mode?: number;
}

export function jsonOutput(path: string, value: unknown, mode?: number): OutputFile {
  return { path, data: toJsonText(value), mode };
}

/**
 * Writes a set of files all or nothing: every file goes to a temporary sibling first, and only
 * when all are written are they renamed into place. On any error the temporaries (and files
 * already renamed) are removed, so a failed command leaves nothing behind.
 */
export function writeOutputs(files: readonly OutputFile[]): void {
  const seen = new Set<string>();
  for (const f of files) {
    const p = resolve(f.path);
    if (seen.has(p)) throw new InputError(`two outputs would be written to ${f.path}`);
    seen.add(p);
  }
  if (files.length === 1 && files[0].mode === undefined) {
    writeFileAtomic(files[0].path, files[0].data);
    return;
  }
  const staged: { tmp: string; path: string; existed: boolean }[] = [];
  const renamed: string[] = [];
  const madeDirs: string[] = [];
  try {
    for (const f of files) {
      const dir = dirname(resolve(f.path));
      if (!existsSync(dir)) {
        mkdirSync(dir, { recursive: true });
        madeDirs.push(dir);
      }
      const tmp = `${f.path}.tmp-${process.pid}`;
      staged.push({ tmp, path: f.path, existed: existsSync(f.path) });
      writeFileSync(tmp, f.data, { mode: f.mode ?? 0o644 });
    }
    for (const s of staged) {
      renameSync(s.tmp, s.path);
      if (!s.existed) renamed.push(s.path);
    }
  } catch (err) {
    for (const s of staged) rmSync(s.tmp, { force: true });
    for (const p of renamed) rmSync(p, { force: true });
    for (const d of madeDirs.reverse()) rmSync(d, { recursive: true, force: true });
    throw err;
  }
}
