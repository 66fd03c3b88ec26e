/**
 * The zkrs JSON file formats of the data (snapshot, risk table, account, opening, ledger, path):
 * one encoder and one validating decoder per kind; proof files are src/protocol/'s. Every file
 * carries `"format": "zkrs/<kind>@1"`; bigints are decimal strings; a decoder names the file
 * and the field of the first problem it finds.
 */
import { accountCommitment, accountKeyOf, type AccountOpening, type Position, type TraderAccount } from "../accounts/account.js";
import { MerkleTree, type MerklePath } from "../accounts/merkleTree.js";
import { FIELD_MODULUS } from "../crypto/field.js";
import { MAX_COLLATERAL, MAX_QUANTITY, MAX_VALUE, MIN_QUANTITY, MIN_VALUE } from "../risk/bounds.js";
import { commitRiskTable } from "../risk/riskCommitment.js";
import type { InstrumentKind, MarketSnapshot, RiskTable } from "../risk/riskEngine.js";
import { Fields, FORMATS, InputError } from "./json.js";

const FIELD = { min: 0n, max: FIELD_MODULUS - 1n };
const EPOCH_MAX = 2 ** 32 - 1;
/** Instrument indices in account files; the circuit's own (smaller) limit is checked when proving. */
const INSTRUMENT_MAX = 2 ** 32 - 1;

// ---------------------------------------------------------------- market snapshot

const KINDS: readonly InstrumentKind[] = ["perp", "future", "call", "put"];

export function decodeSnapshot(file: string, data: unknown): MarketSnapshot {
  const f = new Fields(file, data);
  const positive = (x: number): boolean => x > 0;
  return {
    epoch: f.int("epoch", 0, EPOCH_MAX),
    unitsPerQuote: f.number("unitsPerQuote", positive, "a positive number"),
    rate: f.optionalNumber("rate"),
    underlyings: f.objects("underlyings").map((u) => ({
      symbol: u.string("symbol", /^.+$/, "a non-empty string"),
      price: u.number("price", positive, "a positive number"),
      vol: u.number("vol", positive, "a positive number"),
      priceScanRange: u.number("priceScanRange", (x) => x > 0 && x < 0.5, "a number in (0, 0.5)"),
      volScanRange: u.number("volScanRange", (x) => x >= 0, "a number >= 0"),
    })),
    instruments: f.objects("instruments").map((i) => ({
      id: i.string("id", /^.+$/, "a non-empty string"),
      underlying: i.string("underlying"),
      kind: i.string("kind", /^(perp|future|call|put)$/, `one of ${KINDS.join(", ")}`) as InstrumentKind,
      strike: i.optionalNumber("strike", positive, "a positive number"),
      expiryYears: i.optionalNumber("expiryYears", (x) => x >= 0, "a number >= 0"),
      contractSize: i.optionalNumber("contractSize", positive, "a positive number"),
      addonRate: i.number("addonRate", (x) => x >= 0 && x < 1, "a number in [0, 1)"),
    })),
  };
}

// ---------------------------------------------------------------- risk table

export interface TableFile {
  table: RiskTable;
  /** The commitment recorded in the file (checked against the rows on read). */
  logInstruments?: number;
  riskRoot?: bigint;
}

export function encodeTable(table: RiskTable, logInstruments: number, riskRoot: bigint): Record<string, unknown> {
  return {
    format: FORMATS.table,
    epoch: table.epoch,
    scenarios: table.scenarios,
    logInstruments,
    riskRoot: riskRoot.toString(),
    rows: table.rows.map((r) => ({ id: r.id, addon: r.addon.toString(), values: r.values.map(String) })),
  };
}

export function decodeTable(file: string, data: unknown): TableFile {
  const f = new Fields(file, data);
  const epoch = f.int("epoch", 0, EPOCH_MAX);
  const scenarios = f.int("scenarios", 1, 1000);
  const rows = f.objects("rows").map((r) => ({
    id: r.string("id"),
    values: r.bigints("values", { min: MIN_VALUE, max: MAX_VALUE }, scenarios + 1),
    addon: r.bigint("addon", { min: 0n, max: MAX_VALUE }),
  }));
  const table: RiskTable = { epoch, scenarios, rows };
  if (!f.has("riskRoot")) return { table };
  const logInstruments = f.int("logInstruments", 0, 16);
  const riskRoot = f.bigint("riskRoot", FIELD);
  if (rows.length > 2 ** logInstruments) f.fail("rows", `has ${rows.length} instruments, more than 2^logInstruments = ${2 ** logInstruments}`);
  if (commitRiskTable(table, logInstruments).riskRoot !== riskRoot) {
    f.fail("riskRoot", "does not match the table's rows (the file was edited after it was made?)");
  }
  return { table, logInstruments, riskRoot };
}

// ---------------------------------------------------------------- accounts

function encodePositions(positions: readonly Position[]): unknown[] {
  return positions.map((p) => ({ instrument: p.instrument, quantity: p.quantity.toString() }));
}

function decodePositions(f: Fields): Position[] {
  return f.objects("positions").map((p) => ({
    instrument: p.int("instrument", 0, INSTRUMENT_MAX),
    quantity: p.bigint("quantity", { min: MIN_QUANTITY, max: MAX_QUANTITY }),
  }));
}

export function encodeOpening(a: AccountOpening): Record<string, unknown> {
  return {
    format: FORMATS.opening,
    accountKey: a.accountKey.toString(),
    collateral: a.collateral.toString(),
    salt: a.salt.toString(),
    positions: encodePositions(a.positions),
  };
}

function decodeOpeningFields(f: Fields): AccountOpening {
  return {
    accountKey: f.bigint("accountKey", FIELD),
    collateral: f.bigint("collateral", { min: 0n, max: MAX_COLLATERAL }),
    salt: f.bigint("salt", FIELD),
    positions: decodePositions(f),
  };
}

export function decodeOpening(file: string, data: unknown): AccountOpening {
  return decodeOpeningFields(new Fields(file, data));
}

export function encodeAccount(a: TraderAccount): Record<string, unknown> {
  return {
    format: FORMATS.account,
    note: "SECRET: this file controls the account. Give the operator only `zkrs account opening`.",
    secret: a.secret.toString(),
    accountKey: a.accountKey.toString(),
    collateral: a.collateral.toString(),
    salt: a.salt.toString(),
    positions: encodePositions(a.positions),
  };
}

export function decodeAccount(file: string, data: unknown): TraderAccount {
  const f = new Fields(file, data);
  const secret = f.bigint("secret", FIELD);
  const opening = decodeOpeningFields(f);
  if (accountKeyOf(secret) !== opening.accountKey) f.fail("accountKey", "does not match the secret (the file was edited?)");
  return { secret, ...opening };
}

// ---------------------------------------------------------------- accounts tree

/** Tree shape an accounts root was built for: depth and position slots per leaf. */
export interface TreeShape {
  depth: number;
  positionSlots: number;
}

export interface LedgerEntry {
  /** Name the operator knows the account by (the opening's file name). */
  name: string;
  opening: AccountOpening;
}

export interface Ledger extends TreeShape {
  epoch: number;
  circuit: string;
  accountsRoot: bigint;
  accounts: LedgerEntry[];
}

export function ledgerTree(shape: TreeShape, accounts: readonly AccountOpening[]): MerkleTree {
  return new MerkleTree(shape.depth, accounts.map((a) => accountCommitment(a, shape.positionSlots)));
}

export function encodeLedger(l: Ledger): Record<string, unknown> {
  return {
    format: FORMATS.ledger,
    note: "PRIVATE to the operator: holds every account's positions.",
    epoch: l.epoch,
    circuit: l.circuit,
    depth: l.depth,
    positionSlots: l.positionSlots,
    accountsRoot: l.accountsRoot.toString(),
    accounts: l.accounts.map((e, index) => {
      const { format: _f, ...opening } = encodeOpening(e.opening);
      return { index, name: e.name, leaf: accountCommitment(e.opening, l.positionSlots).toString(), ...opening };
    }),
  };
}

export function decodeLedger(file: string, data: unknown): Ledger {
  const f = new Fields(file, data);
  const shape = { depth: f.int("depth", 1, 32), positionSlots: f.int("positionSlots", 1, 64) };
  const ledger: Ledger = {
    ...shape,
    epoch: f.int("epoch", 0, EPOCH_MAX),
    circuit: f.string("circuit"),
    accountsRoot: f.bigint("accountsRoot", FIELD),
    accounts: f.objects("accounts").map((a, i) => {
      if (a.has("index") && a.int("index", 0, EPOCH_MAX) !== i) a.fail("index", `must be ${i} (accounts are listed in leaf order)`);
      return { name: a.has("name") ? a.string("name") : `account ${i}`, opening: decodeOpeningFields(a) };
    }),
  };
  if (ledger.accounts.length > 2 ** shape.depth) f.fail("accounts", `has ${ledger.accounts.length} accounts, a tree of depth ${shape.depth} holds ${2 ** shape.depth}`);
  ledger.accounts.forEach((e, i) => {
    if (e.opening.positions.length > shape.positionSlots) f.failWith(`accounts[${i}] has ${e.opening.positions.length} positions, the tree takes ${shape.positionSlots}`);
  });
  if (ledgerTree(shape, ledger.accounts.map((e) => e.opening)).root !== ledger.accountsRoot) {
    f.fail("accountsRoot", "does not match the accounts listed (the file was edited after it was made?)");
  }
  return ledger;
}

export interface PathFile extends TreeShape {
  epoch: number;
  accountsRoot: bigint;
  leaf: bigint;
  path: MerklePath;
}

export function encodePath(p: PathFile): Record<string, unknown> {
  return {
    format: FORMATS.path,
    epoch: p.epoch,
    depth: p.depth,
    positionSlots: p.positionSlots,
    accountsRoot: p.accountsRoot.toString(),
    index: p.path.index,
    leaf: p.leaf.toString(),
    siblings: p.path.siblings.map(String),
  };
}

export function decodePath(file: string, data: unknown): PathFile {
  const f = new Fields(file, data);
  const depth = f.int("depth", 1, 32);
  return {
    epoch: f.int("epoch", 0, EPOCH_MAX),
    depth,
    positionSlots: f.int("positionSlots", 1, 64),
    accountsRoot: f.bigint("accountsRoot", FIELD),
    leaf: f.bigint("leaf", FIELD),
    path: { index: f.int("index", 0, 2 ** depth - 1), siblings: f.bigints("siblings", FIELD, depth) },
  };
}

/** Re-export for callers that only need the error type. */
export { InputError };
