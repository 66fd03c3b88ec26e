/**
 * The auditor's view of a frozen pool (docs/design.md §12), from its events alone: the freeze
 * used the epoch's proven root and mark total; every exit's proof is re-verified from its
 * calldata and its payment recomputed — (claim − what the nullifier took before the freeze) ×
 * the epoch's haircut ratio; and the LPs took no more than the pot above the traders'
 * outstanding claims. Browser-safe.
 */
import { exitStatement } from "../protocol/exit.js";
import { eventsNamed, type PoolEvent } from "../protocol/poolEvents.js";
import type { Haircut } from "./epochStatus.js";

export interface FrozenAudit {
  epoch: number;
  pot: bigint;
  markTotal: bigint;
  uncredited: bigint;
  exits: number;
  /** What the exits paid in all. */
  exitsPaid: bigint;
  /** Claims noted as paid before the freeze (settlements and liquidation penalties). */
  claimsNoted: bigint;
  /** The traders' outstanding claims as they will be paid (ratio applied, rounded up). */
  outstanding: bigint;
  /** What the LPs and the insurance fund's part may take in all (the surplus above the traders' claims), and what the LPs took. */
  lpSurplus: bigint;
  lpPaid: bigint;
  refunded: bigint;
}

export interface FrozenCheck {
  ok: boolean;
  what: string;
  detail?: string;
  transactionHash?: string;
}

/** The exit rule, as the pool pays it: what is left of the claim, times the epoch's haircut (rounded down). */
export function exitPayment(claim: bigint, taken: bigint, haircut: Haircut | undefined): bigint {
  const left = claim > taken ? claim - taken : 0n;
  return haircut ? (left * haircut.num) / haircut.den : left;
}

/** The traders' outstanding claims as a frozen pool holds them back: ceil(ratio × (markTotal − noted)). */
export function outstandingClaims(markTotal: bigint, noted: bigint, haircut: Haircut | undefined): bigint {
  const claims = markTotal - noted;
  return haircut ? (claims * haircut.num + haircut.den - 1n) / haircut.den : claims;
}

/**
 * Audits the freeze of `epoch` when there is one (undefined otherwise). `reverify` re-verifies a
 * transaction's exit proof against the statement's signals (undefined when valid, else why not).
 */
export async function auditFrozen(options: {
  events: readonly PoolEvent[];
  epoch: number;
  accountsRoot?: bigint;
  riskRoot: bigint;
  markTotal?: bigint;
  haircut?: Haircut;
  reverify: (hash: string, signals: string[]) => Promise<string | undefined>;
  check: (c: FrozenCheck) => void;
}): Promise<FrozenAudit | undefined> {
  const { events, epoch, haircut, check } = options;
  const [frozen] = eventsNamed(events, "Frozen", epoch);
  if (!frozen) return undefined;
  const f = frozen.args;
  check({
    ok: f.accountsRoot === options.accountsRoot && f.markTotal === options.markTotal,
    what: `frozen after epoch ${epoch}: exits use its proven accounts root and mark total (${f.markTotal})`,
    detail: f.accountsRoot === options.accountsRoot && f.markTotal === options.markTotal ? undefined : `the freeze used root ${f.accountsRoot} and mark total ${f.markTotal}`,
    transactionHash: frozen.transactionHash,
  });
  const takenBy = new Map<bigint, bigint>();
  for (const s of eventsNamed(events, "Settled", epoch)) takenBy.set(s.args.nullifier, s.args.amount);
  for (const l of eventsNamed(events, "Liquidated", epoch)) takenBy.set(l.args.tag, l.args.penalty);
  let exitsPaid = 0n;
  const exits = eventsNamed(events, "Exited", epoch);
  for (const e of exits) {
    const { nullifier, recipient, amount, taken, paid } = e.args;
    const signals = exitStatement.signals({ epoch, riskRoot: options.riskRoot, accountsRoot: f.accountsRoot, nullifier, recipient, amount });
    const why = await options.reverify(e.transactionHash, signals);
    const before = takenBy.get(nullifier) ?? 0n;
    const due = exitPayment(amount, before, haircut);
    const payWhy = taken !== before ? `the pool counted ${taken} taken before, the events show ${before}` : paid !== due ? `paid ${paid}, the exit rule gives ${due}` : undefined;
    check({
      ok: !why && !payWhy, what: `exit of a claim of ${amount} to ${recipient} re-verified; paid ${paid} = (claim − ${before} taken before) × the epoch's ratio`,
      detail: [why, payWhy].filter(Boolean).join("; ") || undefined, transactionHash: e.transactionHash,
    });
    exitsPaid += paid;
  }
  const claimsNoted = eventsNamed(events, "SettlementNoted").reduce((t, n) => t + n.args.taken, 0n);
  const wrongNotes = eventsNamed(events, "SettlementNoted").filter((n) => takenBy.get(n.args.nullifier) !== n.args.taken);
  check({ ok: wrongNotes.length === 0, what: `${eventsNamed(events, "SettlementNoted").length} settlement(s) noted as paid before the freeze, each one of the epoch's own`, detail: wrongNotes.length ? `${wrongNotes.length} note(s) match no settlement or liquidation of epoch ${epoch}` : undefined });
  const outstanding = outstandingClaims(f.markTotal, claimsNoted, haircut);
  const lpSurplus = f.pot > outstanding ? f.pot - outstanding : 0n;
  const lpPaid = eventsNamed(events, "LpExited").reduce((t, x) => t + x.args.paid, 0n);
  const fundPaid = eventsNamed(events, "FundExited").reduce((t, x) => t + x.args.paid, 0n);
  const taken = lpPaid + fundPaid;
  check({
    ok: taken <= lpSurplus,
    what: `the LPs took ${lpPaid} and the insurance fund's part ${fundPaid} of a surplus of ${lpSurplus} (pot ${f.pot} less the traders' outstanding ${outstanding}): no trader's claim`,
    detail: taken <= lpSurplus ? undefined : `the LPs took ${taken - lpSurplus} above the surplus`,
  });
  const refunded = eventsNamed(events, "DepositRefunded").reduce((t, x) => t + x.args.amount, 0n);
  check({ ok: refunded <= f.uncredited, what: `uncredited deposits refunded: ${refunded} of ${f.uncredited}`, detail: refunded <= f.uncredited ? undefined : "more refunded than was uncredited" });
  return { epoch, pot: f.pot, markTotal: f.markTotal, uncredited: f.uncredited, exits: exits.length, exitsPaid, claimsNoted, outstanding, lpSurplus, lpPaid, refunded };
}
