/**
 * The auditor's page: everything runs here, in the browser. The chain is read through the
 * JSON-RPC URL the auditor gives; verification keys, the pool's ABI and the published risk
 * tables come from beside the page (or, for tables, from files the auditor picks); the
 * trader's own files are read locally and never sent. The audit itself is src/auditor/ — the
 * same code `zkrs audit` runs.
 */
import { type InterfaceAbi, JsonRpcProvider, Network } from "ethers";
import type { VerificationKey } from "snarkjs";
import type { AccountToCheck } from "../../src/auditor/accountCheck.js";
import { checkAccount } from "../../src/auditor/accountCheck.js";
import { AuditError } from "../../src/auditor/auditErrors.js";
import { type AuditCircuits, type AuditReport, loadPoolHistory, type PoolHistory, type ProofVerifier } from "../../src/auditor/epochAudit.js";
import { formatAuditReport } from "../../src/auditor/formatAuditReport.js";
import { keyedVerifier } from "../../src/auditor/keyedVerifier.js";
import { auditPoolWith, type PoolAudit } from "../../src/auditor/poolAudit.js";
import { PoolReader } from "../../src/auditor/poolReader.js";
import { checkProofFile } from "../../src/protocol/checkProof.js";
import { probeRpc } from "../../src/auditor/rpcProbe.js";
import { findCircuit, portfolioParams } from "../../src/protocol/circuitCatalog.js";
import { decodeAccount, decodeOpening, decodePath, decodeTable } from "../../src/io/formats.js";
import { fileKind } from "../../src/io/json.js";
import type { RiskTable } from "../../src/risk/riskEngine.js";
import { renderChart } from "./chart.js";

/** What the server tells the page (config.json beside it). */
interface PageConfig {
  rpcUrl?: string;
  pool?: string;
  fromBlock?: number;
  circuitSets: Record<string, AuditCircuits>;
  circuits?: string;
  /** Epochs whose published table is served at tables/<epoch>.json. */
  tables: number[];
  insecureKeys?: boolean;
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
const n = (x: bigint | undefined): string => (x === undefined ? "—" : x.toLocaleString("en-US"));

let config: PageConfig = { circuitSets: {}, tables: [] };
let history: PoolHistory | undefined;
let lastAudit: PoolAudit | undefined;

async function fetchJson(path: string): Promise<unknown> {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json() as Promise<unknown>;
}

const verifier: ProofVerifier = keyedVerifier(async (circuit) => {
  try {
    return (await fetchJson(`keys/${encodeURIComponent(circuit)}.json`)) as VerificationKey;
  } catch (err) {
    throw new Error(`no verification key for circuit ${circuit} beside the page (${(err as Error).message})`);
  }
});

function circuits(): AuditCircuits {
  const set = config.circuitSets[$<HTMLSelectElement>("circuits").value];
  if (!set) throw new AuditError("bad-input", "pick the pool's circuits");
  return set;
}

function showError(err: unknown): void {
  const box = $("error");
  const kind = err instanceof AuditError ? err.kind : undefined;
  const title = kind === "rpc-unreachable" || kind === "bad-rpc-url" ? "Cannot reach the node"
    : kind === "no-contract" || kind === "bad-address" ? "Wrong address"
    : kind === "not-a-pool" ? "Not a risk pool" : "Audit failed";
  box.replaceChildren(h("strong", {}, `${title}: `), (err as Error).message ?? String(err));
  box.dataset.kind = kind ?? "other";
  box.hidden = false;
}

function progress(text: string | undefined): void {
  const p = $("progress");
  p.hidden = text === undefined;
  p.textContent = text ?? "";
}

// ------------------------------------------------------------------ risk tables

async function readFileJson(file: File): Promise<unknown> {
  try {
    return JSON.parse(await file.text()) as unknown;
  } catch (err) {
    throw new AuditError("bad-input", `${file.name} is not valid JSON (${(err as Error).message})`);
  }
}

async function pickedTables(): Promise<Map<number, RiskTable>> {
  const out = new Map<number, RiskTable>();
  for (const file of Array.from($<HTMLInputElement>("table-files").files ?? [])) {
    const data = await readFileJson(file);
    fileKind(file.name, data, ["table"]);
    const { table } = decodeTable(file.name, data);
    out.set(table.epoch, table);
  }
  return out;
}

async function tableLookup(): Promise<(epoch: number) => Promise<RiskTable | undefined>> {
  const picked = await pickedTables();
  return async (epoch) => {
    const mine = picked.get(epoch);
    if (mine) return mine;
    if (!config.tables.includes(epoch)) return undefined;
    const data = await fetchJson(`tables/${epoch}.json`);
    return decodeTable(`tables/${epoch}.json`, data).table;
  };
}

// ------------------------------------------------------------------ the audit

async function connect(rpcUrl: string, pool: string, fromBlock: number): Promise<PoolHistory> {
  const chainId = await probeRpc(rpcUrl, (url, init) => fetch(url, init));
  const provider = new JsonRpcProvider(rpcUrl, Network.from(chainId), { staticNetwork: true, cacheTimeout: -1 });
  const abi = (await fetchJson("contracts/RiskSharingPool.abi.json")) as InterfaceAbi;
  const reader = await PoolReader.open(provider, pool.trim(), abi);
  return loadPoolHistory(reader, fromBlock);
}

async function runAudit(): Promise<void> {
  $("error").hidden = true;
  $("summary").hidden = true;
  $("details").hidden = true;
  document.body.dataset.audit = "running";
  const button = $<HTMLButtonElement>("audit-button");
  button.disabled = true;
  const started = performance.now();
  try {
    const rpcUrl = $<HTMLInputElement>("rpc-url").value.trim();
    const pool = $<HTMLInputElement>("pool-address").value.trim();
    const fromBlock = Number($<HTMLInputElement>("from-block").value || 0);
    const set = circuits();
    progress(`reading the pool's events from ${rpcUrl} …`);
    history = await connect(rpcUrl, pool, fromBlock);
    const table = await tableLookup();
    lastAudit = await auditPoolWith({
      history, circuits: set, verify: verifier, table,
      onEpoch: (r) => progress(`epoch ${r.epoch}: ${r.checks.length} checks done …`),
    });
    render(lastAudit, history);
    document.body.dataset.auditMs = String(Math.round(performance.now() - started));
    document.body.dataset.audit = "done";
  } catch (err) {
    showError(err);
    document.body.dataset.audit = "error";
  } finally {
    progress(undefined);
    button.disabled = false;
  }
}

function proofCounts(r: AuditReport): { valid: number; total: number } {
  const proofs = r.checks.filter((c) => c.proof);
  return { valid: proofs.filter((c) => c.ok).length, total: proofs.length };
}

function render(audit: PoolAudit, h0: PoolHistory): void {
  const verdict = $("verdict");
  const failed = audit.epochs.flatMap((e) => e.problems.map((p) => `epoch ${e.epoch}: ${p}`)).concat(audit.problems);
  const proofs = audit.epochs.map(proofCounts).reduce((a, b) => ({ valid: a.valid + b.valid, total: a.total + b.total }), { valid: 0, total: 0 });
  verdict.className = `verdict ${audit.ok ? "ok" : "bad"}`;
  verdict.dataset.ok = String(audit.ok);
  verdict.replaceChildren(audit.ok
    ? `Every check holds: ${proofs.valid} of ${proofs.total} proofs re-verified valid in this browser, over ${audit.epochs.length} epoch(s).`
    : `${failed.length} check(s) FAILED — ${failed.slice(0, 3).join(" | ")}`);

  const now = h0.snapshot;
  const latest = audit.epochs.find((e) => e.epoch === now.latestAcceptedEpoch);
  $("pool-now").textContent = `Now (block ${now.blockNumber}): balance ${n(now.poolBalance)}; locked against LP withdrawals ${n(now.lockedBalance)}; `
    + `insurance fund ${n(now.insuranceFund)}; LP NAV ${n(now.lpCapital)} (${n(now.totalShares)} shares); latest accepted epoch ${now.latestAcceptedEpoch ?? "none"}`
    + (latest?.status && latest.status !== "solvent" ? ` (${latest.status}: LP withdrawals frozen)` : "") + ". Amounts in token base units.";
  const cards = $("epoch-cards");
  cards.replaceChildren(...audit.epochs.map((r) => {
    const status = r.status ?? (r.solvencyChainComplete ? "solvent" : "pending");
    const { valid, total } = proofCounts(r);
    const words = status === "solvent" ? "solvent" : status === "stressed" ? "stressed — LP withdrawals frozen"
      : status === "haircut" ? `haircut ${r.haircutRatio}` : "not accepted yet";
    return h("div", { class: `epoch-card ${status}`, id: `epoch-${r.epoch}`, "data-status": status, "data-ok": String(r.ok), "data-proofs-valid": String(valid), "data-proofs-total": String(total) },
      h("b", {}, `epoch ${r.epoch}`), h("span", { class: "status" }, words), h("br"),
      h("span", { class: "proofs" }, `${valid}/${total} proofs valid${r.ok ? "" : " · FAILED checks"}`),
      ...(r.frozen
        ? [h("br"), h("span", { class: "frozen", "data-frozen": "true" },
          `FROZEN: ${r.frozen.exits} exits paid ${n(r.frozen.exitsPaid)}; traders still owed ${n(r.frozen.outstanding)}; LPs took ${n(r.frozen.lpPaid)} of ${n(r.frozen.lpSurplus)}`)]
        : []));
  }));
  $("chart").replaceChildren(renderChart(audit.points));
  $("summary").hidden = false;

  $("epoch-details").replaceChildren(...audit.epochs.map((r) => {
    const rows = r.checks.map((c) => h("tr", { "data-proof": c.proof ?? "", "data-ok": String(c.ok) },
      h("td", { class: c.ok ? "pass" : "fail" }, c.ok ? (c.proof ? "valid" : "ok") : (c.proof ? "INVALID" : "FAILED")),
      h("td", {}, c.what), h("td", {}, c.detail ?? ""), h("td", {}, c.transactionHash ? `${c.transactionHash.slice(0, 12)}…` : "")));
    const figures = h("table", {}, h("tr", {}, ...["assets at opening", "stress total", "mark total", "LP NAV per share (opening)", "insurance fund (end)", "LP NAV (end)", "settled", "paid"].map((t) => h("th", {}, t))),
      h("tr", {}, ...[r.poolBalanceAtAcceptance, r.stressTotal, r.markTotal].map((v) => h("td", { class: "num" }, n(v))),
        h("td", { class: "num", "data-nav-per-share": r.navPerShare ?? "" }, r.navPerShare ?? "—"),
        ...[r.insuranceFundAtEnd, r.lpCapitalAtEnd, r.settledAmount, r.paidAmount].map((v) => h("td", { class: "num" }, n(v)))));
    const steps = r.liquidations.length === 0 ? [] : [h("table", { class: "waterfall" },
      h("tr", {}, ...["liquidation", "penalty → fund", "fund drawn", "borne by the LPs", "left to haircut", "recomputed"].map((t) => h("th", {}, t))),
      ...r.liquidations.map((l) => h("tr", { "data-ok": String(!l.mismatch) }, h("td", {}, `${l.tag.toString().slice(0, 10)}…`),
        ...l.steps.map((s) => h("td", { class: "num" }, n(s.expected))), h("td", { class: l.mismatch ? "fail" : "pass" }, l.mismatch ?? "matches"))))];
    return h("div", { class: "epoch-detail", id: `epoch-detail-${r.epoch}` }, h("h3", {}, `Epoch ${r.epoch}`), figures, ...steps, h("table", {}, ...rows));
  }));
  $("text-report").textContent = audit.epochs.map(formatAuditReport).join("\n\n");
  $("details").hidden = false;
}

// ------------------------------------------------------------------ my account

async function runAccountCheck(): Promise<void> {
  const out = $("account-result");
  out.hidden = false;
  out.className = "result";
  out.textContent = "checking …";
  try {
    const accountFile = $<HTMLInputElement>("account-file").files?.[0];
    const pathFile = $<HTMLInputElement>("path-file").files?.[0];
    if (!accountFile || !pathFile) throw new AuditError("bad-input", "pick both your account (or opening) file and your path file");
    const accountData = await readFileJson(accountFile);
    const kind = fileKind(accountFile.name, accountData, ["account", "opening"]);
    const opening = kind === "account" ? decodeAccount(accountFile.name, accountData) : decodeOpening(accountFile.name, accountData);
    const pathData = await readFileJson(pathFile);
    fileKind(pathFile.name, pathData, ["path"]);
    const path = decodePath(pathFile.name, pathData);
    if (!history) {
      const rpcUrl = $<HTMLInputElement>("rpc-url").value.trim();
      history = await connect(rpcUrl, $<HTMLInputElement>("pool-address").value, Number($<HTMLInputElement>("from-block").value || 0));
    }
    const epoch = path.epoch;
    const opened = history.events.find((e) => e.name === "EpochOpened" && e.args.epoch === epoch);
    const accountsRoot = opened?.name === "EpochOpened" ? opened.args.accountsRoot : undefined;
    const table = await (await tableLookup())(epoch);
    const account: AccountToCheck = { opening, path: path.path, leaf: path.leaf, epoch: path.epoch };
    const params = portfolioParams(findCircuit(circuits().margin));
    const c = checkAccount(account, epoch, accountsRoot, params, history.events, table);
    out.className = `result ${c.included ? "ok" : "bad"}`;
    out.dataset.included = String(c.included);
    const parts: (Node | string)[] = [h("strong", {}, c.included
      ? `Included: your account (leaf ${c.index}) is in epoch ${epoch}'s accounts root on chain.`
      : `NOT included in epoch ${epoch}'s accounts root: ${c.why}.`)];
    if (c.settled) parts.push(h("p", {}, `You settled this epoch: ${n(c.settled.amount)} to ${c.settled.recipient}, paid ${n(c.settled.paid)}.`));
    if (c.liquidated) parts.push(h("p", {}, `Your account was liquidated this epoch: penalty ${n(c.liquidated.penalty)}, deficit ${n(c.liquidated.deficit)}.`));
    if (c.margin) {
      const m = c.margin;
      parts.push(h("p", {}, `Margin headroom E_s − R per scenario (requirement R = ${n(m.requirement)}; worst: ${m.worstLabel}; ${m.compliant ? "compliant in every scenario" : "NOT compliant"}):`),
        h("table", { id: "headroom" }, h("tr", {}, h("th", {}, "scenario"), h("th", {}, "equity"), h("th", {}, "headroom")),
          ...m.labels.map((label, s) => h("tr", {}, h("td", {}, label), h("td", { class: "num" }, n(m.equities[s])),
            h("td", { class: `num ${m.headroom[s] < 0n ? "fail" : ""}` }, n(m.headroom[s]))))));
    } else {
      parts.push(h("p", { class: "note" }, `No published risk table for epoch ${epoch} here: pick it above to see your headroom per scenario.`));
    }
    parts.push(h("p", { class: "note" }, "Computed in this page; nothing about your account was sent."));
    out.replaceChildren(...parts);
  } catch (err) {
    out.className = "result bad";
    out.dataset.included = "error";
    out.textContent = (err as Error).message;
  }
}

// ------------------------------------------------------------------ a proof file

async function runProofCheck(): Promise<void> {
  const out = $("proof-result");
  out.hidden = false;
  out.className = "result";
  out.textContent = "verifying …";
  try {
    const file = $<HTMLInputElement>("proof-file").files?.[0];
    if (!file) throw new AuditError("bad-input", "pick a proof file");
    const verdict = await checkProofFile(file.name, await readFileJson(file), verifier);
    const parts: (Node | string)[] = [h("strong", {}, verdict.summary)];
    const opened = history?.events.find((e) => e.name === "EpochOpened" && e.args.epoch === verdict.epoch);
    if (opened?.name === "EpochOpened") {
      const same = opened.args.riskRoot === verdict.riskRoot && opened.args.accountsRoot === verdict.accountsRoot;
      parts.push(h("p", {}, same ? `Against this pool's epoch ${verdict.epoch} roots.` : `Not against this pool's epoch ${verdict.epoch} roots.`));
    }
    out.className = `result ${verdict.valid ? "ok" : "bad"}`;
    out.dataset.valid = String(verdict.valid);
    out.replaceChildren(...parts);
  } catch (err) {
    out.className = "result bad";
    out.dataset.valid = "false";
    out.textContent = `INVALID: ${(err as Error).message}`;
  }
}

// ------------------------------------------------------------------ start

async function start(): Promise<void> {
  try {
    config = { ...config, ...((await fetchJson("config.json")) as Partial<PageConfig>) };
  } catch {
    // a page opened without the server: the auditor types everything in
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
  const from = q.get("fromBlock") ?? (config.fromBlock === undefined ? undefined : String(config.fromBlock));
  if (from) $<HTMLInputElement>("from-block").value = from;
  if (config.insecureKeys) $("keys-note").textContent = "These verification keys come from a development trusted setup (insecure): fine for a test pool, never for money.";
  $("audit-form").addEventListener("submit", (e) => { e.preventDefault(); void runAudit(); });
  $("account-form").addEventListener("submit", (e) => { e.preventDefault(); void runAccountCheck(); });
  $("proof-form").addEventListener("submit", (e) => { e.preventDefault(); void runProofCheck(); });
  document.body.dataset.ready = "true";
  if (rpc && pool && q.get("auto") !== "0") void runAudit();
}

void start();
