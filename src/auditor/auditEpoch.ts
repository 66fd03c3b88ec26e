import type { Provider, Result } from "ethers";
import type { Groth16Proof } from "snarkjs";
import { accountCommitment, type AccountOpening } from "../accounts/account.js";
import { type MerklePath, rootFromPath } from "../accounts/merkleTree.js";
import { findCircuit } from "../build/circuitCatalog.js";
import type { PoolCircuits, PoolEvent, RiskSharingPoolClient } from "../chain/riskSharingPool.js";
import { verifyGroth16 } from "../proof/groth16Prover.js";
import { fromSolidityProof } from "../proof/solidityProof.js";
import { commitRiskTable } from "../risk/riskCommitment.js";
import type { RiskTable } from "../risk/riskEngine.js";

/** One thing the auditor checked. `what` states what holds when `ok`. */
export interface AuditCheck {
  ok: boolean;
  what: string;
  /** Why it failed, or the figure it rests on. */
  detail?: string;
  /** For a re-verified proof: the transaction that carried it. */
  transactionHash?: string;
}

/** What an auditor concludes about one epoch, from public data only. */
export interface AuditReport {
  pool: string;
  epoch: number;
  riskRootOnChain?: bigint;
  /** Re-derived from the published table, when one was given. */
  riskRootFromTable?: bigint;
  /** From the epoch's EpochOpened event (its last solvency batch). */
  accountsRoot?: bigint;
  liabilitiesBound?: bigint;
  poolBalanceAtAcceptance?: bigint;
  /** Solvency batches accepted on-chain for the epoch. */
  batches: number;
  /** The batches form one chain 0..K-1, the last one `isLast`, and the epoch was opened. */
  solvencyChainComplete: boolean;
  settlements: number;
  settledAmount: bigint;
  settlementOpen: boolean;
  poolBalance: bigint;
  latestAcceptedEpoch?: number;
  /** poolBalance - liabilitiesBound, plainly. */
  balanceLessBound?: bigint;
  /** Trader deposits no accepted bound covers yet (only for the latest accepted epoch, as below). */
  uncoveredDeposits?: bigint;
  /** What the pool must hold now: bound - this epoch's settlements + uncovered deposits. */
  mustHold?: bigint;
  /** poolBalance - mustHold (only for the latest accepted epoch: a later bound governs older ones). */
  headroom?: bigint;
  /** With an account: its leaf is under the epoch's accounts root. */
  accountIncluded?: boolean;
  checks: AuditCheck[];
  /** Every check holds. */
  ok: boolean;
  /** The failed checks, one line each. */
  problems: string[];
}

export interface AuditOptions {
  pool: RiskSharingPoolClient;
  provider: Provider;
  epoch: number;
  /** Circuits whose verification keys the pool's verifiers were generated from. */
  circuits: PoolCircuits;
  /** The risk table the oracle published for the epoch. */
  riskTable?: RiskTable;
  /**
   * A trader's own account opening and the inclusion path the operator gave them; with the
   * path file's `leaf` and `epoch`, a failed inclusion says whether the account was altered.
   */
  account?: { opening: AccountOpening; path: MerklePath; leaf?: bigint; epoch?: number };
  /** First block to scan for the pool's events (default 0). */
  fromBlock?: number;
}

type EventOf<N extends PoolEvent["name"]> = Extract<PoolEvent, { name: N }>;

/** The proof a direct pool call carried, read back from its calldata; a string says why it cannot be. */
async function callProof(options: AuditOptions, hash: string, method: string): Promise<Groth16Proof | string> {
  const tx = await options.provider.getTransaction(hash);
  if (!tx) return `transaction ${hash} is not available from the node`;
  const direct = tx.to?.toLowerCase() === options.pool.address.toLowerCase();
  const parsed = direct ? options.pool.interface.parseTransaction({ data: tx.data, value: tx.value }) : null;
  if (parsed?.name !== method) return `transaction ${hash} is not a direct ${method} call to the pool (sent through another contract?): its proof is not in the calldata`;
  const [a, b, c] = parsed.args.getValue("proof") as Result;
  const pair = (x: Result): [bigint, bigint] => [BigInt(x[0] as bigint), BigInt(x[1] as bigint)];
  return fromSolidityProof({ a: pair(a as Result), b: [pair((b as Result)[0] as Result), pair((b as Result)[1] as Result)], c: pair(c as Result) });
}

/**
 * The auditor (DESIGN §2): anyone, with nothing but the chain, the published risk table and —
 * as a trader — their own account file. Rebuilds the epoch from the pool's events; re-derives
 * the risk root from the table; re-verifies off-chain every solvency batch and settlement proof
 * from the transactions' own calldata (no operator data needed); checks the batches chain
 * 0..K-1 ending in the last one; checks the balance covered the bound when the epoch was
 * accepted and, for the latest accepted epoch, covers now what is still owed (the bound less
 * this epoch's settlements, plus trader deposits no bound covers yet); and checks the trader's
 * account is in the accounts root — the operator is trusted with the ledger, and an omitted or
 * altered account is caught only by its owner, here.
 */
export async function auditEpoch(options: AuditOptions): Promise<AuditReport> {
  const { pool, epoch, circuits } = options;
  const margin = findCircuit(circuits.margin).params;
  const [state, events] = await Promise.all([pool.state(), pool.events(options.fromBlock)]);
  const mine = events.filter((e) => "epoch" in e.args && e.args.epoch === epoch);
  const named = <N extends PoolEvent["name"]>(name: N): EventOf<N>[] => mine.filter((e): e is EventOf<N> => e.name === name);
  const [published] = named("RiskPublished");
  const [opened] = named("EpochOpened");
  const batches = named("SolvencyBatchAccepted");
  const settled = named("Settled");
  const r: AuditReport = {
    pool: pool.address, epoch, riskRootOnChain: published?.args.riskRoot, accountsRoot: opened?.args.accountsRoot,
    liabilitiesBound: opened?.args.liabilitiesBound, poolBalanceAtAcceptance: opened?.args.poolBalance,
    batches: batches.length, solvencyChainComplete: false, settlements: settled.length,
    settledAmount: settled.reduce((t, s) => t + s.args.amount, 0n), settlementOpen: opened !== undefined && named("EpochClosed").length === 0,
    poolBalance: state.poolBalance, latestAcceptedEpoch: state.latestAcceptedEpoch, checks: [], ok: false, problems: [],
  };
  const check = (ok: boolean, what: string, detail?: string, transactionHash?: string): boolean => {
    r.checks.push({ ok, what, detail, transactionHash });
    return ok;
  };
  /** Re-verifies the proof a transaction carried; undefined when valid, else why not. */
  const reverify = async (hash: string, method: string, circuit: string, signals: readonly (bigint | number)[]): Promise<string | undefined> => {
    const proof = await callProof(options, hash, method);
    if (typeof proof === "string") return proof;
    return (await verifyGroth16(circuit, signals.map(String), proof)) ? undefined : "proof does not verify";
  };

  // 1. risk root
  const riskRoot = published?.args.riskRoot;
  check(riskRoot !== undefined, `risk root of epoch ${epoch} published`,
    riskRoot?.toString() ?? `no RiskPublished event${options.fromBlock ? ` since block ${options.fromBlock}` : ""}`);
  if (riskRoot === undefined) return finish(r);
  const table = options.riskTable;
  if (table) {
    r.riskRootFromTable = commitRiskTable(table, margin.logInstruments).riskRoot;
    check(table.epoch === epoch && r.riskRootFromTable === riskRoot, "riskRoot re-derived from the published table matches the on-chain one",
      table.epoch !== epoch ? `the table is for epoch ${table.epoch}` : r.riskRootFromTable === riskRoot ? undefined : `the table hashes to ${r.riskRootFromTable}`);
  }

  // 2. solvency batches: one chain, each proof re-verified from its calldata
  let chained = true;
  for (const [k, b] of batches.entries()) {
    const a = b.args;
    const first = batches[0].args;
    const inChain = a.batchIndex === k && a.isLast === (k === batches.length - 1) && a.accountsRoot === first.accountsRoot
      && a.liabilitiesBound === first.liabilitiesBound && (k === 0 || a.prevTotalsCommitment === batches[k - 1].args.totalsCommitment);
    chained &&= inChain;
    const signals = [epoch, riskRoot, a.accountsRoot, a.liabilitiesBound, a.batchIndex, a.isLast ? 1 : 0, a.prevTotalsCommitment, a.totalsCommitment];
    const why = [inChain ? undefined : "out of order, or not chained to the previous batch", await reverify(b.transactionHash, "postSolvency", circuits.solvency, signals)]
      .filter(Boolean).join("; ");
    check(!why, `solvency batch ${a.batchIndex} re-verified (${circuits.solvency})`, why || undefined, b.transactionHash);
  }
  const last = batches.at(-1)?.args;
  r.solvencyChainComplete = chained && last?.isLast === true && opened !== undefined;
  check(r.solvencyChainComplete, `epoch ${epoch}'s solvency accepted: batches 0..K-1 chained, the last one opened the epoch`,
    !last ? "no solvency batch accepted" : !last.isLast ? `${batches.length} batch(es) accepted, the last one not yet`
    : !chained ? "the batches do not form one chain" : !opened ? "no EpochOpened event" : `${batches.length} batch(es)`);

  // 3. settlements, each margin proof re-verified from its calldata
  for (const s of settled) {
    const { nullifier, recipient, amount } = s.args;
    const why = await reverify(s.transactionHash, "settle", circuits.margin, [epoch, riskRoot, r.accountsRoot ?? 0n, nullifier, BigInt(recipient), amount]);
    check(!why, `settlement of ${amount} to ${recipient} re-verified (${circuits.margin})`, why, s.transactionHash);
  }

  // 4. balance against the bound: when accepted, and now
  if (opened) {
    const { liabilitiesBound: bound, poolBalance: atAcceptance } = opened.args;
    r.balanceLessBound = state.poolBalance - bound;
    check(atAcceptance >= bound, "pool balance covered the bound when the epoch was accepted", `balance ${atAcceptance}, bound ${bound}`);
    if (state.latestAcceptedEpoch === epoch) {
      // A settlement pays a compliant account out of its own equity, so it lowers the proven
      // liabilities by what it pays; trader deposits since the risk was published are owed on
      // top of the bound. The contract locks the same amount against LP withdrawals.
      r.uncoveredDeposits = state.unboundDeposits;
      r.mustHold = bound - r.settledAmount + state.unboundDeposits;
      r.headroom = state.poolBalance - r.mustHold;
      check(r.headroom >= 0n, "pool balance now covers the bound less this epoch's settlements, plus deposits no bound covers yet",
        r.headroom >= 0n ? undefined : `balance ${state.poolBalance}, must hold ${r.mustHold}`);
    }
  }

  // 5. the trader's own account
  if (options.account) {
    const { opening, path, leaf: given, epoch: pathEpoch } = options.account;
    const leaf = accountCommitment(opening, margin.positions);
    r.accountIncluded = r.accountsRoot !== undefined && rootFromPath(leaf, path) === r.accountsRoot;
    check(r.accountIncluded, `your account (leaf ${path.index}) is in epoch ${epoch}'s accountsRoot`,
      r.accountIncluded ? undefined : r.accountsRoot === undefined ? "no accepted accountsRoot"
      : pathEpoch !== undefined && pathEpoch !== epoch ? `the path is for epoch ${pathEpoch}`
      : given !== undefined && given !== leaf ? "your account differs from the leaf the operator put in the tree (altered?)"
      : "the path leads to another root (omitted?)");
  }
  return finish(r);
}

function finish(r: AuditReport): AuditReport {
  r.problems = r.checks.filter((c) => !c.ok).map((c) => `${c.what}: FAILED${c.detail ? ` (${c.detail})` : ""}`);
  r.ok = r.problems.length === 0;
  return r;
}

/** A readable solvency report (amounts in token base units). */
export function formatAuditReport(r: AuditReport): string {
  const figures = r.liabilitiesBound === undefined ? `no accepted bound; pool balance ${r.poolBalance}`
    : r.headroom !== undefined ? `liabilities bound ${r.liabilitiesBound}; pool balance ${r.poolBalance}; must hold ${r.mustHold}; headroom ${r.headroom}`
    : `liabilities bound ${r.liabilitiesBound}; pool balance ${r.poolBalance}; balance - bound ${r.balanceLessBound} (epoch ${r.epoch} is not the latest accepted one: epoch ${r.latestAcceptedEpoch}'s bound governs the balance now)`;
  return [
    `solvency audit of pool ${r.pool}, epoch ${r.epoch}`,
    ...r.checks.map((c) => `  [${c.ok ? "ok" : "FAIL"}] ${c.what}${c.detail ? `: ${c.detail}` : ""}`),
    `  ${figures}`,
    ...(r.headroom !== undefined && r.headroom !== r.balanceLessBound
      ? [`  balance - bound is ${r.balanceLessBound}: this epoch's settlements (${r.settledAmount}) paid out liabilities the bound covered, and deposits no bound covers yet (${r.uncoveredDeposits}) are owed on top`]
      : []),
    `  settlements: ${r.settlements} paying ${r.settledAmount} in total; settlement ${r.settlementOpen ? "open" : "closed"}`,
    r.ok ? "audit passed" : `audit FAILED (${r.problems.length} check(s))`,
  ].join("\n");
}
