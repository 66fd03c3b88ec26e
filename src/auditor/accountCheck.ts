import { accountCommitment, type AccountOpening, nullifierOf } from "../accounts/account.js";
import { type MerklePath, rootFromPath } from "../accounts/merkleTree.js";
import type { MarginParams } from "../protocol/circuitCatalog.js";
import { marginReport } from "../risk/equity.js";
import { paddedRows } from "../risk/riskCommitment.js";
import type { RiskTable } from "../risk/riskEngine.js";
import { columnLabel } from "../risk/scenarios.js";
import { eventsNamed, type PoolEvent } from "../protocol/poolEvents.js";

/** A trader's own account, as the CLI's files hold it (opening or account file + path file). */
export interface AccountToCheck {
  opening: AccountOpening;
  path: MerklePath;
  /** From the path file: the leaf the operator put in the tree, and the epoch of the path. */
  leaf?: bigint;
  epoch?: number;
}

/** What a trader learns about their own account, computed where the files are (never sent anywhere). */
export interface AccountCheck {
  epoch: number;
  index: number;
  leaf: bigint;
  included: boolean;
  /** Why not included, when not. */
  why?: string;
  /** The account's nullifier of the epoch (also its liquidation tag, DESIGN §9). */
  nullifier: bigint;
  settled?: { amount: bigint; paid: bigint; recipient: string; transactionHash: string };
  liquidated?: { penalty: bigint; deficit: bigint; transactionHash: string };
  /** Per-scenario margin headroom E_s - R (s = 0 is mark), with the epoch's risk table. */
  margin?: { requirement: bigint; equities: bigint[]; headroom: bigint[]; labels: string[]; worstLabel: string; compliant: boolean };
}

/**
 * The inclusion check that catches an omitted or altered account (DESIGN §8.7): the leaf of
 * the trader's own opening hashed up their path must give the epoch's posted accountsRoot.
 * With the epoch's risk table it also gives the account's headroom in every scenario, and
 * with the pool's events whether the account settled or was liquidated (its nullifier is
 * public, but only the account's owner can link it to the account).
 */
export function checkAccount(account: AccountToCheck, epoch: number, accountsRoot: bigint | undefined, params: MarginParams,
  events: readonly PoolEvent[], table?: RiskTable): AccountCheck {
  const { opening, path } = account;
  const leaf = accountCommitment(opening, params.positions);
  const included = accountsRoot !== undefined && rootFromPath(leaf, path) === accountsRoot;
  const why = included ? undefined : accountsRoot === undefined ? "no accepted accountsRoot for this epoch"
    : account.epoch !== undefined && account.epoch !== epoch ? `the path is for epoch ${account.epoch}`
    : account.leaf !== undefined && account.leaf !== leaf ? "your account differs from the leaf the operator put in the tree (altered?)"
    : "the path leads to another root (omitted?)";
  const nullifier = nullifierOf(opening.accountKey, epoch);
  const s = eventsNamed(events, "Settled", epoch).find((e) => e.args.nullifier === nullifier);
  const l = eventsNamed(events, "Liquidated", epoch).find((e) => e.args.tag === nullifier);
  const out: AccountCheck = {
    epoch, index: path.index, leaf, included, why, nullifier,
    settled: s && { amount: s.args.amount, paid: s.args.paid ?? s.args.amount, recipient: s.args.recipient, transactionHash: s.transactionHash },
    liquidated: l && { penalty: l.args.penalty, deficit: l.args.deficit, transactionHash: l.transactionHash },
  };
  if (table && table.epoch === epoch) {
    const rows = paddedRows(table, params.logInstruments);
    const m = marginReport(opening, rows, table.scenarios);
    out.margin = {
      requirement: m.requirement, equities: m.equities, headroom: m.slack, worstLabel: m.worstLabel, compliant: m.compliant,
      labels: m.equities.map((_, s) => columnLabel(s)),
    };
  }
  return out;
}
