/**
 * The zkrs JSON file formats: one encoder and one validating decoder per kind. Every file
 * carries `"format": "zkrs/<kind>@1"`; bigints are decimal strings; a decoder names the file
 * and the field of the first problem it finds.
 */
import type { Groth16Proof } from "snarkjs";
import { getAddress, isAddress } from "ethers";
import { accountCommitment, accountKeyOf, type AccountOpening, type Position, type TraderAccount } from "../accounts/account.js";
import { MerkleTree, type MerklePath } from "../accounts/merkleTree.js";
import { FIELD_MODULUS } from "../crypto/field.js";
import { SOLVENCY_PUBLIC_SIGNALS } from "../build/circuitCatalog.js";
import type { LiquidationStatement } from "../operator/liquidationInput.js";
import type { LiquidationProof } from "../operator/proveLiquidation.js";
import type { BatchStatement } from "../operator/solvencyBatches.js";
import type { BatchProof, SolvencyProof } from "../operator/proveSolvency.js";
import { toSolidityProof } from "../proof/solidityProof.js";
import { EQUITY_BITS, MAX_BOUND, MAX_COLLATERAL, MAX_QUANTITY, MAX_VALUE, MIN_QUANTITY, MIN_VALUE } from "../risk/bounds.js";
import { commitRiskTable } from "../risk/riskCommitment.js";
import type { InstrumentKind, MarketSnapshot, RiskTable } from "../risk/riskEngine.js";
import type { MarginStatement } from "../trader/marginInput.js";
import type { MarginProof } from "../trader/proveMargin.js";
import { smallSnapshot } from "../demo/demoMarket.js";
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

/** An example snapshot (two underlyings, perps and options), for `zkrs risk example`. */
export function exampleSnapshot(epoch = 1): Record<string, unknown> {
  return { format: FORMATS.snapshot, ...smallSnapshot(epoch), rate: 0 };
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

// ---------------------------------------------------------------- proofs

const NUMERIC = /^(0|[1-9][0-9]*)$/;

function decodeGroth16(f: Fields): Groth16Proof {
  const pair = (g: Fields, field: string, n: number): string[] => g.strings(field, n, NUMERIC, "a decimal string");
  const piB = f.array("pi_b", 3).map((row, i) => {
    if (!Array.isArray(row) || row.length !== 2 || row.some((x) => typeof x !== "string" || !NUMERIC.test(x))) f.failWith(`${f.name("pi_b")}[${i}] must be two decimal strings`);
    return row as string[];
  });
  return { pi_a: pair(f, "pi_a", 3), pi_b: piB, pi_c: pair(f, "pi_c", 3), protocol: f.string("protocol", /^groth16$/, '"groth16"'), curve: f.string("curve", /^bn128$/, '"bn128"') };
}

function publicSignals(f: Fields, n: number): string[] {
  return f.strings("publicSignals", n, NUMERIC, "a decimal string");
}

function timings(f: Fields): { witnessMs: number; proveMs: number } {
  if (!f.has("timings")) return { witnessMs: 0, proveMs: 0 };
  const t = f.object("timings");
  return { witnessMs: t.number("witnessMs"), proveMs: t.number("proveMs") };
}

/** sha256 of the zkey a proof was made with, when recorded (tells "keys were regenerated" apart from tampering). */
export function proofKeys(data: unknown): string | undefined {
  const k = (data as Record<string, unknown>).zkeySha256;
  return typeof k === "string" ? k : undefined;
}

export function encodeMarginProof(p: MarginProof, zkeySha256?: string): Record<string, unknown> {
  const s = p.statement;
  return {
    format: FORMATS.marginProof,
    circuit: p.circuit,
    zkeySha256,
    statement: {
      epoch: s.epoch, riskRoot: s.riskRoot.toString(), accountsRoot: s.accountsRoot.toString(), nullifier: s.nullifier.toString(),
      recipient: s.recipient, amount: s.amount.toString(),
    },
    publicSignals: p.publicSignals,
    proof: p.proof,
    timings: p.timings,
  };
}

export function decodeMarginProof(file: string, data: unknown): MarginProof {
  const f = new Fields(file, data);
  const s = f.object("statement");
  const recipient = s.string("recipient", /^0x[0-9a-fA-F]{40}$/, "a 0x address");
  if (!isAddress(recipient)) s.fail("recipient", `is not a valid address (bad checksum?): ${recipient}`);
  const statement: MarginStatement = {
    epoch: s.int("epoch", 0, EPOCH_MAX),
    riskRoot: s.bigint("riskRoot", FIELD),
    accountsRoot: s.bigint("accountsRoot", FIELD),
    nullifier: s.bigint("nullifier", FIELD),
    recipient: getAddress(recipient),
    amount: s.bigint("amount", { min: 0n, max: MAX_COLLATERAL }),
  };
  const proof = decodeGroth16(f.object("proof"));
  return { circuit: f.string("circuit"), statement, publicSignals: publicSignals(f, 6), proof, solidity: toSolidityProof(proof), timings: timings(f) };
}

function encodeBatchStatement(s: BatchStatement): Record<string, unknown> {
  return {
    epoch: s.epoch, riskRoot: s.riskRoot.toString(), accountsRoot: s.accountsRoot.toString(), stressTotal: s.stressTotal.toString(),
    markTotal: s.markTotal.toString(), batchIndex: s.batchIndex, isLast: s.isLast, prevTotalsCommitment: s.prevTotalsCommitment.toString(), totalsCommitment: s.totalsCommitment.toString(),
  };
}

export function encodeSolvencyProof(p: SolvencyProof, zkeySha256?: string): Record<string, unknown> {
  return {
    format: FORMATS.solvencyProof,
    circuit: p.circuit,
    zkeySha256,
    epoch: p.epoch,
    riskRoot: p.riskRoot.toString(),
    accountsRoot: p.accountsRoot.toString(),
    stressTotal: p.stressTotal.toString(),
    markTotal: p.markTotal.toString(),
    batches: p.batches.map((b) => ({ statement: encodeBatchStatement(b.statement), publicSignals: b.publicSignals, proof: b.proof, timings: b.timings })),
  };
}

export function decodeSolvencyProof(file: string, data: unknown): SolvencyProof {
  const f = new Fields(file, data);
  const batches = f.objects("batches").map((b): BatchProof => {
    const s = b.object("statement");
    const statement: BatchStatement = {
      epoch: s.int("epoch", 0, EPOCH_MAX),
      riskRoot: s.bigint("riskRoot", FIELD),
      accountsRoot: s.bigint("accountsRoot", FIELD),
      stressTotal: s.bigint("stressTotal", { min: 0n, max: MAX_BOUND }),
      markTotal: s.bigint("markTotal", { min: 0n, max: MAX_BOUND }),
      batchIndex: s.int("batchIndex", 0, EPOCH_MAX),
      isLast: s.bool("isLast"),
      prevTotalsCommitment: s.bigint("prevTotalsCommitment", FIELD),
      totalsCommitment: s.bigint("totalsCommitment", FIELD),
    };
    const proof = decodeGroth16(b.object("proof"));
    return { circuit: f.string("circuit"), statement, publicSignals: publicSignals(b, SOLVENCY_PUBLIC_SIGNALS.length), proof, solidity: toSolidityProof(proof), timings: timings(b) };
  });
  if (batches.length === 0) f.fail("batches", "is empty");
  return {
    circuit: f.string("circuit"),
    epoch: f.int("epoch", 0, EPOCH_MAX),
    riskRoot: f.bigint("riskRoot", FIELD),
    accountsRoot: f.bigint("accountsRoot", FIELD),
    stressTotal: f.bigint("stressTotal", { min: 0n, max: MAX_BOUND }),
    markTotal: f.bigint("markTotal", { min: 0n, max: MAX_BOUND }),
    batches,
  };
}

/**
 * A liquidation proof as a file: what the contract and an auditor need (statement, signals,
 * proof points). The breached column and its headroom stay with the operator: they would tell
 * the public which scenario sank the account.
 */
export type LiquidationProofFile = Pick<LiquidationProof, "circuit" | "statement" | "publicSignals" | "proof" | "solidity" | "timings">;

/** penalty <= R and deficit < |E_0|, both below the equity bound 2^84. */
const WATERFALL_AMOUNT = { min: 0n, max: (1n << EQUITY_BITS) - 1n };

export function encodeLiquidationProof(p: LiquidationProofFile, zkeySha256?: string): Record<string, unknown> {
  const s = p.statement;
  return {
    format: FORMATS.liquidationProof,
    circuit: p.circuit,
    zkeySha256,
    statement: {
      epoch: s.epoch, riskRoot: s.riskRoot.toString(), accountsRoot: s.accountsRoot.toString(), tag: s.tag.toString(),
      penalty: s.penalty.toString(), deficit: s.deficit.toString(),
    },
    publicSignals: p.publicSignals,
    proof: p.proof,
    timings: p.timings,
  };
}

export function decodeLiquidationProof(file: string, data: unknown): LiquidationProofFile {
  const f = new Fields(file, data);
  const s = f.object("statement");
  const statement: LiquidationStatement = {
    epoch: s.int("epoch", 0, EPOCH_MAX),
    riskRoot: s.bigint("riskRoot", FIELD),
    accountsRoot: s.bigint("accountsRoot", FIELD),
    tag: s.bigint("tag", FIELD),
    penalty: s.bigint("penalty", WATERFALL_AMOUNT),
    deficit: s.bigint("deficit", WATERFALL_AMOUNT),
  };
  const proof = decodeGroth16(f.object("proof"));
  return { circuit: f.string("circuit"), statement, publicSignals: publicSignals(f, 6), proof, solidity: toSolidityProof(proof), timings: timings(f) };
}

/** Re-export for callers that only need the error type. */
export { InputError };
