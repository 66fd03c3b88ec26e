/**
 * The loss waterfall from the command line (docs/design.md §9): the operator proves an account of the
 * posted accounts tree is below its requirement (`zkrs prove liquidation`) and submits the proof
 * (`zkrs liquidate`), which moves the account's penalty into the insurance fund and covers its
 * deficit from the insurance fund, then LP capital, leaving the rest to the epoch's haircut.
 * Anyone may top up the insurance fund (`zkrs insurance fund`) or read the waterfall's state
 * (`zkrs insurance show`).
 */
import type { NonceManager } from "ethers";
import type { PoolEvent } from "../../chain/riskSharingPool.js";
import { ledgerTree } from "../../io/formats.js";
import { liquidationProofFile } from "../../protocol/liquidation.js";
import { STAGE_LABELS } from "../../protocol/poolEvents.js";
import { InputError } from "../../io/json.js";
import { jsonOutput, writeOutputs } from "../../io/output.js";
import { buildLiquidationInput, type LiquidationRequest } from "../../operator/liquidationInput.js";
import { type Command, type CommandResult, JSON_OPTION } from "../framework.js";
import { catalogCircuit, checkOpeningsFor, loadLedger, loadTable } from "../inputs.js";
import { proverModules } from "../lazy.js";
import {
  describeStatus, gas, KEY_OPTION, loadVerifiedProof, onChain, openPool, POOL_OPTION, poolRef, privateKey, RPC_OPTION, rpcUrl,
} from "../onChain.js";
import { checkShape, zkeySha256 } from "./prove.js";

type WaterfallStepEvent = Extract<PoolEvent, { name: "WaterfallStep" }>;

/** A waterfall step as the JSON result and the human line show it. */
function stepJson(e: WaterfallStepEvent): Record<string, string> {
  const a = e.args;
  return { stage: a.stage, amount: a.amount.toString(), insuranceFundAfter: a.insuranceFundAfter.toString(), lpCapitalAfter: a.lpCapitalAfter.toString() };
}

function stepLine(e: WaterfallStepEvent): string {
  const a = e.args;
  return `  ${STAGE_LABELS[a.stage].padEnd(32)} ${String(a.amount).padStart(14)}   insurance fund after ${a.insuranceFundAfter}, LP NAV ${a.lpCapitalAfter}`;
}

const proveLiquidationCommand: Command = {
  path: ["prove", "liquidation"],
  summary: "Operator: prove an account of the ledger is below its requirement in some scenario (for `zkrs liquidate`).",
  details: [
    "The account is named as in the ledger `zkrs tree` wrote (its opening's file name); its inclusion path",
    "is rebuilt from the ledger. An account that meets its requirement in every scenario fails before",
    "proving, naming its minimum headroom and the scenario. The proof file reveals the tag (the account's",
    "nullifier of the epoch, so it cannot also settle), the penalty and the deficit; not the account.",
  ],
  options: {
    ledger: { type: "string", arg: "ledger.json", description: "the epoch's ledger from `zkrs tree` (zkrs/ledger@1)", required: true },
    account: { type: "string", arg: "name", description: "the account's name in the ledger", required: true },
    table: { type: "string", arg: "table.json", description: "the epoch's risk table (zkrs/risk-table@2)", required: true },
    circuit: { type: "string", arg: "name", description: "liquidation circuit (default: liquidation)" },
    out: { type: "string", arg: "liq.json", description: "proof file to write (zkrs/liquidation-proof@1)", required: true },
    ...JSON_OPTION,
  },
  async run(ctx, args): Promise<CommandResult> {
    const circuit = catalogCircuit(args.optionalString("circuit") ?? "liquidation", "liquidation");
    const ledgerFile = args.string("ledger");
    const name = args.string("account");
    const tableFile = args.string("table");
    const out = args.outFile("out");
    const ledger = loadLedger(ledgerFile);
    const { table } = loadTable(tableFile);
    checkShape(ledgerFile, ledger, circuit);
    if (table.epoch !== ledger.epoch) throw new InputError(`${tableFile} is the risk table of epoch ${table.epoch}, but ${ledgerFile} is for epoch ${ledger.epoch}`);
    const index = ledger.accounts.findIndex((a) => a.name === name);
    if (index < 0) {
      const names = ledger.accounts.map((a) => a.name);
      const shown = names.length > 10 ? `${names.slice(0, 10).join(", ")}, ...` : names.join(", ");
      throw new InputError(`--account "${name}": no account of that name in ${ledgerFile} (it has: ${shown})`);
    }
    const entry = ledger.accounts[index];
    checkOpeningsFor([{ name, file: `${ledgerFile} (${name})`, opening: entry.opening }], circuit);
    // The path as `zkrs tree` gave it to the trader: the ledger's tree, this account's leaf.
    const tree = ledgerTree(ledger, ledger.accounts.map((a) => a.opening));
    const request: LiquidationRequest = {
      account: entry.opening, accountPath: tree.path(index), accountsRoot: ledger.accountsRoot, riskTable: table, epoch: ledger.epoch,
    };
    // The rule in TypeScript first: a compliant account fails here, before any witness or proof.
    const { assessment } = buildLiquidationInput(request, circuit.params);
    const { liquidation, prover } = await proverModules();
    if (!assessment.liquidatable) {
      const err = new liquidation.NotLiquidatableError(assessment.minHeadroom, assessment.worstColumn, assessment.worstLabel);
      throw new InputError(`--account ${name}: ${err.message}`);
    }
    await prover.warmUpProver();
    const proof = await ctx.step(`proving liquidation of ${name} (${circuit.name}, epoch ${ledger.epoch})`, () => liquidation.proveLiquidation(request, circuit.name));
    writeOutputs([jsonOutput(out, liquidationProofFile.encode(proof, zkeySha256(circuit.name)))]);
    const s = proof.statement;
    return {
      json: {
        out, circuit: proof.circuit, account: name, epoch: s.epoch, riskRoot: s.riskRoot.toString(), accountsRoot: s.accountsRoot.toString(),
        tag: s.tag.toString(), penalty: s.penalty.toString(), deficit: s.deficit.toString(), timings: proof.timings,
        private: { breachColumn: proof.breachColumn, breachLabel: assessment.worstLabel, breachHeadroom: proof.breachHeadroom.toString() },
      },
      human: [
        `liquidation proof for ${name}, epoch ${s.epoch}: penalty ${s.penalty}, deficit ${s.deficit}`,
        `  tag ${s.tag}`,
        `  (private, do not publish) headroom ${proof.breachHeadroom} in ${assessment.worstLabel}`,
        `  witness ${proof.timings.witnessMs} ms, proof ${proof.timings.proveMs} ms`,
        `wrote ${out}`,
      ],
    };
  },
};

const liquidateCommand: Command = {
  path: ["liquidate"],
  summary: "Operator: submit a liquidation proof: the pool runs the waterfall (penalty, insurance fund, LP capital, haircut).",
  details: [
    "The proof is checked off-chain first, then against the pool: the epoch must be open, its roots the",
    "proof's, and the tag unused (an account liquidated or settled in the epoch is refused). Prints each",
    "waterfall step of the transaction with the insurance fund and LP capital after it.",
  ],
  options: {
    ...RPC_OPTION, ...KEY_OPTION, ...POOL_OPTION,
    proof: { type: "string", arg: "liq.json", description: "liquidation proof (zkrs/liquidation-proof@1)", required: true },
    ...JSON_OPTION,
  },
  async run(ctx, args): Promise<CommandResult> {
    const url = rpcUrl(args);
    const key = privateKey(args);
    const ref = poolRef(args);
    const file = args.string("proof");
    const { proof } = await loadVerifiedProof(ctx, file, "liquidation", ref.circuits.liquidation);
    const s = proof.statement;
    return onChain(ctx, url, async (chain) => {
      const { pool, signer } = await openPool(ctx, chain, ref, key);
      const sender = await (signer as NonceManager).getAddress();
      const before = await pool.state();
      if (before.operator !== sender) throw new InputError(`only the pool's operator may liquidate: the operator is ${before.operator}, the key is ${sender}`);
      const info = await pool.epochInfo(s.epoch);
      if (!info.settleable) throw new InputError(`epoch ${s.epoch} is not open on the pool (no accepted solvency proof yet, or a later epoch was published)`);
      if (info.riskRoot !== s.riskRoot) throw new InputError(`${file} is against riskRoot ${s.riskRoot}, the pool's epoch ${s.epoch} has ${info.riskRoot}`);
      if (info.openAccountsRoot !== s.accountsRoot) throw new InputError(`${file} is against accountsRoot ${s.accountsRoot}, the pool's epoch ${s.epoch} has ${info.openAccountsRoot}`);
      if (await pool.nullifierUsed(s.tag)) throw new InputError(`${file}: tag ${s.tag} is used already: this account was liquidated or settled in epoch ${s.epoch}`);
      const r = await ctx.step(`liquidating in epoch ${s.epoch}: penalty ${s.penalty}, deficit ${s.deficit}`, () => pool.liquidate(proof));
      const steps = r.events.filter((e): e is WaterfallStepEvent => e.name === "WaterfallStep");
      const last = steps.at(-1);
      const fund = last ? last.args.insuranceFundAfter : await pool.insuranceFund();
      const lp = last ? last.args.lpCapitalAfter : (await pool.state()).navAtOpening;
      return {
        json: {
          pool: ref.address, epoch: s.epoch, tag: s.tag.toString(), penalty: s.penalty.toString(), deficit: s.deficit.toString(),
          steps: steps.map(stepJson), insuranceFund: fund.toString(), lpCapital: lp.toString(), tx: r.hash, gasUsed: r.gasUsed.toString(),
        },
        human: [
          `liquidated in epoch ${s.epoch}: penalty ${s.penalty}, deficit ${s.deficit} (tag ${s.tag})`,
          ...(steps.length > 0 ? steps.map(stepLine) : ["  (no waterfall step: nothing to move)"]),
          `  insurance fund ${fund}, LP NAV at the epoch's opening ${lp}`,
          `  tx ${r.hash} (${r.gasUsed} gas)`,
        ],
      };
    });
  },
};

const insuranceFundCommand: Command = {
  path: ["insurance", "fund"],
  summary: "Anyone: approve and add collateral tokens to the pool's insurance fund (first to cover liquidation deficits).",
  options: {
    ...RPC_OPTION, ...KEY_OPTION, ...POOL_OPTION,
    amount: { type: "string", arg: "n", description: "token base units to add", required: true },
    ...JSON_OPTION,
  },
  async run(ctx, args): Promise<CommandResult> {
    const url = rpcUrl(args);
    const key = privateKey(args);
    const ref = poolRef(args);
    const amount = args.bigint("amount", { min: 1n, max: (1n << 128n) - 1n });
    return onChain(ctx, url, async (chain) => {
      const { pool, signer } = await openPool(ctx, chain, ref, key);
      const from = await (signer as NonceManager).getAddress();
      const have = await pool.tokenBalanceOf(from);
      if (have < amount) throw new InputError(`${from} holds ${have} of the pool's token, less than --amount ${amount}`);
      const results = await ctx.step(`adding ${amount} to the insurance fund`, async () => [await pool.approveToken(amount), await pool.fundInsurance(amount)]);
      const funded = results[1].events.find((e) => e.name === "InsuranceFunded");
      const after = funded?.name === "InsuranceFunded" ? funded.args.insuranceFundAfter : await pool.insuranceFund();
      return {
        json: { pool: ref.address, from, amount: amount.toString(), insuranceFund: after.toString(), txs: results.map((r) => r.hash), gasUsed: gas(results).toString() },
        human: [`added ${amount} to the insurance fund from ${from}; insurance fund ${after}`],
      };
    });
  },
};

const insuranceShowCommand: Command = {
  path: ["insurance", "show"],
  summary: "Anyone: the pool's insurance fund, LP capital, latest epoch status and locked balance. Reads only.",
  options: { ...RPC_OPTION, ...POOL_OPTION, ...JSON_OPTION },
  async run(ctx, args): Promise<CommandResult> {
    const url = rpcUrl(args);
    const ref = poolRef(args);
    return onChain(ctx, url, async (chain) => {
      const { pool } = await openPool(ctx, chain, ref);
      const st = await pool.state();
      const epoch = st.latestAcceptedEpoch;
      const standing = epoch === undefined ? undefined : await pool.epochStanding(epoch);
      const status = epoch === undefined || standing === undefined ? "no accepted epoch yet" : `epoch ${epoch}: ${describeStatus(st.latestStatus, standing)}`;
      return {
        json: {
          pool: ref.address, insuranceFund: st.insuranceFund.toString(), lpCapital: st.navAtOpening.toString(), totalShares: st.totalShares.toString(), latestAcceptedEpoch: epoch ?? null,
          latestStatus: epoch === undefined ? null : st.latestStatus,
          ...(standing && st.latestStatus === "haircut" ? { haircut: { num: standing.haircutNum.toString(), den: standing.haircutDen.toString() } } : {}),
          lockedBalance: st.lockedBalance.toString(), poolBalance: st.poolBalance.toString(), latestBound: st.latestBound.toString(),
        },
        human: [
          `pool ${ref.address}`,
          `  insurance fund  ${st.insuranceFund}`,
          `  LP NAV          ${st.navAtOpening} (${st.totalShares} shares, at the last opening)`,
          `  latest status   ${status}`,
          `  locked balance  ${st.lockedBalance} of ${st.poolBalance} (bound ${st.latestBound} + unbound deposits ${st.unboundDeposits} + insurance fund ${st.insuranceFund})`,
        ],
      };
    });
  },
};

export const liquidationCommands: Command[] = [proveLiquidationCommand, liquidateCommand, insuranceFundCommand, insuranceShowCommand];
