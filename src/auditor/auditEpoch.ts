import type { JsonRpcProvider, Result } from "ethers";
import { accountCommitment, type AccountOpening } from "../accounts/account.js";
import { type MerklePath, rootFromPath } from "../accounts/merkleTree.js";
import { loadCircuitArtifacts } from "../build/manifest.js";
import type { PoolCircuits, PoolEvent, RiskSharingPoolClient } from "../chain/riskSharingPool.js";
import { verifyGroth16 } from "../proof/groth16Prover.js";
import { fromSolidityProof, type SolidityProof } from "../proof/solidityProof.js";
import { commitRiskTable } from "../risk/riskCommitment.js";
import type { RiskTable } from "../risk/riskEngine.js";

export interface ProofCheck {
  transactionHash: string;
  label: string;
  valid: boolean;
}

/** What an auditor concludes about one epoch, from public data only. */
export interface AuditReport {
  pool: string;
  epoch: number;
  riskRootOnChain: bigint;
  /** Re-derived from the published table, when one was given. */
  riskRootFromTable?: bigint;
  riskRootMatches?: boolean;
  accountsRoot?: bigint;
  liabilitiesBound?: bigint;
  /** Solvency batches found on-chain for the epoch, each re-verified from its calldata. */
  solvencyBatches: ProofCheck[];
  /** Whether the accepted batches form one chain 0..K-1 ending in an isLast batch. */
  solvencyChainComplete: boolean;
  settlements: (ProofCheck & { amount: bigint; recipient: string })[];
  poolBalance: bigint;
  /** poolBalance - liabilitiesBound (negative: the pool could not pay everyone under stress). */
  headroom?: bigint;
  /** With an account file: its leaf is under the epoch's accounts root. */
  accountIncluded?: boolean;
  /** Everything checked holds. */
  ok: boolean;
  problems: string[];
}

export interface AuditOptions {
  pool: RiskSharingPoolClient;
  provider: JsonRpcProvider;
  epoch: number;
  /** Circuits whose verification keys the pool's verifiers were generated from. */
  circuits: PoolCircuits;
  /** The risk table the oracle published for the epoch. */
  riskTable?: RiskTable;
  /** A trader's own account opening and inclusion path, to check inclusion. */
  account?: { opening: AccountOpening; path: MerklePath };
}

function proofFrom(args: Result): SolidityProof {
  const p = args.getValue("proof") as Result;
  const pair = (x: Result): [bigint, bigint] => [BigInt(x[0] as bigint), BigInt(x[1] as bigint)];
  const b = p[1] as Result;
  return { a: pair(p[0] as Result), b: [pair(b[0] as Result), pair(b[1] as Result)], c: pair(p[2] as Result) };
}

type EventOf<N extends PoolEvent["name"]> = Extract<PoolEvent, { name: N }>;

/**
 * The auditor (DESIGN §2): rebuilds an epoch from the pool's events, re-derives the risk root
 * from the published table, re-verifies every solvency batch and settlement proof off-chain
 * from the transactions' own calldata (no operator data needed), checks the batches chain
 * 0..K-1, compares the pool's balance with the accepted bound, and — for a trader holding an
 * account file — checks the account's inclusion in the epoch's accounts root.
 */
export async function auditEpoch(options: AuditOptions): Promise<AuditReport> {
  const { pool, provider, epoch, circuits } = options;
  const problems: string[] = [];
  const events = await pool.events();
  const published = events.filter((e): e is EventOf<"RiskPublished"> => e.name === "RiskPublished" && e.args.epoch === epoch);
  if (published.length === 0) throw new Error(`epoch ${epoch} was never published on pool ${pool.address}`);
  const riskRootOnChain = published[published.length - 1].args.riskRoot;

  const report: AuditReport = {
    pool: pool.address, epoch, riskRootOnChain, solvencyBatches: [], solvencyChainComplete: false, settlements: [],
    poolBalance: await pool.poolBalance(), ok: false, problems,
  };

  if (options.riskTable) {
    if (options.riskTable.epoch !== epoch) throw new Error(`risk table is for epoch ${options.riskTable.epoch}, not epoch ${epoch}`);
    const margin = loadCircuitArtifacts(circuits.margin).instance.params;
    report.riskRootFromTable = commitRiskTable(options.riskTable, margin.logInstruments).riskRoot;
    report.riskRootMatches = report.riskRootFromTable === riskRootOnChain;
    if (!report.riskRootMatches) problems.push("the published table does not hash to the on-chain risk root");
  }

  const batches = events.filter((e): e is EventOf<"SolvencyBatchAccepted"> => e.name === "SolvencyBatchAccepted" && e.args.epoch === epoch);
  let prev: bigint | undefined;
  batches.forEach((b, k) => {
    if (b.args.batchIndex !== k) problems.push(`solvency batch ${b.args.batchIndex} found at position ${k}`);
    if (k > 0 && b.args.prevTotalsCommitment !== prev) problems.push(`solvency batch ${k} does not chain to batch ${k - 1}`);
    prev = b.args.totalsCommitment;
  });
  const last = batches[batches.length - 1];
  report.solvencyChainComplete = last !== undefined && last.args.isLast && problems.length === 0;
  if (!last) problems.push("no solvency proof was accepted for this epoch");
  else if (!last.args.isLast) problems.push("the epoch's solvency chain has no last batch yet");
  if (last) {
    report.accountsRoot = last.args.accountsRoot;
    report.liabilitiesBound = last.args.liabilitiesBound;
    report.headroom = report.poolBalance - last.args.liabilitiesBound;
  }

  for (const b of batches) {
    const tx = await provider.getTransaction(b.transactionHash);
    const parsed = tx ? pool.interface.parseTransaction({ data: tx.data, value: tx.value }) : null;
    if (!parsed || parsed.name !== "postSolvency") {
      problems.push(`batch ${b.args.batchIndex}: transaction ${b.transactionHash} is not a direct postSolvency call`);
      continue;
    }
    const a = b.args;
    const signals = [BigInt(epoch), riskRootOnChain, a.accountsRoot, a.liabilitiesBound, BigInt(a.batchIndex), a.isLast ? 1n : 0n, a.prevTotalsCommitment, a.totalsCommitment]
      .map(String);
    const valid = await verifyGroth16(circuits.solvency, signals, fromSolidityProof(proofFrom(parsed.args)));
    if (!valid) problems.push(`batch ${a.batchIndex}: solvency proof does not verify`);
    report.solvencyBatches.push({ transactionHash: b.transactionHash, label: `solvency batch ${a.batchIndex}${a.isLast ? " (last)" : ""}`, valid });
  }

  const settled = events.filter((e): e is EventOf<"Settled"> => e.name === "Settled" && e.args.epoch === epoch);
  for (const s of settled) {
    const tx = await provider.getTransaction(s.transactionHash);
    const parsed = tx ? pool.interface.parseTransaction({ data: tx.data, value: tx.value }) : null;
    let valid = false;
    if (parsed?.name === "settle" && report.accountsRoot !== undefined) {
      const signals = [BigInt(epoch), riskRootOnChain, report.accountsRoot, s.args.nullifier, BigInt(s.args.recipient), s.args.amount].map(String);
      valid = await verifyGroth16(circuits.margin, signals, fromSolidityProof(proofFrom(parsed.args)));
    }
    if (!valid) problems.push(`settlement ${s.transactionHash}: margin proof does not verify`);
    report.settlements.push({ transactionHash: s.transactionHash, label: `settlement of ${s.args.amount} to ${s.args.recipient}`, valid, amount: s.args.amount, recipient: s.args.recipient });
  }

  if (report.headroom !== undefined && report.headroom < 0n) problems.push(`pool balance ${report.poolBalance} is below the accepted bound ${report.liabilitiesBound}`);
  if (options.account) {
    const margin = loadCircuitArtifacts(circuits.margin).instance.params;
    const leaf = accountCommitment(options.account.opening, margin.positions);
    report.accountIncluded = report.accountsRoot !== undefined && rootFromPath(leaf, options.account.path) === report.accountsRoot;
    if (!report.accountIncluded) problems.push("your account is NOT in the epoch's accounts root");
  }
  report.ok = problems.length === 0;
  return report;
}

/** A readable solvency report. */
export function formatAuditReport(r: AuditReport, unitsPerToken = 1_000_000): string {
  const tok = (x: bigint): string => `${(Number(x) / unitsPerToken).toLocaleString("en-US", { maximumFractionDigits: 6 })}`;
  const mark = (b: boolean | undefined): string => (b === undefined ? "not checked" : b ? "yes" : "NO");
  const lines = [
    `Audit of pool ${r.pool}, epoch ${r.epoch}`,
    `  risk root on-chain          ${r.riskRootOnChain}`,
    `  table re-hashes to it       ${mark(r.riskRootMatches)}`,
    `  solvency batches            ${r.solvencyBatches.length} (${r.solvencyBatches.filter((b) => b.valid).length} re-verified), chain complete: ${mark(r.solvencyChainComplete)}`,
    `  liabilities bound           ${r.liabilitiesBound === undefined ? "-" : tok(r.liabilitiesBound)}`,
    `  pool balance                ${tok(r.poolBalance)}`,
    `  headroom (balance - bound)  ${r.headroom === undefined ? "-" : tok(r.headroom)}`,
    `  settlements                 ${r.settlements.length} (${r.settlements.filter((s) => s.valid).length} re-verified)`,
  ];
  if (r.accountIncluded !== undefined) lines.push(`  your account included       ${mark(r.accountIncluded)}`);
  lines.push(r.ok ? "  verdict                     SOLVENT: every check holds" : `  verdict                     PROBLEMS:\n${r.problems.map((p) => `    - ${p}`).join("\n")}`);
  return lines.join("\n");
}
