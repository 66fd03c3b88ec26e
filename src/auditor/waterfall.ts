import type { EpochStatus, EventOf, PoolEvent, WaterfallStage } from "../protocol/poolEvents.js";
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
  /** The fund and LP capital just before and just after the opening. */
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
  /** The fund and LP capital after the last event. */
  insuranceFund: bigint;
  lpCapital: bigint;
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
 * Replays the loss waterfall (docs/design.md §9) from the pool's public events alone and compares
 * every step with what the pool emitted: LP deposits and withdrawals move the LP capital;
 * `fundInsurance` feeds the fund; a liquidation puts its penalty into the fund, draws its
 * deficit from the fund, then writes the rest off the LP capital, and leaves what neither
 * covers to the next haircut; an epoch that opens below its mark total writes the fund and the
 * LP capital off (they are inside the balance that pays the haircut) and sets the haircut
 * balance / markTotal. `start` is the fund and LP capital before the first event read.
 */
export function replayWaterfall(events: readonly PoolEvent[], start: { insuranceFund: bigint; lpCapital: bigint }): WaterfallReplay {
  let fund = start.insuranceFund;
  let lp = start.lpCapital;
  const out: WaterfallReplay = { openings: new Map(), liquidations: [], problems: [], insuranceFund: 0n, lpCapital: 0n, fundsAtEnd: new Map() };
  const stepsOf = (tx: string, epoch: number, tag: bigint): EventOf<"WaterfallStep">[] =>
    events.filter((e): e is EventOf<"WaterfallStep"> => e.name === "WaterfallStep" && e.transactionHash === tx && e.args.epoch === epoch && e.args.tag === tag);
  let openEpoch: number | undefined;

  for (const ev of events) {
    switch (ev.name) {
      case "LiquidityDeposited":
        lp += ev.args.amount;
        break;
      case "LiquidityWithdrawn":
        lp -= ev.args.amount;
        break;
      case "InsuranceFunded":
        fund += ev.args.amount;
        if (ev.args.insuranceFundAfter !== fund) out.problems.push(`InsuranceFunded in ${ev.transactionHash}: fund after is ${ev.args.insuranceFundAfter}, the replay gives ${fund}`);
        break;
      case "EpochOpened": {
        if (openEpoch !== undefined) out.fundsAtEnd.set(openEpoch, { insuranceFund: fund, lpCapital: lp });
        openEpoch = ev.args.epoch;
        const { epoch, poolBalance, stressTotal, markTotal } = ev.args;
        const status = expectedStatus(poolBalance, stressTotal, markTotal);
        const before = { insuranceFund: fund, lpCapital: lp };
        const expected: Expected[] = [];
        let haircut: Haircut | undefined;
        if (status === "haircut") {
          haircut = { num: poolBalance, den: markTotal };
          if (fund !== 0n) expected.push({ stage: "insuranceFund", amount: fund, fund: 0n, lp });
          fund = 0n;
          if (lp !== 0n) expected.push({ stage: "lpCapital", amount: lp, fund: 0n, lp: 0n });
          lp = 0n;
          expected.push({ stage: "haircut", amount: markTotal - poolBalance, fund: 0n, lp: 0n });
        }
        const cmp = compareSteps(expected, stepsOf(ev.transactionHash, epoch, 0n), `epoch ${epoch} opening`);
        const statusEmitted = ev.args.status;
        const problems = [cmp.mismatch, statusEmitted !== status
          ? `the pool recorded status ${statusEmitted}, the rule gives ${status} (assets ${poolBalance}, stress total ${stressTotal}, mark total ${markTotal})` : undefined]
          .filter(Boolean);
        out.openings.set(epoch, {
          epoch, poolBalance, stressTotal, markTotal, status, statusEmitted, haircut, steps: cmp.steps,
          insuranceFundBefore: before.insuranceFund, lpCapitalBefore: before.lpCapital, insuranceFundAfter: fund, lpCapitalAfter: lp,
          mismatch: problems.length ? problems.join("; ") : undefined,
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
        const written = min(deficit - drawn, lp);
        lp -= written;
        expected.push({ stage: "lpCapital", amount: written, fund, lp });
        expected.push({ stage: "haircut", amount: deficit - drawn - written, fund, lp });
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
  return out;
}

function short(x: bigint): string {
  const s = x.toString();
  return s.length > 12 ? `${s.slice(0, 6)}…${s.slice(-4)}` : s;
}
