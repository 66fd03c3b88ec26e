/**
 * What is checked on chain before a margin proof is sent to `settle` (`zkrs settle` and the
 * trader's page): the epoch is open for settlement against the proof's roots, the account has not
 * settled this epoch, and — in a haircut epoch — what the settlement would pay, which the trader
 * must accept explicitly (it pays less and spends the account's nullifier for the epoch).
 * Browser-safe: the pool is read through this small view.
 */
import { haircutPayment } from "../auditor/epochStatus.js";
import { InputError } from "../io/json.js";
import type { MarginStatement } from "../protocol/margin.js";
import { type EpochStatus, haircutRatio } from "../protocol/poolEvents.js";

/** The pool's views the checks read (RiskSharingPoolClient has them; the page wraps an ethers Contract). */
export interface SettleView {
  epochInfo(epoch: number): Promise<{ riskRoot: bigint; openAccountsRoot: bigint; settleable: boolean }>;
  nullifierUsed(nullifier: bigint): Promise<boolean>;
  epochStanding(epoch: number): Promise<{ status: EpochStatus; haircutNum: bigint; haircutDen: bigint }>;
}

export interface SettleOutlook {
  /** What the settlement pays: the amount, or less in a haircut epoch. */
  pays: bigint;
  /** In a haircut epoch: what happens, in one sentence (the trader must accept it). */
  haircut?: { ratio: string; message: string };
}

/**
 * Refuses (InputError naming `what`, the proof's file or "the proof") a settlement the pool would
 * refuse, and says what an accepted one pays.
 */
export async function settlePreflight(pool: SettleView, s: MarginStatement, what: string): Promise<SettleOutlook> {
  const info = await pool.epochInfo(s.epoch);
  if (!info.settleable) throw new InputError(`epoch ${s.epoch} is not open for settlement on the pool (no accepted solvency proof yet, or a later epoch was published)`);
  if (info.riskRoot !== s.riskRoot) throw new InputError(`${what} is against riskRoot ${s.riskRoot}, the pool's epoch ${s.epoch} has ${info.riskRoot}`);
  if (info.openAccountsRoot !== s.accountsRoot) throw new InputError(`${what} is against accountsRoot ${s.accountsRoot}, the pool's epoch ${s.epoch} has ${info.openAccountsRoot}`);
  if (await pool.nullifierUsed(s.nullifier)) throw new InputError(`${what}: this account settled in epoch ${s.epoch} already (nullifier used)`);
  const standing = await pool.epochStanding(s.epoch);
  if (standing.status !== "haircut") return { pays: s.amount };
  const pays = haircutPayment(s.amount, { num: standing.haircutNum, den: standing.haircutDen });
  const ratio = haircutRatio(standing.haircutNum, standing.haircutDen);
  return {
    pays,
    haircut: {
      ratio,
      message: `epoch ${s.epoch} pays a haircut of ${ratio}: this settlement would pay ${pays} of ${s.amount} ` +
        `and spend the account's nullifier for epoch ${s.epoch} (no second settlement this epoch)`,
    },
  };
}
