import type { EpochStatus, EventOf, PoolEvent, WaterfallStage } from "../protocol/poolEvents.js";
import { depositsExecute, fillWithdrawals, MAX_ESCROW, openingNav, sharesFor, startsNewEra, withdrawable } from "../protocol/lpShares.js";
import { expectedStatus, type Haircut } from "./epochStatus.js";

/** One waterfall step: what the public rules say, and what the pool's WaterfallStep event said. */
export interface WaterfallStepCheck {
  stage: WaterfallStage;
  /** Recomputed from public data. */
  expected: bigint;
  /** From the WaterfallStep event (0 when the pool emitted none for this stage). */
  emitted: bigint;
  insuranceFundAfter: bigint;
  lpCapitalAfter: bigint;
  ok: boolean;
}

/** One liquidation (docs/design.md §9), its steps recomputed. */
export interface LiquidationAudit {
  epoch: number;
  tag: bigint;
  penalty: bigint;
  deficit: bigint;
  transactionHash: string;
  /** penalty into the fund, fund drawn, LP capital written down, left to the haircut. */
  steps: WaterfallStepCheck[];
  /** Why the recomputation disagrees with the pool's events, if it does. */
  mismatch?: string;
}

/** An epoch's opening, its status and (for a Haircut) the epoch-level write-offs recomputed. */
export interface OpeningAudit {
  epoch: number;
  poolBalance: bigint;
  stressTotal: bigint;
  markTotal?: bigint;
  /** The status the rule gives from the three figures above. */
  status: EpochStatus;
  /** The status the pool's event recorded (undefined on a pool without statuses). */
  statusEmitted?: EpochStatus;
  haircut?: Haircut;
  /** Tag-0 steps of a Haircut opening: fund and LP capital written off, the rest left to the haircut. */
  steps: WaterfallStepCheck[];
  /**
   * The LPs' side (docs/design.md §11): NAV = assets - insurance fund - markTotal (at least 0)
   * and shares outstanding as the rules give them (after an orphan NAV joined the fund or a new
   * share era started), beside what the pool's NavPerShare said; and the request batches the
   * opening executed, recomputed at that NAV per share.
   */
  nav: bigint;
  supply: bigint;
  navEmitted?: bigint;
  supplyEmitted?: bigint;
  /** A withdrawal batch executed (or closed by a new era): shares in, burned, tokens out (recomputed). */
  withdrawals?: { batch: number; shares: bigint; burned: bigint; tokens: bigint };
  /** A deposit batch executed: tokens in, shares minted (recomputed). */
  deposits?: { batch: number; assets: bigint; shares: bigint };
  /** A new share era started at this opening (old holdings convert at nav / supply). */
  newEra?: number;
  /** The fund and LP NAV (`lpCapital`) just before and just after the opening. */
  insuranceFundBefore: bigint;
  lpCapitalBefore: bigint;
  insuranceFundAfter: bigint;
  lpCapitalAfter: bigint;
  mismatch?: string;
}

export interface WaterfallReplay {
  openings: Map<number, OpeningAudit>;
  liquidations: LiquidationAudit[];
  /** Other disagreements (an InsuranceFunded whose "after" is wrong, a step no rule explains). */
  problems: string[];
  /** The fund, the LPs' NAV and shares outstanding after the last event. */
  insuranceFund: bigint;
  lpCapital: bigint;
  totalShares: bigint;
  /** The fund and LP capital at the end of each epoch's window (until the next epoch opened, or now). */
  fundsAtEnd: Map<number, { insuranceFund: bigint; lpCapital: bigint }>;
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** A step the public rules give: its stage, amount, and the fund and LP capital after it. */
interface Expected {
  stage: WaterfallStage;
  amount: bigint;
  fund: bigint;
  lp: bigint;
}

/** Compares recomputed steps with the events one transaction emitted (the pool emits only non-zero steps). */
function compareSteps(expected: Expected[], emitted: EventOf<"WaterfallStep">[], label: string): { steps: WaterfallStepCheck[]; mismatch?: string } {
  const problems: string[] = [];
  const steps = expected.map((x): WaterfallStepCheck => {
    const got = emitted.filter((e) => e.args.stage === x.stage);
    const e = got[0]?.args;
    const emittedAmount = e?.amount ?? 0n;
    let ok = got.length <= 1 && emittedAmount === x.amount;
    if (e && (e.insuranceFundAfter !== x.fund || e.lpCapitalAfter !== x.lp)) ok = false;
    if (!ok) {
      problems.push(`${x.stage}: rules give ${x.amount} (fund after ${x.fund}, LP capital after ${x.lp}), the pool emitted ${
        e ? `${emittedAmount} (fund after ${e.insuranceFundAfter}, LP capital after ${e.lpCapitalAfter})` : "no step"}${got.length > 1 ? ` and ${got.length - 1} more` : ""}`);
    }
    return { stage: x.stage, expected: x.amount, emitted: emittedAmount, insuranceFundAfter: x.fund, lpCapitalAfter: x.lp, ok };
  });
  const unexplained = emitted.filter((e) => !expected.some((x) => x.stage === e.args.stage));
  for (const e of unexplained) problems.push(`unexpected ${e.args.stage} step of ${e.args.amount}`);
  return { steps, mismatch: problems.length ? `${label}: ${problems.join("; ")}` : undefined };
}

/**
 * Replays the loss waterfall (docs/design.md §9) and the LPs' NAV (§11) from the pool's public
 * events alone and compares every step with what the pool emitted: genesis LP deposits add to
 * the LPs' NAV; `fundInsurance` feeds the fund; a liquidation puts its penalty into the fund,
 * draws its deficit from the fund, and leaves the rest to the LPs (already inside the NAV the
 * epoch opened with: markTotal counts no negative equity) or, in a Haircut epoch, to the
 * traders' ratio; an opening below its mark total writes the fund and the LPs' NAV off and sets
 * the haircut assets / markTotal; every opening prices the LPs at
 * NAV = assets - fund - markTotal and executes the request batches at that NAV per share.
 * `start` is the fund, LP NAV and shares outstanding before the first event read.
 */
export function replayWaterfall(events: readonly PoolEvent[], start: { insuranceFund: bigint; lpCapital: bigint; totalShares?: bigint }): WaterfallReplay {
  let fund = start.insuranceFund;
  let lp = start.lpCapital;
  let supply = start.totalShares ?? 0n;
  const out: WaterfallReplay = { openings: new Map(), liquidations: [], problems: [], insuranceFund: 0n, lpCapital: 0n, totalShares: 0n, fundsAtEnd: new Map() };
  const stepsOf = (tx: string, epoch: number, tag: bigint): EventOf<"WaterfallStep">[] =>
    events.filter((e): e is EventOf<"WaterfallStep"> => e.name === "WaterfallStep" && e.transactionHash === tx && e.args.epoch === epoch && e.args.tag === tag);
  const inTx = <N extends PoolEvent["name"]>(tx: string, name: N): EventOf<N>[] =>
    events.filter((e): e is EventOf<N> => e.name === name && e.transactionHash === tx);
  let openEpoch: number | undefined;
  /** Tokens escrowed (deposit batches) and shares escrowed (withdrawal batches), by batch. */
  const depositQueue = new Map<number, bigint>();
  const withdrawQueue = new Map<number, bigint>();
  const requestBatch = new Map<bigint, number>();
  const add = (m: Map<number, bigint>, k: number, v: bigint): void => { m.set(k, (m.get(k) ?? 0n) + v); };
  /** Tokens of executed withdrawals not claimed yet (a fill stops at MAX_ESCROW of them). */
  let owed = 0n;

  for (const ev of events) {
    switch (ev.name) {
      case "LiquidityDeposited":
        lp += ev.args.amount;
        supply += ev.args.shares;
        break;
      case "LpRequested":
        requestBatch.set(ev.args.requestId, ev.args.batch);
        add(ev.args.withdrawal ? withdrawQueue : depositQueue, ev.args.batch, ev.args.amount);
        break;
      case "LpClaimed":
        owed -= ev.args.tokens;
        break;
      case "LpRequestCancelled": {
        const batch = requestBatch.get(ev.args.requestId);
        if (batch !== undefined) add(ev.args.withdrawal ? withdrawQueue : depositQueue, batch, -ev.args.amount);
        break;
      }
      case "InsuranceFunded":
        // An opening's orphan NAV (no shares outstanding) is replayed with the opening.
        if (inTx(ev.transactionHash, "EpochOpened").length > 0) break;
        fund += ev.args.amount;
        if (ev.args.insuranceFundAfter !== fund) out.problems.push(`InsuranceFunded in ${ev.transactionHash}: fund after is ${ev.args.insuranceFundAfter}, the replay gives ${fund}`);
        break;
      case "EpochOpened": {
        if (openEpoch !== undefined) out.fundsAtEnd.set(openEpoch, { insuranceFund: fund, lpCapital: lp });
        openEpoch = ev.args.epoch;
        const { epoch, poolBalance, stressTotal, markTotal } = ev.args;
        const tx = ev.transactionHash;
        const status = expectedStatus(poolBalance, stressTotal, markTotal);
        const before = { insuranceFund: fund, lpCapital: lp };
        const expected: Expected[] = [];
        let haircut: Haircut | undefined;
        if (status === "haircut") {
          haircut = { num: poolBalance, den: markTotal };
          if (fund !== 0n) expected.push({ stage: "insuranceFund", amount: fund, fund: 0n, lp });
          fund = 0n;
          if (lp !== 0n) expected.push({ stage: "lpCapital", amount: lp, fund: 0n, lp: 0n });
          expected.push({ stage: "haircut", amount: markTotal - poolBalance, fund: 0n, lp: 0n });
        }
        const cmp = compareSteps(expected, stepsOf(tx, epoch, 0n), `epoch ${epoch} opening`);
        const problems: (string | undefined)[] = [cmp.mismatch, ev.args.status !== status
          ? `the pool recorded status ${ev.args.status}, the rule gives ${status} (assets ${poolBalance}, stress total ${stressTotal}, mark total ${markTotal})` : undefined];

        // The LPs: NAV, orphan NAV, share era, then the batches at the opening's NAV per share.
        let nav = openingNav(poolBalance, fund, markTotal);
        let free = status === "solvent" ? withdrawable(poolBalance, fund, stressTotal) : 0n;
        let newEra: number | undefined;
        const executedW = inTx(tx, "LpWithdrawalsExecuted");
        const executedD = inTx(tx, "LpDepositsExecuted");
        let withdrawals: OpeningAudit["withdrawals"];
        if (supply === 0n && nav !== 0n) {
          fund += nav;
          const funded = inTx(tx, "InsuranceFunded")[0];
          if (funded?.args.amount !== nav || funded.args.insuranceFundAfter !== fund) problems.push(`NAV ${nav} with no shares outstanding should join the insurance fund (fund after ${fund})`);
          nav = 0n;
        } else if (startsNewEra(nav, supply)) {
          newEra = inTx(tx, "ShareEraStarted")[0]?.args.era;
          if (newEra === undefined) problems.push(`shares outstanding ${supply} exceed NAV ${nav} x 2^24: a new share era should start`);
          supply = nav;
          const closing = [...withdrawQueue.entries()].find(([, v]) => v !== 0n);
          if (closing) {
            withdrawals = { batch: closing[0], shares: closing[1], burned: 0n, tokens: 0n };
            withdrawQueue.delete(closing[0]);
            free = 0n;
          }
        }
        const price = inTx(tx, "NavPerShare")[0];
        if (price?.args.nav !== nav || price.args.supply !== supply) {
          problems.push(`NAV per share: the rules give nav ${nav}, supply ${supply}; the pool said ${price ? `nav ${price.args.nav}, supply ${price.args.supply}` : "nothing"}`);
        }
        let lpAfter = nav;
        let supplyAfter = supply;
        const pendingW = [...withdrawQueue.entries()].find(([, v]) => v !== 0n);
        if (free !== 0n && pendingW) {
          const f = fillWithdrawals(pendingW[1], nav, supply, free > MAX_ESCROW - owed ? MAX_ESCROW - owed : free);
          owed += f.tokens;
          withdrawals = { batch: pendingW[0], shares: pendingW[1], burned: f.burned, tokens: f.tokens };
          withdrawQueue.delete(pendingW[0]);
          supplyAfter -= f.burned;
          lpAfter -= f.tokens;
        }
        const w = executedW.at(-1)?.args;
        if ((withdrawals === undefined) !== (w === undefined) || (withdrawals && w && (w.batch !== withdrawals.batch || w.shares !== withdrawals.shares || w.burned !== withdrawals.burned || w.tokens !== withdrawals.tokens))) {
          problems.push(`withdrawals: the rules give ${withdrawals ? `batch ${withdrawals.batch}: ${withdrawals.burned} of ${withdrawals.shares} shares for ${withdrawals.tokens}` : "none"}; the pool executed ${w ? `batch ${w.batch}: ${w.burned} of ${w.shares} shares for ${w.tokens}` : "none"}`);
        }
        let deposits: OpeningAudit["deposits"];
        const pendingD = [...depositQueue.entries()].find(([, v]) => v !== 0n);
        if (pendingD && depositsExecute(status)) {
          deposits = { batch: pendingD[0], assets: pendingD[1], shares: sharesFor(pendingD[1], nav, supply) };
          depositQueue.delete(pendingD[0]);
          supplyAfter += deposits.shares;
          lpAfter += deposits.assets;
        }
        const d = executedD[0]?.args;
        if ((deposits === undefined) !== (d === undefined) || (deposits && d && (d.batch !== deposits.batch || d.assets !== deposits.assets || d.shares !== deposits.shares))) {
          problems.push(`deposits: the rules give ${deposits ? `batch ${deposits.batch}: ${deposits.assets} for ${deposits.shares} shares` : "none"}; the pool executed ${d ? `batch ${d.batch}: ${d.assets} for ${d.shares} shares` : "none"}`);
        }
        lp = lpAfter;
        supply = supplyAfter;
        const found = problems.filter((p): p is string => p !== undefined);
        out.openings.set(epoch, {
          epoch, poolBalance, stressTotal, markTotal, status, statusEmitted: ev.args.status, haircut, steps: cmp.steps,
          nav: price ? price.args.nav : nav, supply: price ? price.args.supply : supply, navEmitted: price?.args.nav, supplyEmitted: price?.args.supply,
          withdrawals, deposits, newEra,
          insuranceFundBefore: before.insuranceFund, lpCapitalBefore: before.lpCapital, insuranceFundAfter: fund, lpCapitalAfter: lp,
          mismatch: found.length ? found.join("; ") : undefined,
        });
        break;
      }
      case "Liquidated": {
        const { epoch, tag, penalty, deficit } = ev.args;
        const expected: Expected[] = [];
        fund += penalty;
        expected.push({ stage: "penalty", amount: penalty, fund, lp });
        const drawn = min(deficit, fund);
        fund -= drawn;
        expected.push({ stage: "insuranceFund", amount: drawn, fund, lp });
        const rest = deficit - drawn;
        const haircutEpoch = out.openings.get(epoch)?.status === "haircut";
        expected.push({ stage: "lpCapital", amount: haircutEpoch ? 0n : rest, fund, lp });
        expected.push({ stage: "haircut", amount: haircutEpoch ? rest : 0n, fund, lp });
        // The pool emits only non-zero steps: compare those, and require the zero ones absent.
        const cmp = compareSteps(expected.filter((x) => x.amount !== 0n), stepsOf(ev.transactionHash, epoch, tag), `liquidation ${short(tag)}`);
        const steps = expected.map((x) => cmp.steps.find((s) => s.stage === x.stage)
          ?? { stage: x.stage, expected: 0n, emitted: 0n, insuranceFundAfter: x.fund, lpCapitalAfter: x.lp, ok: true });
        out.liquidations.push({ epoch, tag, penalty, deficit, transactionHash: ev.transactionHash, steps, mismatch: cmp.mismatch });
        break;
      }
      default:
        break;
    }
  }
  if (openEpoch !== undefined) out.fundsAtEnd.set(openEpoch, { insuranceFund: fund, lpCapital: lp });
  out.insuranceFund = fund;
  out.lpCapital = lp;
  out.totalShares = supply;
  return out;
}


function short(x: bigint): string {
  const s = x.toString();
  return s.length > 12 ? `${s.slice(0, 6)}…${s.slice(-4)}` : s;
}
