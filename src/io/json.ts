/**
 * JSON values of the zkrs formats, browser-safe: the format tags, typed field access with
 * one-line errors naming the file and the field, bigint text. Reading files is jsonFile.ts's (Node).
 */
/** A problem with an input file or value: the CLI prints its message as one line and exits 1. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/** The `format` tag of every zkrs JSON file, by kind. */
export const FORMATS = {
  snapshot: "zkrs/snapshot@1",
  table: "zkrs/risk-table@2",
  account: "zkrs/account@1",
  opening: "zkrs/opening@1",
  ledger: "zkrs/ledger@1",
  path: "zkrs/path@1",
  marginProof: "zkrs/margin-proof@1",
  solvencyProof: "zkrs/solvency-proof@3",
  liquidationProof: "zkrs/liquidation-proof@1",
  exitProof: "zkrs/exit-proof@1",
  leafHashes: "zkrs/leaf-hashes@1",
  deployment: "zkrs/deployment@4",
} as const;

export type FileKind = keyof typeof FORMATS;

const KIND_BY_TAG = new Map<string, FileKind>(Object.entries(FORMATS).map(([k, v]) => [v, k as FileKind]));

/** The kind of a parsed zkrs file from its `format` tag, or an error naming what was expected. */
export function fileKind(path: string, data: unknown, expected: readonly FileKind[], flag?: string): FileKind {
  const want = expected.map((k) => `"${FORMATS[k]}"`).join(" or ");
  const forFlag = flag ? `${flag} takes` : "expected";
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new InputError(`${path} is not a zkrs file (not a JSON object; ${forFlag} ${want})`);
  const tag = (data as Record<string, unknown>).format;
  if (tag === undefined) throw new InputError(`${path} has no "format" tag (${forFlag} a ${want} file)`);
  const kind = typeof tag === "string" ? KIND_BY_TAG.get(tag) : undefined;
  if (kind === undefined) {
    const base = typeof tag === "string" ? tag.split("@")[0] : "";
    const other = [...KIND_BY_TAG.keys()].find((t) => t.split("@")[0] === base);
    if (other) throw new InputError(`${path} has format "${String(tag)}", this zkrs reads "${other}" (file from another version?)`);
    throw new InputError(`${path} has an unknown format ${JSON.stringify(tag)} (${forFlag} ${want})`);
  }
  if (!expected.includes(kind)) throw new InputError(`${path} is a ${FORMATS[kind]} file, but ${forFlag} a ${want} file`);
  return kind;
}

const DECIMAL = /^-?(0|[1-9][0-9]*)$/;

/** Compact form of a bound in messages: 2^64 - 1 rather than 20 digits. */
export function showBound(x: bigint): string {
  const abs = x < 0n ? -x : x;
  if (abs > 1n << 20n) {
    for (const d of [0n, 1n]) {
      const y = abs + (x < 0n ? 0n : d);
      if ((y & (y - 1n)) === 0n) {
        const bits = y.toString(2).length - 1;
        return `${x < 0n ? "-" : ""}2^${bits}${d === 1n && x >= 0n ? " - 1" : ""}`;
      }
    }
  }
  return x.toString();
}

export interface BigintRange {
  min?: bigint;
  max?: bigint;
}

/** Parses a decimal integer (string, or a JSON number that is a safe integer); undefined when malformed. */
export function parseBigint(value: unknown): bigint | undefined {
  if (typeof value === "string" && DECIMAL.test(value)) return BigInt(value);
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  return undefined;
}

export function checkBigintRange(what: string, x: bigint, range: BigintRange, fail: (msg: string) => never): bigint {
  const { min, max } = range;
  if ((min !== undefined && x < min) || (max !== undefined && x > max)) {
    fail(`${what} = ${x} is out of range [${min === undefined ? "-inf" : showBound(min)}, ${max === undefined ? "inf" : showBound(max)}]`);
  }
  return x;
}

/**
 * Typed access to a parsed JSON object, where every problem is an InputError naming the file
 * and the field's path in it (e.g. `acct.json: positions[1].quantity = ... is out of range`).
 */
export class Fields {
  constructor(readonly file: string, readonly value: unknown, readonly at = "") {
    if (typeof value !== "object" || value === null || Array.isArray(value)) this.fail(undefined, "must be a JSON object");
  }

  private get obj(): Record<string, unknown> {
    return this.value as Record<string, unknown>;
  }

  name(field?: string | number): string {
    if (field === undefined) return this.at || "(top level)";
    if (typeof field === "number") return `${this.at}[${field}]`;
    return this.at ? `${this.at}.${field}` : field;
  }

  fail(field: string | number | undefined, msg: string): never {
    throw new InputError(`${this.file}: ${this.name(field)} ${msg}`);
  }

  /** Fails with a message that already names the field. */
  failWith(msg: string): never {
    throw new InputError(`${this.file}: ${msg}`);
  }

  has(field: string): boolean {
    return this.obj[field] !== undefined && this.obj[field] !== null;
  }

  raw(field: string): unknown {
    if (!this.has(field)) this.fail(field, "is missing");
    return this.obj[field];
  }

  string(field: string, pattern?: RegExp, what = "a string"): string {
    const v = this.raw(field);
    if (typeof v !== "string" || (pattern && !pattern.test(v))) this.fail(field, `must be ${what}, got ${JSON.stringify(v)}`);
    return v;
  }

  bool(field: string): boolean {
    const v = this.raw(field);
    if (typeof v !== "boolean") this.fail(field, `must be true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  number(field: string, check?: (x: number) => boolean, what = "a number"): number {
    const v = this.raw(field);
    if (typeof v !== "number" || !Number.isFinite(v) || (check && !check(v))) this.fail(field, `must be ${what}, got ${JSON.stringify(v)}`);
    return v;
  }

  optionalNumber(field: string, check?: (x: number) => boolean, what?: string): number | undefined {
    return this.has(field) ? this.number(field, check, what) : undefined;
  }

  int(field: string, min: number, max: number): number {
    const v = this.raw(field);
    if (typeof v !== "number" || !Number.isInteger(v)) this.fail(field, `must be an integer, got ${JSON.stringify(v)}`);
    if (v < min || v > max) this.fail(field, `= ${v} is out of range [${min}, ${max}]`);
    return v;
  }

  private bigintValue(name: string, v: unknown, range: BigintRange): bigint {
    const x = parseBigint(v);
    if (x === undefined) throw new InputError(`${this.file}: ${name} must be a decimal integer string, got ${JSON.stringify(v)}`);
    return checkBigintRange(name, x, range, (msg) => { throw new InputError(`${this.file}: ${msg}`); });
  }

  bigint(field: string, range: BigintRange = {}): bigint {
    return this.bigintValue(this.name(field), this.raw(field), range);
  }

  bigints(field: string, range: BigintRange = {}, length?: number): bigint[] {
    const v = this.array(field, length);
    return v.map((x, i) => this.bigintValue(`${this.name(field)}[${i}]`, x, range));
  }

  strings(field: string, length?: number, pattern?: RegExp, what = "a string"): string[] {
    const v = this.array(field, length);
    return v.map((x, i) => {
      if (typeof x !== "string" || (pattern && !pattern.test(x))) this.failWith(`${this.name(field)}[${i}] must be ${what}, got ${JSON.stringify(x)}`);
      return x;
    });
  }

  array(field: string, length?: number): unknown[] {
    const v = this.raw(field);
    if (!Array.isArray(v)) this.fail(field, "must be a JSON array");
    if (length !== undefined && v.length !== length) this.fail(field, `must have ${length} entries, has ${v.length}`);
    return v;
  }

  object(field: string): Fields {
    return new Fields(this.file, this.raw(field), this.name(field));
  }

  objects(field: string, length?: number): Fields[] {
    return this.array(field, length).map((v, i) => new Fields(this.file, v, `${this.name(field)}[${i}]`));
  }
}

/** JSON text of a value, bigints as decimal strings. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n";
}
