import type { SignedOrder } from "../../accounts/order.js";
import { type AccountTransition, transitionAccount, type TransitionMarket } from "./accountRules.js";
import type { Ledger } from "./applyEvents.js";
import type { TransitionAccount } from "./keys.js";

/**
 * The accounts pass over a whole ledger (after the events pass): every account, in its own
 * leaf, steps into epoch e+1 by transitionAccount, with its owner's signed order if there is one
 * (orders by account key). netFlow = sum of the accounts' flows: trade cash + fees - variation,
 * what moved from the traders to the LPs.
 */
export async function transitionLedger(
  ledger: Ledger, orders: ReadonlyMap<bigint, SignedOrder>, market: TransitionMarket, slots: number,
): Promise<{ ledger: Ledger; netFlow: bigint; steps: Map<number, AccountTransition> }> {
  const keys = new Set([...ledger.values()].map((a) => a.accountKey));
  for (const key of orders.keys()) if (!keys.has(key)) throw new RangeError(`an order names account key ${key}, which is not in the ledger`);
  const next = new Map<number, TransitionAccount>();
  const steps = new Map<number, AccountTransition>();
  let netFlow = 0n;
  for (const [index, account] of [...ledger].sort((a, b) => a[0] - b[0])) {
    const step = await transitionAccount(account, orders.get(account.accountKey), market, slots);
    next.set(index, step.account);
    steps.set(index, step);
    netFlow += step.flow;
  }
  return { ledger: next, netFlow, steps };
}
