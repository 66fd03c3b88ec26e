/**
 * The trader's page: withdraw from the pool with a margin proof made in this browser.
 * The account and path files are read here and never sent; the headroom per scenario comes
 * from the project's margin rule (src/trader/withdrawalHeadroom.ts over src/risk/equity.ts),
 * the checks before proving and before settling are the CLI's (src/trader/marginFiles.ts,
 * src/trader/settlePreflight.ts), the proof is snarkjs in a Web Worker (proveWorker.ts), and
 * the settlement is an `eth_sendTransaction` of the pool's `settle` call that the wallet
 * (window.ethereum, EIP-1193) signs.
 */
import { Contract, type InterfaceAbi, JsonRpcProvider, Network, type TransactionReceipt } from "ethers";
import type { VerificationKey } from "snarkjs";
import { nullifierOf, type TraderAccount } from "../../../src/accounts/account.js";
import { AuditError } from "../../../src/auditor/auditErrors.js";
import type { AuditCircuits } from "../../../src/auditor/epochAudit.js";
import { keyedVerifier } from "../../../src/auditor/keyedVerifier.js";
import { PoolReader } from "../../../src/auditor/poolReader.js";
import { probeRpc } from "../../../src/auditor/rpcProbe.js";
import { rootFromPath } from "../../../src/crypto/merkleTree.js";
import { decodeAccount, decodePath, decodeTable, type PathFile } from "../../../src/io/formats.js";
import { decodeLeafHashes } from "../../../src/protocol/leafHashes.js";
import { pathFromLeafHashes } from "../../../src/trader/pathFromLeafHashes.js";
import { fileKind, InputError } from "../../../src/io/json.js";
import { checkProof } from "../../../src/protocol/checkProof.js";
import { findCircuit, type MarginInstance } from "../../../src/protocol/circuitCatalog.js";
import { exitArgs } from "../../../src/protocol/exit.js";
import { type MarginStatement, settleArgs } from "../../../src/protocol/margin.js";
import { decodePoolEvents, EPOCH_STATUSES, type EpochStatus, haircutRatio } from "../../../src/protocol/poolEvents.js";
import { type SolidityProof, toSolidityProof } from "../../../src/protocol/solidityProof.js";
import { commitRiskTable, paddedRows } from "../../../src/risk/riskCommitment.js";
import type { RiskTable } from "../../../src/risk/riskEngine.js";
import { buildExitInput } from "../../../src/trader/exitInput.js";
import { buildMarginInput } from "../../../src/trader/marginInput.js";
import { checkMarginFiles } from "../../../src/trader/marginFiles.js";
import { settlePreflight, type SettleView } from "../../../src/trader/settlePreflight.js";
import { describeBinding, withdrawalHeadroom, type WithdrawalHeadroom } from "../../../src/trader/withdrawalHeadroom.js";
import { renderHeadroomChart } from "./headroomChart.js";
import type { ProveMessage, ProveRequest } from "./proveProtocol.js";

/** What the server tells the page (config.json beside it; the auditor's page reads the same). */
interface PageConfig {
  rpcUrl?: string;
  pool?: string;
  circuitSets: Record<string, AuditCircuits>;
  circuits?: string;
  insecureKeys?: boolean;
}

/** Why the page stopped, in one message; `kind` goes in #error's data-kind. */
class PageError extends Error {
  constructor(readonly kind: string, message: string) {
    super(message);
  }
}

/** A check with nothing to report: overtaken by a newer one (files picked again meanwhile), or a file still to pick. */
class Skipped extends Error {}

/** An EIP-1193 provider (window.ethereum). */
interface Eip1193 {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

interface Connected {
  rpcUrl: string;
  chainId: bigint;
  provider: JsonRpcProvider;
  pool: Contract;
  view: SettleView;
  /** The latest published epoch, and whether it is open for settlement. */
  epoch: number | undefined;
  info?: { riskRoot: bigint; openAccountsRoot: bigint; settleable: boolean };
  standing?: { status: EpochStatus; haircutNum: bigint; haircutDen: bigint };
  token: Contract;
  /** A frozen pool (the escape hatch): the epoch whose roots exits use, and its haircut. */
  frozen?: { epoch: number; riskRoot: bigint; accountsRoot: bigint; standing: { status: EpochStatus; haircutNum: bigint; haircutDen: bigint } };
}

interface Loaded {
  account: TraderAccount;
  path: PathFile;
  table: RiskTable;
  circuit: MarginInstance;
}

interface Proven {
  statement: MarginStatement;
  solidity: SolidityProof;
}

const $ = <T extends HTMLElement>(id: string): T => {
  const e = document.getElementById(id);
  if (!e) throw new Error(`page element #${id} missing`);
  return e as T;
};
const h = (tag: string, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
};
const n = (x: bigint): string => x.toLocaleString("en-US");

let config: PageConfig = { circuitSets: {} };
let chain: Connected | undefined;
let loaded: Loaded | undefined;
let headroom: WithdrawalHeadroom | undefined;
let proven: Proven | undefined;
let worker: Worker | undefined;

async function fetchJson(path: string): Promise<unknown> {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json() as Promise<unknown>;
}

const verifier = keyedVerifier(async (circuit) => {
  try {
    return (await fetchJson(`keys/${encodeURIComponent(circuit)}.json`)) as VerificationKey;
  } catch (err) {
    throw new Error(`no verification key for circuit ${circuit} beside the page (${(err as Error).message})`);
  }
});

// ------------------------------------------------------------------ messages

function kindOf(err: unknown): string {
  if (err instanceof PageError) return err.kind;
  if (err instanceof AuditError) return err.kind;
  if (err instanceof InputError || err instanceof RangeError) return "bad-input";
  return "other";
}

const TITLES: Record<string, string> = {
  "rpc-unreachable": "Cannot reach the node", "bad-rpc-url": "Cannot reach the node", "no-contract": "Wrong address", "bad-address": "Wrong address",
  "not-a-pool": "Not a risk pool", "wrong-epoch": "Wrong epoch", "wrong-path": "Not in the accounts root", "wrong-table": "Wrong risk table",
  "bad-input": "Cannot use this", "over-max": "Amount refused", "haircut-not-accepted": "Haircut not accepted", "no-wallet": "No wallet",
  "wallet-rejected": "Wallet request rejected", "wallet-error": "Wallet error", "wrong-chain": "Wrong chain", refused: "The pool would refuse this",
  "not-open": "Epoch not open", "prove-failed": "Proving failed", settled: "Settled already", exited: "Exited already",
};

function showError(err: unknown): void {
  const box = $("error");
  const kind = kindOf(err);
  box.replaceChildren(h("strong", {}, `${TITLES[kind] ?? "Failed"}: `), err instanceof Error ? err.message : String(err));
  box.dataset.kind = kind;
  box.hidden = false;
  document.body.dataset.error = kind;
}

function clearError(): void {
  $("error").hidden = true;
  delete $("error").dataset.kind;
  delete document.body.dataset.error;
}

async function guarded(what: string, fn: () => Promise<void>): Promise<void> {
  clearError();
  document.body.dataset[what] = "running";
  try {
    await fn();
    document.body.dataset[what] = "done";
  } catch (err) {
    if (err instanceof Skipped) {
      delete document.body.dataset[what];
      return;
    }
    showError(err);
    document.body.dataset[what] = "error";
  }
}

// ------------------------------------------------------------------ the pool

function circuitSet(): AuditCircuits {
  const set = config.circuitSets[$<HTMLSelectElement>("circuits").value];
  if (!set) throw new PageError("bad-input", "pick the pool's circuits");
  return set;
}

async function connect(): Promise<void> {
  chain = undefined;
  const rpcUrl = $<HTMLInputElement>("rpc-url").value.trim();
  const address = $<HTMLInputElement>("pool-address").value.trim();
  $("pool-status").textContent = `connecting to ${rpcUrl} …`;
  const chainId = await probeRpc(rpcUrl, (url, init) => fetch(url, init));
  const provider = new JsonRpcProvider(rpcUrl, Network.from(chainId), { staticNetwork: true, cacheTimeout: -1 });
  const abi = (await fetchJson("contracts/RiskSharingPool.abi.json")) as InterfaceAbi;
  const reader = await PoolReader.open(provider, address, abi);
  const pool = new Contract(reader.address, reader.iface, provider);
  const call = <T>(method: string, ...args: unknown[]): Promise<T> => pool.getFunction(method).staticCall(...args) as Promise<T>;
  const view: SettleView = {
    epochInfo: async (e) => {
      const [riskRoot, openAccountsRoot, settleable] = await call<[bigint, bigint, boolean]>("epochInfo", e);
      return { riskRoot, openAccountsRoot, settleable };
    },
    nullifierUsed: (x) => call<boolean>("nullifierUsed", x),
    epochStanding: async (e) => {
      const [status, haircutNum, haircutDen] = await call<[bigint, bigint, bigint]>("epochStatus", e);
      return { status: EPOCH_STATUSES[Number(status)], haircutNum, haircutDen };
    },
  };
  const [published, current, tokenAddress] = await Promise.all([call<boolean>("riskPublished"), call<bigint>("currentEpoch"), call<string>("token")]);
  const token = new Contract(tokenAddress, ["function balanceOf(address) view returns (uint256)"], provider);
  const epoch = published ? Number(current) : undefined;
  const info = epoch === undefined ? undefined : await view.epochInfo(epoch);
  const standing = info?.settleable && epoch !== undefined ? await view.epochStanding(epoch) : undefined;
  let frozen: Connected["frozen"];
  if (reader.iface.getFunction("frozen") !== null && (await call<boolean>("frozen"))) {
    const [fe, accountsRoot] = await call<[bigint, bigint]>("latestAccountsRoot");
    const e = Number(fe);
    frozen = { epoch: e, accountsRoot, riskRoot: (await view.epochInfo(e)).riskRoot, standing: await view.epochStanding(e) };
  }
  chain = { rpcUrl, chainId, provider, pool, view, epoch, info, standing, token, frozen };
  const status = $("pool-status");
  if (frozen) {
    status.dataset.epoch = String(frozen.epoch);
    status.dataset.status = "frozen";
    status.textContent = `The pool is FROZEN (the escape hatch: its operator went silent): nothing settles any more. Exits use epoch ${frozen.epoch}'s roots: `
      + `load your epoch ${frozen.epoch} account and path, and take your claim at mark${frozen.standing.status === "haircut" ? `, paid the epoch's haircut of ${haircutRatio(frozen.standing.haircutNum, frozen.standing.haircutDen)}` : ""}.`;
    if (accountFiles()) await guarded("files", loadFiles);
    return;
  }
  status.dataset.epoch = String(epoch ?? "");
  status.dataset.status = standing?.status ?? "closed";
  status.textContent = epoch === undefined ? "No epoch published yet: nothing can be settled."
    : !info?.settleable ? `Epoch ${epoch} is published but not open for settlement yet (no accepted solvency proof).`
    : standing?.status === "haircut" ? `Epoch ${epoch} is open for settlement with a HAIRCUT of ${haircutRatio(standing.haircutNum, standing.haircutDen)}: `
      + "every settlement pays that share of its amount, and you must accept it before your wallet is asked."
    : `Epoch ${epoch} is open for settlement (${standing?.status ?? "solvent"}${standing?.status === "stressed" ? ": LP withdrawals frozen, settlements pay in full" : ""}).`;
  if (accountFiles()) await guarded("files", loadFiles);
}

// ------------------------------------------------------------------ the trader's files

async function readFileJson(file: File): Promise<unknown> {
  try {
    return JSON.parse(await file.text()) as unknown;
  } catch (err) {
    throw new InputError(`${file.name} is not valid JSON (${(err as Error).message})`);
  }
}

/** Where the inclusion path comes from: the picked file (a path file or a leaf-hash file), else the epoch's published leaf hashes once asked for. */
let usePublishedLeafHashes = false;

function accountFiles(): { account: File; path: File | undefined } | undefined {
  const account = $<HTMLInputElement>("account-file").files?.[0];
  const path = $<HTMLInputElement>("path-file").files?.[0];
  return account && (path || usePublishedLeafHashes) ? { account, path } : undefined;
}

/**
 * The account's inclusion path: from a path file (zkrs/path@1) as the operator gave it, or
 * rebuilt from a leaf-hash file (zkrs/leaf-hashes@1) — picked, or the epoch's as published
 * beside the page — with src/trader/pathFromLeafHashes.ts (`zkrs path rebuild`'s rule).
 */
async function pathOf(file: File | undefined, account: TraderAccount, circuit: MarginInstance, epoch: number): Promise<{ name: string; path: PathFile; rebuilt: boolean }> {
  if (file) {
    const data = await readFileJson(file);
    if (fileKind(file.name, data, ["path", "leafHashes"]) === "path") return { name: file.name, path: decodePath(file.name, data), rebuilt: false };
    return { name: file.name, path: pathFromLeafHashes(file.name, decodeLeafHashes(file.name, data), account, circuit), rebuilt: true };
  }
  const name = `leaf-hashes/${epoch}.json`;
  const res = await fetch(name);
  if (!res.ok) throw new PageError("wrong-path", `no published leaf hashes for epoch ${epoch} beside this page: pick your path file (or the epoch's leaf-hash file)`);
  return { name, path: pathFromLeafHashes(name, decodeLeafHashes(name, await res.json()), account, circuit), rebuilt: true };
}

async function tableFor(epoch: number): Promise<{ name: string; table: RiskTable }> {
  const picked = $<HTMLInputElement>("table-file").files?.[0];
  if (picked) {
    const data = await readFileJson(picked);
    fileKind(picked.name, data, ["table"]);
    return { name: picked.name, table: decodeTable(picked.name, data).table };
  }
  // Asked each time (not from config.json's list): the server reads its tables folder per request, so a new epoch's table shows up.
  const name = `tables/${epoch}.json`;
  const res = await fetch(name);
  if (!res.ok) throw new PageError("wrong-table", `no published risk table for epoch ${epoch} beside this page: pick the epoch's table file`);
  return { name, table: decodeTable(name, await res.json()).table };
}

/** Reads the account and path files (and the table), and checks them against each other, the circuit and the chain. */
let filesCheck = 0;

async function loadFiles(): Promise<void> {
  const mine = ++filesCheck;
  const current = <T>(value: T): T => {
    if (mine !== filesCheck) throw new Skipped();
    return value;
  };
  loaded = undefined;
  proven = undefined;
  $("withdraw").hidden = true;
  $("settle").hidden = true;
  $("exit").hidden = true;
  const files = accountFiles();
  if (!files) throw new Skipped();
  const accountData = current(await readFileJson(files.account));
  fileKind(files.account.name, accountData, ["account"]);
  const account = decodeAccount(files.account.name, accountData);
  if (chain?.frozen) return loadForExit(account, files.path, current);
  const circuit = findCircuit(circuitSet().margin);
  if (circuit.kind !== "margin") throw new PageError("bad-input", `circuit ${circuit.name} is not a margin circuit`);
  if (!chain) throw new PageError("bad-input", "connect to the pool first");
  const { epoch, info } = chain;
  if (epoch === undefined || !info) throw new PageError("not-open", "the pool has no published epoch yet");
  const { name: pathName, path, rebuilt } = current(await pathOf(files.path, account, circuit, epoch));
  if (path.epoch !== epoch) {
    throw new PageError("wrong-epoch", `${pathName} is for epoch ${path.epoch}, but the pool's current epoch is ${epoch}: `
      + `use your epoch ${epoch} path or leaf hashes (accounts get a new leaf every epoch)`);
  }
  if (!info.settleable) throw new PageError("not-open", `epoch ${epoch} is not open for settlement yet (no accepted solvency proof)`);
  const { name: tableName, table } = current(await tableFor(epoch));
  checkMarginFiles({ account: files.account.name, path: pathName, table: tableName }, account, path, table, circuit);
  const root = rootFromPath(path.leaf, path.path);
  if (root !== info.openAccountsRoot || path.accountsRoot !== info.openAccountsRoot) {
    throw new PageError("wrong-path", `${pathName} does not lead to epoch ${epoch}'s accounts root on chain (${info.openAccountsRoot}): `
      + "it is a path of another tree, or the operator left your account out — ask the operator, and do not trade on this epoch until it is mended");
  }
  if (commitRiskTable(table, circuit.params.logInstruments).riskRoot !== info.riskRoot) {
    throw new PageError("wrong-table", `${tableName} is not the risk table epoch ${epoch} published on chain (its root differs from ${info.riskRoot})`);
  }
  if (current(await chain.view.nullifierUsed(nullifierOf(account.accountKey, epoch)))) {
    throw new PageError("settled", `your account settled in epoch ${epoch} already (its nullifier is spent): one settlement per epoch — the next one is from epoch ${epoch + 1}'s files`);
  }
  loaded = { account, path, table, circuit };
  const status = $("account-status");
  status.dataset.included = "true";
  status.dataset.rebuilt = String(rebuilt);
  status.textContent = `Included: your account is leaf ${path.path.index} of epoch ${epoch}'s accounts root on chain`
    + `${rebuilt ? ` (path rebuilt here from ${pathName})` : ""}. `
    + `Collateral ${n(account.collateral)}, ${account.positions.length} position(s). Computed in this page; nothing about your account was sent.`;
  $("withdraw").hidden = false;
  updateHeadroom();
}

// ------------------------------------------------------------------ a frozen pool: the exit (docs/design.md §12)

let exitable: { account: TraderAccount; path: PathFile; table: RiskTable; circuit: string; claim: bigint; taken: bigint } | undefined;

/** The trader's files against the frozen epoch: included, the right table, not exited; shows the claim and what an exit pays. */
async function loadForExit(account: TraderAccount, pathFile: File | undefined, current: <T>(v: T) => T): Promise<void> {
  exitable = undefined;
  if (!chain?.frozen) throw new PageError("bad-input", "the pool is not frozen");
  const { epoch, accountsRoot, riskRoot, standing } = chain.frozen;
  const circuit = findCircuit(circuitSet().margin);
  if (circuit.kind !== "margin") throw new PageError("bad-input", `circuit ${circuit.name} is not a margin circuit`);
  const exitCircuit = circuitSet().exit;
  if (!exitCircuit) throw new PageError("bad-input", "the page knows no exit circuit for these circuits");
  const { name: pathName, path, rebuilt } = current(await pathOf(pathFile, account, circuit, epoch));
  if (path.epoch !== epoch) throw new PageError("wrong-epoch", `${pathName} is for epoch ${path.epoch}, but exits use epoch ${epoch}'s roots: use your epoch ${epoch} path or leaf hashes`);
  if (rootFromPath(path.leaf, path.path) !== accountsRoot || path.accountsRoot !== accountsRoot) {
    throw new PageError("wrong-path", `${pathName} does not lead to epoch ${epoch}'s accounts root on chain (${accountsRoot}): ask the operator for your path on-chain (zkrs path request)`);
  }
  const { name: tableName, table } = current(await tableFor(epoch));
  checkMarginFiles({ account: "your account file", path: pathName, table: tableName }, account, path, table, circuit);
  if (commitRiskTable(table, circuit.params.logInstruments).riskRoot !== riskRoot) {
    throw new PageError("wrong-table", `${tableName} is not the risk table epoch ${epoch} published on chain (its root differs from ${riskRoot})`);
  }
  const nullifier = nullifierOf(account.accountKey, epoch);
  const [, , taken, exited] = current(await chain.pool.getFunction("nullifierRecord").staticCall(nullifier)) as [boolean, bigint, bigint, boolean];
  if (exited) throw new PageError("exited", `your account exited the frozen pool already (its epoch ${epoch} nullifier is marked exited): nobody is paid twice`);
  const claim = buildExitInput({ account, accountPath: path.path, accountsRoot, riskTable: table, epoch, recipient: "0x0000000000000000000000000000000000000001" }, circuit.params).statement.amount;
  const left = claim > taken ? claim - taken : 0n;
  const pays = standing.status === "haircut" ? (left * standing.haircutNum) / standing.haircutDen : left;
  exitable = { account, path, table, circuit: exitCircuit, claim, taken };
  const status = $("account-status");
  status.dataset.included = "true";
  status.dataset.rebuilt = String(rebuilt);
  status.textContent = `Included: your account is leaf ${path.path.index} of epoch ${epoch}'s accounts root on chain${rebuilt ? ` (path rebuilt here from ${pathName})` : ""}. Computed in this page; nothing about your account was sent.`;
  const shown = $("exit-claim");
  shown.dataset.claim = claim.toString();
  shown.dataset.pays = pays.toString();
  shown.textContent = `Your claim at epoch ${epoch}'s mark is ${n(claim)}; your account took ${n(taken)} of it before the freeze; an exit pays ${n(pays)}`
    + `${standing.status === "haircut" ? ` (the epoch's haircut of ${haircutRatio(standing.haircutNum, standing.haircutDen)}, as its settlements were paid)` : ""}. The amount is proven, not chosen.`;
  $("exit-result").hidden = true;
  $<HTMLButtonElement>("exit-button").disabled = false;
  $("exit").hidden = false;
}

/** Proves the exit in the worker, checks it here, then sends `exit` through the wallet (simulated first). */
async function exitPool(): Promise<void> {
  if (!exitable || !chain?.frozen) throw new PageError("bad-input", "load your account and path files first");
  const c = chain;
  const { epoch, accountsRoot } = chain.frozen;
  const recipient = $<HTMLInputElement>("exit-recipient").value.trim();
  const exitCircuit = findCircuit(exitable.circuit);
  if (exitCircuit.kind !== "exit") throw new PageError("bad-input", `circuit ${exitCircuit.name} is not an exit circuit`);
  const { input, statement } = buildExitInput({ account: exitable.account, accountPath: exitable.path.path, accountsRoot, riskTable: exitable.table, epoch, recipient }, exitCircuit.params);
  const bar = $<HTMLProgressElement>("exit-progress");
  const step = $("exit-step");
  bar.hidden = false;
  bar.value = 0;
  $<HTMLButtonElement>("exit-button").disabled = true;
  try {
    const name = exitable.circuit;
    const done = await proveInWorker({
      input: Object.fromEntries(Object.entries(input).map(([k, v]) => [k, stringify(v)])),
      wasmUrl: new URL(`circuits/${name}.wasm`, location.href).href, zkeyUrl: new URL(`circuits/${name}.zkey`, location.href).href,
    }, (fraction, what) => { bar.value = fraction; step.textContent = `${Math.round(fraction * 100)}% — ${what}`; });
    const verdict = await checkProof({ kind: "exit", proof: { circuit: name, proof: done.proof, publicSignals: done.publicSignals, statement } }, verifier);
    if (!verdict.valid) throw new PageError("prove-failed", `the exit proof made here does not verify (${verdict.reason ?? "invalid"})`);
    step.textContent = `proof ready: witness ${done.timings.witnessMs} ms, Groth16 ${done.timings.proveMs} ms, verified in this page`;
    const data = c.pool.interface.encodeFunctionData("exit", [epoch, ...exitArgs(statement, toSolidityProof(done.proof))]);
    const { hash, receipt } = await sendThroughWallet(c, data, "exit", (sent) => { step.textContent = `sent ${sent}, waiting for it to be mined …`; });
    const e = decodePoolEvents(c.pool.interface, receipt.logs).find((x) => x.name === "Exited");
    if (e?.name !== "Exited") throw new PageError("refused", `transaction ${hash} has no Exited event`);
    const result = $("exit-result");
    result.hidden = false;
    result.className = "result ok";
    result.dataset.paid = e.args.paid.toString();
    result.replaceChildren(
      h("strong", {}, `Exited: paid ${n(e.args.paid)} to ${e.args.recipient}.`),
      h("p", {}, `Claim ${n(e.args.amount)} at mark, ${n(e.args.taken)} taken before the freeze. Transaction ${hash} (block ${receipt.blockNumber}, ${n(receipt.gasUsed)} gas).`),
    );
    exitable = undefined;
  } catch (err) {
    $<HTMLButtonElement>("exit-button").disabled = false;
    throw err;
  }
}

// ------------------------------------------------------------------ headroom while typing

function amountTyped(): bigint | undefined {
  const v = $<HTMLInputElement>("amount").value.trim().replace(/[_,\s]/g, "");
  return /^(0|[1-9][0-9]*)$/.test(v) ? BigInt(v) : undefined;
}

/** The refusal of an amount above the largest compliant one, naming the scenario that binds. */
function overMax(hr: WithdrawalHeadroom): string | undefined {
  if (hr.maxAmount === undefined) {
    const short = -hr.headroom[hr.worstColumn] - hr.amount;
    return `this account is under its requirement in ${describeBinding(hr.binding)} (short by ${n(short)} before any withdrawal): nothing can be withdrawn`;
  }
  if (hr.amount <= hr.maxAmount) return undefined;
  return `${n(hr.amount)} is above the largest compliant amount ${n(hr.maxAmount)}: ${describeBinding(hr.binding)} binds`
    + (hr.binding.kind === "scenario" ? ` (headroom there would be ${n(hr.headroom[hr.binding.column])})` : "");
}

function updateHeadroom(): void {
  const limit = $("limit");
  if (!loaded) return;
  const amount = amountTyped();
  if (amount === undefined) {
    limit.className = "limit bad";
    limit.textContent = "The amount must be a whole number of token base units.";
    $<HTMLButtonElement>("prove-button").disabled = true;
    return;
  }
  const rows = paddedRows(loaded.table, loaded.circuit.params.logInstruments);
  const hr = withdrawalHeadroom(loaded.account, rows, loaded.circuit.params.scenarios, amount);
  headroom = hr;
  $("headroom-chart").replaceChildren(renderHeadroomChart(hr));
  const refusal = overMax(hr);
  limit.dataset.max = hr.maxAmount?.toString() ?? "none";
  limit.dataset.binding = describeBinding(hr.binding);
  limit.dataset.over = String(refusal !== undefined);
  limit.className = `limit ${refusal ? "bad" : "ok"}`;
  limit.replaceChildren(
    hr.maxAmount === undefined ? "" : h("span", {}, `Largest compliant amount: `, h("strong", { id: "max-amount" }, n(hr.maxAmount)), ` (binds: ${describeBinding(hr.binding)}). `),
    refusal ? h("span", { id: "refusal" }, `Refused: ${refusal}.`) : h("span", {}, `Withdrawing ${n(amount)} leaves at least ${n(hr.headroom[hr.worstColumn])} of headroom (in ${hr.labels[hr.worstColumn]}).`),
  );
  $<HTMLButtonElement>("prove-button").disabled = refusal !== undefined;
}

function invalidateProof(): void {
  if (proven) {
    proven = undefined;
    $("settle").hidden = true;
  }
}

// ------------------------------------------------------------------ proving in a worker

function stringify(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stringify);
  return typeof value === "bigint" || typeof value === "number" ? value.toString() : value;
}

function proveInWorker(req: ProveRequest, onProgress: (fraction: number, step: string) => void): Promise<Extract<ProveMessage, { type: "done" }>> {
  worker ??= new Worker(new URL("./proveWorker.ts", import.meta.url), { type: "module" });
  const w = worker;
  return new Promise((resolve, reject) => {
    w.onmessage = (e: MessageEvent<ProveMessage>) => {
      const m = e.data;
      if (m.type === "progress") onProgress(m.fraction, m.step);
      else if (m.type === "done") resolve(m);
      else reject(new PageError("prove-failed", m.message));
    };
    w.onerror = (e) => reject(new PageError("prove-failed", `the prover worker failed: ${e.message}`));
    w.postMessage(req);
  });
}

async function prove(): Promise<void> {
  invalidateProof();
  if (!loaded || !chain?.info) throw new PageError("bad-input", "load your account and path files first");
  const hr = headroom;
  const refusal = hr && overMax(hr);
  if (!hr || refusal) throw new PageError("over-max", refusal ?? "type the amount to withdraw");
  const recipient = $<HTMLInputElement>("recipient").value.trim();
  const epoch = loaded.path.epoch;
  const { input, statement } = buildMarginInput({
    account: loaded.account, accountPath: loaded.path.path, accountsRoot: chain.info.openAccountsRoot, riskTable: loaded.table, epoch, recipient, amount: hr.amount,
  }, loaded.circuit.params);
  const bar = $<HTMLProgressElement>("prove-progress");
  const step = $("prove-step");
  const button = $<HTMLButtonElement>("prove-button");
  bar.hidden = false;
  bar.value = 0;
  button.disabled = true;
  const frozen = ["amount", "recipient", "max-button", "wallet-address", "account-file", "path-file", "table-file", "use-leaf-hashes"].map((id) => $<HTMLInputElement>(id));
  for (const e of frozen) e.disabled = true;
  // How long the page's own thread was ever kept busy while the worker proved (it should stay free).
  let last = performance.now(), stall = 0;
  const beat = setInterval(() => { const t = performance.now(); stall = Math.max(stall, t - last); last = t; }, 50);
  const seen = new Set<string>();
  document.body.dataset.proving = "true";
  try {
    const name = loaded.circuit.name;
    const done = await proveInWorker({
      input: Object.fromEntries(Object.entries(input).map(([k, v]) => [k, stringify(v)])),
      wasmUrl: new URL(`circuits/${name}.wasm`, location.href).href, zkeyUrl: new URL(`circuits/${name}.zkey`, location.href).href,
    }, (fraction, what) => {
      bar.value = fraction;
      seen.add(fraction.toFixed(2));
      bar.dataset.updates = String(seen.size);
      step.textContent = `${Math.round(fraction * 100)}% — ${what}`;
    });
    const verdict = await checkProof({ kind: "margin", proof: { circuit: name, proof: done.proof, publicSignals: done.publicSignals, statement } }, verifier);
    if (!verdict.valid) throw new PageError("prove-failed", `the proof made here does not verify (${verdict.reason ?? "invalid"})`);
    proven = { statement, solidity: toSolidityProof(done.proof) };
    const t = done.timings;
    document.body.dataset.proveMs = String(t.witnessMs + t.proveMs);
    step.textContent = `proof ready: witness ${t.witnessMs} ms, Groth16 ${t.proveMs} ms (keys fetched in ${t.downloadMs} ms), verified in this page`;
    await showSettle();
  } finally {
    clearInterval(beat);
    document.body.dataset.maxStallMs = String(Math.round(stall));
    delete document.body.dataset.proving;
    button.disabled = false;
    for (const e of frozen) e.disabled = false;
  }
}

// ------------------------------------------------------------------ settling through the wallet

function wallet(): Eip1193 {
  const eth = (window as unknown as { ethereum?: Eip1193 }).ethereum;
  if (!eth || typeof eth.request !== "function") throw new PageError("no-wallet", "no wallet in this browser (window.ethereum): install or unlock an Ethereum wallet");
  return eth;
}

async function ask(method: string, params: unknown[] = []): Promise<unknown> {
  try {
    return await wallet().request({ method, params });
  } catch (err) {
    if (err instanceof PageError) throw err;
    const e = err as { code?: number; message?: string };
    if (e.code === 4001) throw new PageError("wallet-rejected", `the wallet rejected the request (${method}): nothing was sent; your proof is kept — settle again when ready`);
    throw new PageError("wallet-error", `the wallet could not ${method} (${e.message ?? String(err)})`);
  }
}

async function showSettle(): Promise<void> {
  if (!proven || !chain) return;
  const s = proven.statement;
  $("proof-summary").textContent = `Proof of margin compliance for epoch ${s.epoch}: pays ${n(s.amount)} to ${s.recipient}. Nullifier ${s.nullifier.toString().slice(0, 16)}…`;
  const outlook = await settlePreflight(chain.view, s, "the proof");
  const note = $("haircut-note");
  note.hidden = outlook.haircut === undefined;
  if (outlook.haircut) $("haircut-text").textContent = `${outlook.haircut.message}.`;
  $<HTMLInputElement>("accept-haircut").checked = false;
  $("settle-result").hidden = true;
  $<HTMLButtonElement>("settle-button").disabled = false;
  $("settle").hidden = false;
}

function revertReason(err: unknown): string {
  const e = err as { data?: unknown; info?: { error?: { data?: unknown } }; error?: { data?: unknown }; shortMessage?: string; message?: string };
  const data = [e.data, e.info?.error?.data, e.error?.data].find((d): d is string => typeof d === "string" && d.startsWith("0x"));
  if (data && chain) {
    const parsed = chain.pool.interface.parseError(data);
    if (parsed) return `${parsed.name}(${parsed.args.map(String).join(", ")})`;
  }
  return e.shortMessage ?? e.message ?? String(err);
}

/**
 * Sends a pool call through the wallet: its account, on the pool's chain, the call simulated first
 * (a refusal asks the wallet nothing), then `eth_sendTransaction`; returns the mined receipt.
 */
async function sendThroughWallet(c: Connected, data: string, what: string, onSent: (hash: string) => void): Promise<{ hash: string; receipt: TransactionReceipt }> {
  const accounts = (await ask("eth_requestAccounts")) as string[];
  const from = accounts?.[0];
  if (typeof from !== "string") throw new PageError("wallet-error", "the wallet gave no account");
  const walletChain = BigInt((await ask("eth_chainId")) as string);
  if (walletChain !== c.chainId) throw new PageError("wrong-chain", `the wallet is on chain ${walletChain}, the pool is on chain ${c.chainId} (${c.rpcUrl}): switch the wallet's network`);
  const to = await c.pool.getAddress();
  try {
    await c.provider.call({ from, to, data });
  } catch (err) {
    throw new PageError("refused", `the pool would refuse this ${what}: ${revertReason(err)} (your wallet was not asked)`);
  }
  const hash = (await ask("eth_sendTransaction", [{ from, to, data }])) as string;
  onSent(hash);
  return { hash, receipt: await minedReceipt(c, hash) };
}

/** The receipt of a transaction the wallet sent, once mined (3 minutes at most); refused if it reverted. */
async function minedReceipt(c: Connected, hash: string): Promise<TransactionReceipt> {
  let receipt = await c.provider.getTransactionReceipt(hash);
  for (let waited = 0; !receipt; waited += 250) {
    if (waited > 180_000) throw new PageError("wallet-error", `transaction ${hash} was not mined within 3 minutes`);
    await new Promise((ok) => setTimeout(ok, 250));
    receipt = await c.provider.getTransactionReceipt(hash);
  }
  if (receipt.status !== 1) throw new PageError("refused", `transaction ${hash} reverted on chain`);
  return receipt;
}

async function settle(): Promise<void> {
  if (!proven || !chain) throw new PageError("bad-input", "prove first");
  const c = chain;
  const s = proven.statement;
  const outlook = await settlePreflight(c.view, s, "the proof");
  if (outlook.haircut && !$<HTMLInputElement>("accept-haircut").checked) {
    throw new PageError("haircut-not-accepted", `${outlook.haircut.message}; tick "I accept the haircut" to settle anyway (your wallet was not asked)`);
  }
  const before = (await c.token.getFunction("balanceOf").staticCall(s.recipient)) as bigint;
  const result = $("settle-result");
  const { hash, receipt } = await sendThroughWallet(c, c.pool.interface.encodeFunctionData("settle", settleArgs(s, proven.solidity)), "settlement", (sent) => {
    result.hidden = false;
    result.className = "result";
    result.textContent = `sent ${sent}, waiting for it to be mined …`;
  });
  const settled = decodePoolEvents(c.pool.interface, receipt.logs).find((e) => e.name === "Settled");
  if (settled?.name !== "Settled") throw new PageError("refused", `transaction ${hash} has no Settled event`);
  const after = (await c.token.getFunction("balanceOf").staticCall(s.recipient)) as bigint;
  const { amount, paid, recipient } = settled.args;
  result.className = "result ok";
  result.dataset.paid = paid.toString();
  result.dataset.amount = amount.toString();
  result.replaceChildren(
    h("strong", {}, paid === amount ? `Settled: paid ${n(paid)} to ${recipient}.` : `Settled with the haircut: paid ${n(paid)} of ${n(amount)} to ${recipient}.`),
    h("p", {}, `Recipient's balance ${n(before)} → ${n(after)}. Transaction ${hash} (block ${receipt.blockNumber}, ${n(receipt.gasUsed)} gas).`),
    h("p", { class: "note" }, `Your account's settlement for epoch ${s.epoch} is spent; the operator debits it in the next epoch's ledger.`),
  );
  $<HTMLButtonElement>("settle-button").disabled = true;
  proven = undefined;
}

// ------------------------------------------------------------------ start

async function start(): Promise<void> {
  try {
    config = { ...config, ...((await fetchJson("config.json")) as Partial<PageConfig>) };
  } catch {
    // a page opened without the server: the trader types everything in
  }
  const select = $<HTMLSelectElement>("circuits");
  select.replaceChildren(...Object.keys(config.circuitSets).map((k) => h("option", { value: k }, k)));
  const q = new URLSearchParams(location.search);
  const rpc = q.get("rpc") ?? config.rpcUrl;
  const pool = q.get("pool") ?? config.pool;
  if (rpc) $<HTMLInputElement>("rpc-url").value = rpc;
  if (pool) $<HTMLInputElement>("pool-address").value = pool;
  const set = q.get("circuits") ?? config.circuits;
  if (set && config.circuitSets[set]) select.value = set;
  if (config.insecureKeys) $("keys-note").textContent = "These keys come from a development trusted setup (insecure): fine for a test pool, never for money.";
  $("pool-form").addEventListener("submit", (e) => { e.preventDefault(); void guarded("connect", connect); });
  $("path-file").addEventListener("change", () => { usePublishedLeafHashes = false; });
  for (const id of ["account-file", "path-file", "table-file"]) $(id).addEventListener("change", () => void guarded("files", loadFiles));
  $("use-leaf-hashes").addEventListener("click", () => {
    usePublishedLeafHashes = true;
    $<HTMLInputElement>("path-file").value = "";
    void guarded("files", loadFiles);
  });
  $("amount").addEventListener("input", () => { invalidateProof(); updateHeadroom(); });
  $("recipient").addEventListener("input", invalidateProof);
  $("max-button").addEventListener("click", () => {
    if (headroom?.maxAmount === undefined) return;
    $<HTMLInputElement>("amount").value = headroom.maxAmount.toString();
    invalidateProof();
    updateHeadroom();
  });
  $("wallet-address").addEventListener("click", () => void guarded("wallet", async () => {
    const accounts = (await ask("eth_requestAccounts")) as string[];
    if (typeof accounts?.[0] !== "string") throw new PageError("wallet-error", "the wallet gave no account");
    $<HTMLInputElement>("recipient").value = accounts[0];
    invalidateProof();
  }));
  $("prove-button").addEventListener("click", () => void guarded("prove", prove));
  $("settle-button").addEventListener("click", () => void guarded("settle", settle));
  $("exit-button").addEventListener("click", () => void guarded("exit", exitPool));
  document.body.dataset.ready = "true";
  if (rpc && pool) await guarded("connect", connect);
}

void start();
