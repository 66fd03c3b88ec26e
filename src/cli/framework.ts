import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { getAddress, isAddress } from "ethers";
import { checkBigintRange, type BigintRange, InputError, parseBigint } from "../io/json.js";

/** A mistake in how the command was called (unknown option, missing flag): exit code 2. */
export class UsageError extends Error {
  constructor(message: string, readonly command?: Command) {
    super(message);
    this.name = "UsageError";
  }
}

export interface OptionSpec {
  type: "string" | "boolean";
  multiple?: boolean;
  short?: string;
  /** Placeholder shown in help, e.g. "file.json". */
  arg?: string;
  description: string;
  required?: boolean;
}

export type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** What a command hands back: a JSON result (for --json) and the lines a person reads. */
export interface CommandResult {
  json: Record<string, unknown>;
  human: string[];
  /** Non-zero for a negative answer that is not an error (an invalid proof). */
  exitCode?: number;
  /** With exitCode: the one-line reason printed on stderr. */
  message?: string;
}

export interface Context {
  json: boolean;
  /** Human progress, on stderr. */
  log: (line: string) => void;
  /** A long step: prints its label, ticks on a terminal, prints the time taken. */
  step: <T>(label: string, fn: () => Promise<T>) => Promise<T>;
}

export interface Command {
  /** e.g. ["prove", "margin"]. */
  path: string[];
  summary: string;
  /** Extra help paragraphs. */
  details?: string[];
  options: Record<string, OptionSpec>;
  /** Name of the positional arguments when the command takes them (e.g. "opening.json..."). */
  positionals?: string;
  run(ctx: Context, args: Args): Promise<CommandResult>;
}

export const JSON_OPTION: Record<string, OptionSpec> = {
  json: { type: "boolean", description: "print a machine-readable JSON result on stdout" },
};

/** Parsed arguments with typed, validating accessors (flag errors are usage errors, range errors input errors). */
export class Args {
  constructor(readonly command: Command, readonly values: Values, readonly positionals: string[]) {}

  private usage(msg: string): never {
    throw new UsageError(msg, this.command);
  }

  has(name: string): boolean {
    const v = this.values[name];
    return v !== undefined && !(Array.isArray(v) && v.length === 0);
  }

  flag(name: string): boolean {
    return this.values[name] === true;
  }

  string(name: string): string {
    const v = this.optionalString(name);
    if (v === undefined) this.usage(`missing --${name}`);
    return v;
  }

  optionalString(name: string): string | undefined {
    const v = this.values[name];
    if (v === undefined) return undefined;
    if (typeof v !== "string") this.usage(`--${name} takes a value`);
    if (v === "") this.usage(`--${name} is empty`);
    return v;
  }

  list(name: string): string[] {
    const v = this.values[name];
    if (v === undefined) return [];
    const items = (Array.isArray(v) ? v : [v]).map(String);
    return items.flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean);
  }

  bigint(name: string, range: BigintRange = {}, fallback?: bigint): bigint {
    const v = this.optionalString(name);
    if (v === undefined) {
      if (fallback === undefined) this.usage(`missing --${name}`);
      return fallback;
    }
    const x = parseBigint(v.replace(/_/g, ""));
    if (x === undefined) this.usage(`--${name} must be a decimal integer, got "${v}"`);
    return checkBigintRange(`--${name}`, x, range, (msg) => { throw new InputError(msg); });
  }

  int(name: string, min: number, max: number, fallback?: number): number {
    if (!this.has(name) && fallback !== undefined) return fallback;
    const x = this.bigint(name);
    if (x < BigInt(min) || x > BigInt(max)) throw new InputError(`--${name} = ${x} is out of range [${min}, ${max}]`);
    return Number(x);
  }

  /**
   * An output file named by --name: refused at once (before any work) when it names a folder or
   * lies in a folder that does not exist (a mistyped path is not created).
   */
  outFile(name: string): string {
    const v = this.string(name);
    checkOutFile(`--${name}`, v);
    return v;
  }

  /** outFile for an optional flag. */
  optionalOutFile(name: string): string | undefined {
    return this.has(name) ? this.outFile(name) : undefined;
  }

  address(name: string): string {
    const v = this.string(name);
    if (!isAddress(v)) throw new InputError(`--${name} "${v}" is not an address (0x followed by 40 hex digits, valid checksum)`);
    return getAddress(v);
  }
}

/** Refuses an output path that is a folder, or whose folder does not exist. */
export function checkOutFile(flag: string, path: string): void {
  if (existsSync(path) && statSync(path).isDirectory()) throw new InputError(`${flag} ${path} is a folder: give a file name`);
  const dir = dirname(resolve(path));
  if (!existsSync(dir)) throw new InputError(`${flag} ${path}: folder ${dirname(path)} does not exist (create it first)`);
  if (!statSync(dir).isDirectory()) throw new InputError(`${flag} ${path}: ${dirname(path)} is not a folder`);
}

export function parseCommandArgs(command: Command, argv: string[]): Args {
  const options = Object.fromEntries(
    Object.entries({ ...command.options, help: { type: "boolean", short: "h", description: "" } as OptionSpec }).map(([k, o]) => [
      k, { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) },
    ]),
  );
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true }) as unknown as { values: Values; positionals: string[] };
  } catch (err) {
    const first = (err as Error).message.split("\n")[0];
    const ambiguous = /^Option '(-[^']*)' argument is ambiguous/.exec(first);
    if (ambiguous) {
      // `--collateral -5`: a value starting with a dash must be attached with "=".
      const i = argv.indexOf(ambiguous[1]);
      const value = i >= 0 ? argv[i + 1] : undefined;
      throw new UsageError(`${ambiguous[1]} ${value ?? ""}: a value starting with "-" must be written ${ambiguous[1]}=${value ?? "-..."}`, command);
    }
    throw new UsageError(first.replace(/^Unknown option '(.*?)'.*$/, "unknown option $1"), command);
  }
  const args = new Args(command, parsed.values, parsed.positionals);
  if (args.flag("help")) return args;
  if (parsed.positionals.length > 0 && !command.positionals) throw new UsageError(`unexpected argument "${parsed.positionals[0]}"`, command);
  for (const [name, spec] of Object.entries(command.options)) {
    if (spec.required && !args.has(name)) throw new UsageError(`missing --${name}`, command);
  }
  return args;
}

export function commandHelp(command: Command): string {
  const name = `zkrs ${command.path.join(" ")}`;
  const required = Object.entries(command.options).filter(([, o]) => o.required);
  const synopsis = [name, ...required.map(([k, o]) => `--${k} ${o.arg ?? "<value>"}`), "[options]", ...(command.positionals ? [`[${command.positionals}]`] : [])].join(" ");
  const lines = [`usage: ${synopsis}`, "", command.summary];
  if (command.details) lines.push("", ...command.details);
  lines.push("", "options:");
  const rows = Object.entries({ ...command.options, help: { type: "boolean", short: "h", description: "show this help" } as OptionSpec }).map(([k, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ""}--${k}${o.type === "string" ? ` ${o.arg ?? "<value>"}` : ""}`;
    const notes = [o.required ? "required" : "", o.multiple ? "repeatable" : ""].filter(Boolean).join(", ");
    return [flag, `${o.description}${notes ? ` (${notes})` : ""}`];
  });
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  for (const [f, d] of rows) lines.push(`  ${f.padEnd(width)}${d}`);
  return lines.join("\n");
}
