import { readFileSync, statSync } from "node:fs";
import { type FileKind, fileKind, InputError } from "./json.js";

/** Reads and parses a JSON file, with one-line errors naming the file (and the flag it came from). */
export function readJsonFile(path: string, flag?: string): unknown {
  const label = flag ? `${flag} ${path}` : path;
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw new InputError(`${label}: is a directory, expected a JSON file`);
    text = readFileSync(path, "utf8");
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new InputError(`${label}: no such file`);
    if (code === "EACCES") throw new InputError(`${label}: permission denied`);
    throw new InputError(`${label}: cannot read (${(err as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const msg = (err as Error).message.replace(/\s+/g, " ");
    throw new InputError(`${path} is not valid JSON (${msg})`);
  }
}

/** Reads a zkrs file of one of the expected kinds. */
export function readTagged(path: string, expected: readonly FileKind[], flag?: string): { kind: FileKind; data: Record<string, unknown> } {
  const data = readJsonFile(path, flag);
  const kind = fileKind(path, data, expected, flag);
  return { kind, data: data as Record<string, unknown> };
}
