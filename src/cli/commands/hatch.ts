/**
 * The escape hatch's commands (docs/design.md §12): `zkrs freeze`, `zkrs path request|answer|fetch`,
 * `zkrs exit`, `zkrs refund`, `zkrs lp exit` and `zkrs pool status`. A silent operator holds
 * nobody's money: once no epoch has opened for the pool's maxEpochDelay (or a path request is left
 * unanswered that long) anyone freezes the pool, traders exit with a proof against the last opened
 * epoch, uncredited deposits are refunded and LPs take what is left above the traders' claims.
 */
import { NonceManager } from "ethers";
import { PathRequestsClient } from "../../chain/pathRequests.js";
import type { HatchState, RiskSharingPoolClient } from "../../chain/riskSharingPool.js";
import { encodePath } from "../../io/formats.js";
import { InputError } from "../../io/json.js";
import { jsonOutput, writeOutputs } from "../../io/output.js";
import { leafPath } from "../../protocol/leafHashes.js";
import { eventsNamed } from "../../protocol/poolEvents.js";
import { type Command, type CommandResult, JSON_OPTION } from "../framework.js";
import { catalogCircuit, loadLeafHashes } from "../inputs.js";
import { gas, KEY_OPTION, loadVerifiedProof, onChain, openPool, POOL_OPTION, poolRef, privateKey, RPC_OPTION, rpcUrl } from "../onChain.js";

/** "3h 12m" for a span of seconds. */
function span(seconds: bigint): string {
  const s = seconds < 0n ? 0n : seconds;
  const d = s / 86_400n, h = (s % 86_400n) / 3_600n, m = (s % 3_600n) / 60n;
  return d > 0n ? `${d}d ${h}h` : h > 0n ? `${h}h ${m}m` : `${m}m ${s % 60n}s`;
}

async function chainTime(pool: RiskSharingPoolClient): Promise<bigint> {
  const block = await pool.runner.provider?.getBlock("latest");
  if (!block) throw new Error("cannot read the latest block");
  return BigInt(block.timestamp);
}

async function frozenHatch(pool: RiskSharingPoolClient): Promise<HatchState> {
  const h = await pool.hatchState();
  if (!h.frozen) throw new InputError(`the pool is not frozen (anyone may freeze it from ${new Date(Number(h.freezeAllowedAt) * 1000).toISOString()} unless an epoch opens first: \`zkrs freeze\`)`);
  return h;
}

const freezeCommand: Command = {
  path: ["freeze"],
  summary: "Anyone: freeze a pool whose operator went silent (no epoch opened for maxEpochDelay, or a path request unanswered that long).",
  options: {
    ...RPC_OPTION, ...KEY_OPTION, ...POOL_OPTION,
    request: { type: "string", arg: "id", description: "freeze on this path request, unanswered past its deadline (default: for want of an opening)" },
    ...JSON_OPTION,
  },
  async run(ctx, args): Promise<CommandResult> {
    const url = rpcUrl(args);
    const key = privateKey(args);
    const ref = poolRef(args);
    const request = args.has("request") ? args.bigint("request", { min: 0n }) : undefined;
    return onChain(ctx, url, async (chain) => {
      const { pool } = await openPool(ctx, chain, ref, key);
      const h = await pool.hatchState();
      if (h.frozen) throw new InputError("the pool is frozen already");
      const now = await chainTime(pool);
      if (request === undefined && now < h.freezeAllowedAt) {
        throw new InputError(`too early: the last epoch opened ${span(now - h.lastOpenedAt)} ago; anyone may freeze in ${span(h.freezeAllowedAt - now)} (maxEpochDelay ${span(h.maxEpochDelay)})`);
      }
      const r = await ctx.step(request === undefined ? "freezing the pool (no opening for maxEpochDelay)" : `freezing the pool on path request ${request}`, () =>
        request === undefined ? pool.freeze() : pool.freezeOnRequest(request));
      const f = r.events.find((e) => e.name === "Frozen");
      if (f?.name !== "Frozen") throw new Error(`freeze ${r.hash} logged no Frozen event`);
      const a = f.args;
      return {
        json: { pool: ref.address, epoch: a.epoch, accountsRoot: a.accountsRoot.toString(), markTotal: a.markTotal.toString(), pot: a.pot.toString(), uncredited: a.uncredited.toString(), tx: r.hash, gasUsed: r.gasUsed.toString() },
        human: [
          `frozen: exits use epoch ${a.epoch}'s roots; traders are owed ${a.markTotal} at mark; pot ${a.pot}; ${a.uncredited} of deposits to refund`,
          `  tx ${r.hash} (${r.gasUsed} gas)`,
        ],
      };
    });
  },
};

const pathRequestCommand: Command = {
  path: ["path", "request"],
  summary: "Trader: ask the operator on-chain for your inclusion path (pays the pool's path fee); unanswered for maxEpochDelay, anyone may freeze.",
  options: {
    ...RPC_OPTION, ...KEY_OPTION, ...POOL_OPTION,
    index: { type: "string", arg: "n", description: "your account's leaf index", required: true },
    ...JSON_OPTION,
  },
  async run(ctx, args): Promise<CommandResult> {
    const url = rpcUrl(args);
    const key = privateKey(args);
    const ref = poolRef(args);
    const index = args.int("index", 0, 2 ** 32 - 1);
    return onChain(ctx, url, async (chain) => {
      const { pool, signer } = await openPool(ctx, chain, ref, key);
      const paths = new PathRequestsClient(await pool.pathRequestsAddress(), signer as NonceManager);
      const fee = await paths.fee();
      const r = await ctx.step(`requesting the path of leaf ${index} (fee ${fee} wei)`, () => paths.request(index));
      const info = await paths.requestInfo(r.requestId);
      return {
        json: { pool: ref.address, request: r.requestId.toString(), index, fee: fee.toString(), deadline: info?.deadline.toString(), tx: r.hash, gasUsed: r.gasUsed.toString() },
        human: [
          `path request ${r.requestId} for leaf ${index}: the operator must answer by ${new Date(Number(info?.deadline ?? 0n) * 1000).toISOString()}, or anyone may \`zkrs freeze --request ${r.requestId}\``,
          `  tx ${r.hash} (${r.gasUsed} gas)`,
        ],
      };
    });
  },
};

const pathAnswerCommand: Command = {
  path: ["path", "answer"],
  summary: "Operator: answer a path request on-chain from the latest epoch's leaf-hash file (checked against the accounts root; the fee is yours).",
  options: {
    ...RPC_OPTION, ...KEY_OPTION, ...POOL_OPTION,
    request: { type: "string", arg: "id", description: "the request to answer", required: true },
    "leaf-hashes": { type: "string", arg: "file.json", description: "the latest accepted epoch's leaf-hash file (zkrs/leaf-hashes@1, from `zkrs tree`)", required: true },
    ...JSON_OPTION,
  },
  async run(ctx, args): Promise<CommandResult> {
    const url = rpcUrl(args);
    const key = privateKey(args);
    const ref = poolRef(args);
    const id = args.bigint("request", { min: 0n });
    const file = args.string("leaf-hashes");
    const hashes = loadLeafHashes(file);
    return onChain(ctx, url, async (chain) => {
      const { pool, signer } = await openPool(ctx, chain, ref, key);
      const paths = new PathRequestsClient(await pool.pathRequestsAddress(), signer as NonceManager);
      const info = await paths.requestInfo(id);
      if (!info) throw new InputError(`path request ${id} does not exist (or its fee was refunded)`);
      if (info.answered) throw new InputError(`path request ${id} is answered already`);
      const latest = await pool.latestAccountsRoot();
      if (hashes.accountsRoot !== latest.root) {
        throw new InputError(`${file} is epoch ${hashes.epoch}'s tree (root ${hashes.accountsRoot}), but the pool's latest accepted root is epoch ${latest.epoch}'s (${latest.root})`);
      }
      if (info.leafIndex >= hashes.leaves.length) throw new InputError(`leaf ${info.leafIndex} is beyond the ${hashes.leaves.length} leaves of ${file}`);
      const path = leafPath(hashes, info.leafIndex);
      const r = await ctx.step(`answering path request ${id} (leaf ${info.leafIndex}, epoch ${latest.epoch})`, () => paths.answer(id, hashes.leaves[info.leafIndex], path));
      return {
        json: { pool: ref.address, request: id.toString(), index: info.leafIndex, epoch: latest.epoch, tx: r.hash, gasUsed: r.gasUsed.toString() },
        human: [`answered path request ${id}: leaf ${info.leafIndex} of epoch ${latest.epoch}`, `  tx ${r.hash} (${r.gasUsed} gas)`],
      };
    });
  },
};

const pathFetchCommand: Command = {
  path: ["path", "fetch"],
  summary: "Trader: write your path file from the operator's on-chain answer to your request (for `zkrs prove margin|exit --path`).",
  options: {
    ...RPC_OPTION, ...POOL_OPTION,
    request: { type: "string", arg: "id", description: "your path request", required: true },
    circuit: { type: "string", arg: "name", description: "the circuit the path is for (default: the pool's exit circuit)" },
    out: { type: "string", arg: "path.json", description: "path file to write (zkrs/path@1)", required: true },
    ...JSON_OPTION,
  },
  async run(ctx, args): Promise<CommandResult> {
    const url = rpcUrl(args);
    const ref = poolRef(args);
    const id = args.bigint("request", { min: 0n });
    const out = args.outFile("out");
    const circuit = catalogCircuit(args.optionalString("circuit") ?? ref.circuits.exit, "portfolio");
    return onChain(ctx, url, async (chain) => {
      const { pool } = await openPool(ctx, chain, ref);
      const paths = new PathRequestsClient(await pool.pathRequestsAddress(), chain.provider);
      const entry = (await paths.history(ref.block ?? 0)).find((h) => h.requestId === id);
      if (!entry) throw new InputError(`path request ${id} does not exist on this pool`);
      if (!entry.answer) throw new InputError(`path request ${id} is not answered yet (deadline ${new Date(Number(entry.deadline) * 1000).toISOString()})`);
      const info = await pool.epochInfo(entry.answer.epoch);
      const file = {
        epoch: entry.answer.epoch, depth: circuit.params.depth, positionSlots: circuit.params.positions, accountsRoot: info.openAccountsRoot,
        leaf: entry.answer.leaf, path: entry.answer.path,
      };
      writeOutputs([jsonOutput(out, encodePath(file))]);
      return {
        json: { out, request: id.toString(), epoch: file.epoch, index: file.path.index, leaf: file.leaf.toString() },
        human: [`path of leaf ${file.path.index} in epoch ${file.epoch} (from the answer to request ${id}); wrote ${out}`],
      };
    });
  },
};

const exitCommand: Command = {
  path: ["exit"],
  summary: "Trader (or anyone): pay an exit proof from a frozen pool: the mark claim less what the account took, under the epoch's haircut rule.",
  options: {
    ...RPC_OPTION, ...KEY_OPTION, ...POOL_OPTION,
    proof: { type: "string", arg: "proof.json", description: "exit proof (zkrs/exit-proof@1, from `zkrs prove exit`)", required: true },
    ...JSON_OPTION,
  },
  async run(ctx, args): Promise<CommandResult> {
    const url = rpcUrl(args);
    const key = privateKey(args);
    const ref = poolRef(args);
    const file = args.string("proof");
    const { proof } = await loadVerifiedProof(ctx, file, "exit", ref.circuits.exit);
    const s = proof.statement;
    return onChain(ctx, url, async (chain) => {
      const { pool } = await openPool(ctx, chain, ref, key);
      await frozenHatch(pool);
      const rec = await pool.nullifierRecord(s.nullifier);
      if (rec.exited) throw new InputError(`${file}: this account exited already (nullifier ${s.nullifier})`);
      const r = await ctx.step(`exiting: claim ${s.amount} at mark (epoch ${s.epoch}) to ${s.recipient}`, () => pool.exit(proof));
      const e = r.events.find((x) => x.name === "Exited");
      if (e?.name !== "Exited") throw new Error(`exit ${r.hash} logged no Exited event`);
      return {
        json: { pool: ref.address, epoch: s.epoch, nullifier: s.nullifier.toString(), recipient: s.recipient, amount: s.amount.toString(), taken: e.args.taken.toString(), paid: e.args.paid.toString(), tx: r.hash, gasUsed: r.gasUsed.toString() },
        human: [
          `exited: paid ${e.args.paid} to ${s.recipient} (claim ${s.amount} at mark${e.args.taken > 0n ? `, ${e.args.taken} taken before the freeze` : ""})`,
          `  tx ${r.hash} (${r.gasUsed} gas)`,
        ],
      };
    });
  },
};

const refundCommand: Command = {
  path: ["refund"],
  summary: "Anyone: refund a trader deposit of a frozen pool that no accepted accounts root credits (paid to its depositor).",
  options: {
    ...RPC_OPTION, ...KEY_OPTION, ...POOL_OPTION,
    deposit: { type: "string", arg: "id", description: "the deposit's id (its CollateralDeposited event; `zkrs pool status` lists the refundable ones)", required: true },
    ...JSON_OPTION,
  },
  async run(ctx, args): Promise<CommandResult> {
    const url = rpcUrl(args);
    const key = privateKey(args);
    const ref = poolRef(args);
    const id = args.bigint("deposit", { min: 0n });
    return onChain(ctx, url, async (chain) => {
      const { pool } = await openPool(ctx, chain, ref, key);
      await frozenHatch(pool);
      const d = await pool.traderDeposit(id);
      if (!d) throw new InputError(`deposit ${id} does not exist or was refunded already`);
      const latest = (await pool.state()).latestAcceptedEpoch;
      if (latest !== undefined && d.creditEpoch <= latest) throw new InputError(`deposit ${id} is credited by epoch ${latest}'s accounts root: it is part of its account's exit claim, not a refund`);
      const r = await ctx.step(`refunding deposit ${id} (${d.amount}) to ${d.depositor}`, () => pool.refundDeposit(id));
      return {
        json: { pool: ref.address, deposit: id.toString(), depositor: d.depositor, amount: d.amount.toString(), tx: r.hash, gasUsed: r.gasUsed.toString() },
        human: [`refunded ${d.amount} to ${d.depositor}`, `  tx ${r.hash} (${r.gasUsed} gas)`],
      };
    });
  },
};

const lpExitCommand: Command = {
  path: ["lp", "exit"],
  summary: "LP: take your share of a frozen pool's surplus above the traders' outstanding claims (notes the frozen epoch's settlements first).",
  details: [
    "Settlements and liquidations of the frozen epoch were paid before the freeze; until each is noted on-chain its claim is",
    "held back for the traders. This command notes every one not noted yet (anyone may), then pays your share. Run it again",
    "later: your share never shrinks, and grows as claims are noted.",
  ],
  options: { ...RPC_OPTION, ...KEY_OPTION, ...POOL_OPTION, ...JSON_OPTION },
  async run(ctx, args): Promise<CommandResult> {
    const url = rpcUrl(args);
    const key = privateKey(args);
    const ref = poolRef(args);
    return onChain(ctx, url, async (chain) => {
      const { pool, signer } = await openPool(ctx, chain, ref, key);
      const me = await (signer as NonceManager).getAddress();
      const h = await frozenHatch(pool);
      const events = await pool.events(ref.block ?? 0);
      const frozenAt = eventsNamed(events, "Frozen")[0]?.args.epoch;
      const spent = [
        ...eventsNamed(events, "Settled", frozenAt).map((e) => e.args.nullifier),
        ...eventsNamed(events, "Liquidated", frozenAt).map((e) => e.args.tag),
      ];
      const notes = [];
      for (const n of spent) {
        if (!(await pool.nullifierRecord(n)).noted) notes.push(await pool.noteSettled(n));
      }
      if (notes.length > 0) ctx.log(`noted ${notes.length} settlement(s) and liquidation(s) of epoch ${frozenAt} (${gas(notes)} gas)`);
      const due = await pool.lpExitPreview(me);
      if (due === 0n) throw new InputError(`nothing to take for ${me}: ${await pool.sharesOf(me)} shares, ${await pool.lpExitPaid(me)} taken already, LP surplus ${h.lpSurplus}`);
      const r = await ctx.step(`taking ${due} of the LPs' surplus`, () => pool.lpExit());
      const after = await pool.hatchState();
      return {
        json: { pool: ref.address, provider: me, paid: due.toString(), lpSurplus: after.lpSurplus.toString(), outstandingClaims: after.outstandingClaims.toString(), tx: r.hash, gasUsed: r.gasUsed.toString() },
        human: [`paid ${due} to ${me} (LP surplus ${after.lpSurplus}; traders' outstanding claims ${after.outstandingClaims})`, `  tx ${r.hash} (${r.gasUsed} gas)`],
      };
    });
  },
};

const poolStatusCommand: Command = {
  path: ["pool", "status"],
  summary: "Anyone: the escape hatch's view of a pool: time left before anyone may freeze, or, frozen, what the traders are owed and what is left for the LPs.",
  options: { ...RPC_OPTION, ...POOL_OPTION, ...JSON_OPTION },
  async run(ctx, args): Promise<CommandResult> {
    const url = rpcUrl(args);
    const ref = poolRef(args);
    return onChain(ctx, url, async (chain) => {
      const { pool } = await openPool(ctx, chain, ref);
      const st = await pool.state();
      const h = st.hatch;
      const now = await chainTime(pool);
      const paths = new PathRequestsClient(h.pathRequests, chain.provider);
      const open = (await paths.history(ref.block ?? 0)).filter((p) => !p.answer);
      const events = await pool.events(ref.block ?? 0);
      const refundable: { id: bigint; depositor: string; amount: bigint }[] = [];
      if (h.frozen) {
        for (const e of eventsNamed(events, "CollateralDeposited")) {
          const d = await pool.traderDeposit(e.args.depositId);
          if (d && (st.latestAcceptedEpoch === undefined || d.creditEpoch > st.latestAcceptedEpoch)) refundable.push({ id: e.args.depositId, depositor: d.depositor, amount: d.amount });
        }
      }
      const exits = eventsNamed(events, "Exited");
      const json = {
        pool: ref.address, frozen: h.frozen, now: now.toString(), lastOpenedAt: h.lastOpenedAt.toString(), freezeAllowedAt: h.freezeAllowedAt.toString(),
        maxEpochDelay: h.maxEpochDelay.toString(), unansweredPathRequests: open.map((p) => ({ request: p.requestId.toString(), index: p.leafIndex, deadline: p.deadline.toString() })),
        frozenEpoch: h.frozen ? st.latestAcceptedEpoch : undefined, frozenPot: h.frozenPot.toString(), outstandingClaims: h.outstandingClaims.toString(),
        claimsNoted: h.claimsNoted.toString(), lpSurplus: h.lpSurplus.toString(), lpExitPaidTotal: h.lpExitPaidTotal.toString(),
        fundSurplus: h.fundSurplus.toString(), fundExitPaid: h.fundExitPaid.toString(), refundsOwed: h.refundsOwed.toString(),
        exits: exits.length, exitsPaid: exits.reduce((a, e) => a + e.args.paid, 0n).toString(),
        refundable: refundable.map((d) => ({ deposit: d.id.toString(), depositor: d.depositor, amount: d.amount.toString() })),
      };
      const human = h.frozen
        ? [
          `frozen: exits use epoch ${st.latestAcceptedEpoch}'s roots`,
          `  pot at the freeze         ${h.frozenPot}`,
          `  traders' outstanding      ${h.outstandingClaims} (as paid; ${exits.length} exit(s) paid ${json.exitsPaid} so far; ${h.claimsNoted} noted as paid before the freeze)`,
          `  LP surplus                ${h.lpSurplus} (${h.lpExitPaidTotal} taken)`,
          `  insurance fund's part     ${h.fundSurplus} (${h.fundExitPaid} paid to the admin)`,
          `  deposits to refund        ${h.refundsOwed}${refundable.length ? ` (${refundable.map((d) => `#${d.id}: ${d.amount}`).join(", ")})` : ""}`,
        ]
        : [
          `live: the last epoch opened ${span(now - h.lastOpenedAt)} ago; anyone may freeze ${now >= h.freezeAllowedAt ? "now" : `in ${span(h.freezeAllowedAt - now)}`} (maxEpochDelay ${span(h.maxEpochDelay)})`,
          ...open.map((p) => `  path request ${p.requestId} (leaf ${p.leafIndex}) unanswered: ${now >= p.deadline ? "overdue, anyone may freeze" : `due in ${span(p.deadline - now)}`}`),
        ];
      return { json, human };
    });
  },
};

export const hatchCommands: Command[] = [freezeCommand, pathRequestCommand, pathAnswerCommand, pathFetchCommand, exitCommand, refundCommand, lpExitCommand, poolStatusCommand];
