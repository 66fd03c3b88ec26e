import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { AccountOpening, TraderAccount } from "../accounts/account.js";
import { checkOpening } from "../accounts/account.js";
import { type CircuitInstance, type ExitInstance, findCircuit, type LiquidationInstance, type MarginInstance, type PortfolioInstance, type RiskTableInstance, type SolvencyInstance } from "../protocol/circuitCatalog.js";
import { decodeAccount, decodeLedger, decodeOpening, decodePath, decodeSnapshot, decodeTable, type Ledger, type PathFile, type TableFile } from "../io/formats.js";
import { FORMATS, InputError } from "../io/json.js";
import { readJsonFile, readTagged } from "../io/jsonFile.js";
import { type AnyProof, decodeProofFile, type ProofKindName } from "../protocol/checkProof.js";
import { decodeLeafHashes, type LeafHashes } from "../protocol/leafHashes.js";
import type { MarketSnapshot } from "../risk/riskEngine.js";

export function loadSnapshot(path: string, flag = "--snapshot"): MarketSnapshot {
  return decodeSnapshot(path, readTagged(path, ["snapshot"], flag).data);
}

export function loadTable(path: string, flag = "--table"): TableFile {
  return decodeTable(path, readTagged(path, ["table"], flag).data);
}

/**
 * Loads a secret account file. Like ssh with a private key, warns (through `warn`: the command's
 * progress log, on stderr) when the file is readable or writable by anyone but its owner: it
 * holds the account's secret.
 */
export function loadAccount(path: string, warn: (line: string) => void, flag = "--account"): TraderAccount {
  const account = decodeAccount(path, readTagged(path, ["account"], flag).data);
  warnIfShared(path, warn);
  return account;
}

/** The warning for a secret file others can read or write (mode & 0o077 != 0), if any. */
export function warnIfShared(path: string, warn: (line: string) => void): void {
  if (process.platform === "win32") return;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  warn(`warning: ${path} is accessible by others (mode ${mode.toString(8).padStart(4, "0")}): it holds your account's secret; run \`chmod 600 ${path}\``);
}

export function loadLedger(path: string, flag = "--ledger"): Ledger {
  return decodeLedger(path, readTagged(path, ["ledger"], flag).data);
}

export function loadPath(path: string, flag = "--path"): PathFile {
  return decodePath(path, readTagged(path, ["path"], flag).data);
}

/** A published leaf-hash file (zkrs/leaf-hashes@1), its root recomputed and checked. */
export function loadLeafHashes(path: string, flag = "--leaf-hashes"): LeafHashes {
  return decodeLeafHashes(path, readTagged(path, ["leafHashes"], flag).data);
}

/** A proof file as read: its kind and proof, the file name and the zkey it was made with. */
export type LoadedProof = AnyProof & { file: string; zkeySha256?: string };

/** Reads a margin, solvency or liquidation proof file (or one of `kinds`). */
export function loadProof(path: string, flag = "--proof", kinds?: readonly ProofKindName[]): LoadedProof {
  return { ...decodeProofFile(path, readJsonFile(path, flag), kinds, flag), file: path };
}

export interface NamedOpening {
  /** Short name: the file name without .json / .opening. */
  name: string;
  file: string;
  opening: AccountOpening;
}

function shortName(file: string): string {
  return basename(file).replace(/\.json$/i, "").replace(/\.opening$/i, "");
}

/**
 * Account openings from files and folders (a folder contributes its *.json opening files in
 * name order; other zkrs files in it, such as path files, are skipped). Order is leaf order.
 */
export function loadOpenings(sources: readonly string[], log: (line: string) => void): NamedOpening[] {
  if (sources.length === 0) throw new InputError("no account openings given (--openings file-or-folder ...)");
  const out: NamedOpening[] = [];
  for (const src of sources) {
    if (existsSync(src) && statSync(src).isDirectory()) {
      const files = readdirSync(src).filter((f) => f.toLowerCase().endsWith(".json")).sort();
      let taken = 0;
      for (const f of files) {
        const file = join(src, f);
        const data = readJsonFile(file);
        const tag = typeof data === "object" && data !== null ? (data as Record<string, unknown>).format : undefined;
        if (tag !== FORMATS.opening) {
          if (typeof tag === "string" && tag.startsWith("zkrs/")) {
            if (tag === FORMATS.account) throw new InputError(`${file} is a secret account file (zkrs/account@1): give the operator \`zkrs account opening\` instead`);
            log(`skipping ${file} (${tag})`);
            continue;
          }
          readTagged(file, ["opening"]); // throws the precise error
        }
        out.push({ name: shortName(file), file, opening: decodeOpening(file, data) });
        taken++;
      }
      if (taken === 0) throw new InputError(`--openings ${src}: the folder holds no account opening files`);
    } else {
      out.push({ name: shortName(src), file: src, opening: decodeOpening(src, readTagged(src, ["opening"], "--openings").data) });
    }
  }
  const names = new Map<string, string>();
  const keys = new Map<bigint, string>();
  for (const o of out) {
    const other = names.get(o.name);
    if (other) throw new InputError(`${o.file} and ${other} have the same name "${o.name}" (their path files would clash)`);
    names.set(o.name, o.file);
    const sameKey = keys.get(o.opening.accountKey);
    if (sameKey) throw new InputError(`${o.file}: accountKey is the same as in ${sameKey} (one leaf per account: the same account listed twice?)`);
    keys.set(o.opening.accountKey, o.file);
  }
  return out;
}

/** Checks openings against a circuit's bounds (position slots, listed instruments), naming the file. */
export function checkOpeningsFor(openings: readonly NamedOpening[], circuit: PortfolioInstance): void {
  const p = circuit.params;
  if (openings.length > 2 ** p.depth) throw new InputError(`${openings.length} accounts do not fit the accounts tree of ${circuit.name} (depth ${p.depth})`);
  for (const o of openings) {
    try {
      checkOpening(o.opening, p.positions, 2 ** p.logInstruments);
    } catch (err) {
      throw new InputError(`${o.file}: ${(err as Error).message} (circuit ${circuit.name})`);
    }
  }
}

/** A circuit from the catalog, of the expected kind. */
export function catalogCircuit(name: string, kind: "margin"): MarginInstance;
export function catalogCircuit(name: string, kind: "solvency"): SolvencyInstance;
export function catalogCircuit(name: string, kind: "liquidation"): LiquidationInstance;
export function catalogCircuit(name: string, kind: "riskTable"): RiskTableInstance;
export function catalogCircuit(name: string, kind: "exit"): ExitInstance;
/** Any circuit about accounts (margin, solvency or liquidation): not the risk-table circuit. */
export function catalogCircuit(name: string, kind: "portfolio"): PortfolioInstance;
export function catalogCircuit(name: string, kind: "any"): CircuitInstance;
export function catalogCircuit(name: string, kind: CircuitInstance["kind"] | "portfolio" | "any"): CircuitInstance {
  let c: CircuitInstance;
  try {
    c = findCircuit(name);
  } catch (err) {
    throw new InputError(`--circuit: ${(err as Error).message}`);
  }
  if (kind === "portfolio" ? c.kind === "riskTable" : kind !== "any" && c.kind !== kind) {
    throw new InputError(`--circuit ${name} is a ${c.kind} circuit, this command needs a ${kind === "portfolio" ? "margin, solvency, liquidation or exit" : kind} circuit`);
  }
  return c;
}
