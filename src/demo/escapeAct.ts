/**
 * The demo's last act (docs/design.md §12): the operator goes silent. Time passes on the local
 * chain; once no epoch has opened for the pool's maxEpochDelay, a stranger freezes the pool; every
 * trader of the last opened epoch exits with a proof made on its own machine and is paid exactly
 * its mark claim less what it took before the freeze; the LPs take what is left above the traders'
 * claims. The act checks each payment against the rule and reports it.
 */
import type { JsonRpcProvider, Signer } from "ethers";
import type { TraderAccount } from "../accounts/account.js";
import { loadCircuitArtifacts } from "../artifacts/manifest.js";
import type { PoolCircuits, RiskSharingPoolClient, TxResult } from "../chain/riskSharingPool.js";
import type { MerkleTree } from "../crypto/merkleTree.js";
import { assessLiquidation } from "../operator/liquidationRule.js";
import { exitClaim } from "../protocol/exit.js";
import { eventsNamed } from "../protocol/poolEvents.js";
import { commitRiskTable } from "../risk/riskCommitment.js";
import type { RiskTable } from "../risk/riskEngine.js";
import { proveExit } from "../trader/proveExit.js";

export interface EscapeActOptions {
  circuits: PoolCircuits;
  provider: JsonRpcProvider;
  /** The pool as anyone (the freezer, named `freezer`), and as each LP. */
  stranger: RiskSharingPoolClient;
  freezer: string;
  lps: { name: string; pool: RiskSharingPoolClient; address: string }[];
  /** The last opened epoch: its table, its accounts as their owners hold them (in leaf order of `tree`) and tree. */
  epoch: number;
  table: RiskTable;
  ledger: { name: string; account: TraderAccount }[];
  tree: MerkleTree;
  /** Who an account's exit pays. */
  recipientOf: (name: string) => Signer & { address: string };
  log: (line: string) => void;
  usd: (x: bigint) => string;
}

export interface ExitLine {
  name: string;
  /** max(E_0, 0) at the frozen epoch's mark. */
  claim: bigint;
  /** What its nullifier took before the freeze (a settlement's amount, a liquidation's penalty). */
  taken: bigint;
  paid: bigint;
  /** What the rule says it is owed: (claim − taken) × the epoch's haircut ratio. */
  owed: bigint;
}

export interface EscapeActResult {
  epoch: number;
  waitedSeconds: bigint;
  exits: ExitLine[];
  lps: { name: string; paid: bigint }[];
  lpSurplus: bigint;
  /** Tokens left in the pool once everyone took its due (rounding dust). */
  left: bigint;
  /** True when every exit paid exactly what the rule says and the LPs took exactly the surplus. */
  exact: boolean;
  gas: Record<string, bigint>;
  exitProveMs: number;
}

/** Runs the act; undefined (with a line saying why) on a chain that cannot let time pass (no `evm_increaseTime`). */
export async function runEscapeAct(o: EscapeActOptions): Promise<EscapeActResult | undefined> {
  const { log, usd } = o;
  const gas: Record<string, bigint> = {};
  const hatch = await o.stranger.hatchState();
  const latest = await o.provider.getBlock("latest");
  if (!latest) throw new Error("cannot read the latest block");
  const wait = hatch.freezeAllowedAt - BigInt(latest.timestamp);
  log(`  the operator stops: no epoch opens, no path is answered; the pool's maxEpochDelay is ${hatch.maxEpochDelay / 3600n} h`);
  if (wait > 0n) {
    try {
      await o.provider.send("evm_increaseTime", [Number(wait)]);
      await o.provider.send("evm_mine", []);
    } catch (err) {
      log(`  this chain cannot let time pass (evm_increaseTime: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}): the act is skipped`);
      return undefined;
    }
  }
  log(`  ${Number(wait) / 3600 > 0 ? (Number(wait) / 3600).toFixed(1) : "0"} h pass on the local chain (evm_increaseTime)`);
  const frozen = await o.stranger.freeze();
  gas.freeze = frozen.gasUsed;
  const f = frozen.events.find((e) => e.name === "Frozen");
  if (f?.name !== "Frozen") throw new Error("freeze logged no Frozen event");
  log(`  anyone may now: ${o.freezer} freezes the pool (gas ${frozen.gasUsed.toLocaleString("en-US")}): exits use epoch ${f.args.epoch}'s roots; traders are owed ${usd(f.args.markTotal)} tUSD at mark, the pot is ${usd(f.args.pot)} tUSD`);

  const instance = loadCircuitArtifacts(o.circuits.exit).instance;
  if (instance.kind !== "exit") throw new Error(`${o.circuits.exit} is not an exit circuit`);
  const rows = commitRiskTable(o.table, instance.params.logInstruments).rows;
  const standing = await o.stranger.epochStanding(o.epoch);
  const ratio = (x: bigint): bigint => (standing.status === "haircut" ? (x * standing.haircutNum) / standing.haircutDen : x);

  log(`  every trader proves its exit on its own machine and sends it (${o.ledger.length} accounts)`);
  const exits: ExitLine[] = [];
  let exitProveMs = 0;
  for (const [index, entry] of o.ledger.entries()) {
    const recipient = o.recipientOf(entry.name);
    const claim = exitClaim(assessLiquidation(entry.account, rows, o.table.scenarios).equities[0]);
    const t0 = Date.now();
    const proof = await proveExit({
      account: entry.account, accountPath: o.tree.path(index), accountsRoot: o.tree.root, riskTable: o.table, epoch: o.epoch, recipient: recipient.address,
    }, o.circuits.exit);
    exitProveMs += Date.now() - t0;
    const r: TxResult = await o.stranger.connect(recipient).exit(proof);
    // exit: to a recipient that holds the token already (as settle's figure); exitMax: the dearest (a fresh recipient)
    gas.exit = gas.exit === undefined || r.gasUsed < gas.exit ? r.gasUsed : gas.exit;
    gas.exitMax = gas.exitMax === undefined || r.gasUsed > gas.exitMax ? r.gasUsed : gas.exitMax;
    const e = r.events.find((x) => x.name === "Exited");
    if (e?.name !== "Exited") throw new Error(`exit of ${entry.name} logged no Exited event`);
    const line = { name: entry.name, claim, taken: e.args.taken, paid: e.args.paid, owed: ratio(claim > e.args.taken ? claim - e.args.taken : 0n) };
    exits.push(line);
    if (index < 6 || line.paid !== line.owed) {
      log(`    ${entry.name.padEnd(10)} claim ${usd(claim).padStart(11)}  taken before ${usd(line.taken).padStart(10)}  paid ${usd(line.paid).padStart(11)}${line.paid === line.owed ? "" : `  OWED ${usd(line.owed)}`}`);
    }
  }
  if (o.ledger.length > 6) log(`    ... and ${o.ledger.length - 6} more, each paid its claim`);

  // The LPs: note what was paid before the freeze (settlements, liquidation penalties), then take the surplus.
  const events = await o.stranger.events();
  const spent = [...eventsNamed(events, "Settled", o.epoch).map((e) => e.args.nullifier), ...eventsNamed(events, "Liquidated", o.epoch).map((e) => e.args.tag)];
  for (const n of spent) await o.stranger.noteSettled(n);
  const after = await o.stranger.hatchState();
  log(`  ${spent.length} settlement(s) and liquidation(s) of epoch ${o.epoch} noted as paid before the freeze: LP surplus ${usd(after.lpSurplus)} tUSD, the insurance fund's part ${usd(after.fundSurplus)} tUSD`);
  const lps: { name: string; paid: bigint }[] = [];
  for (const lp of o.lps) {
    const due = await lp.pool.lpExitPreview(lp.address);
    if (due === 0n) continue;
    const r = await lp.pool.lpExit();
    gas.lpExit = r.gasUsed;
    lps.push({ name: lp.name, paid: due });
    log(`    ${lp.name.padEnd(10)} takes ${usd(due)} tUSD for ${(await lp.pool.sharesOf(lp.address)).toLocaleString("en-US")} shares`);
  }
  // The insurance fund's part (pro rata to the fund next to the LPs' NAV) goes to the protocol treasury.
  const fundPart = after.fundSurplus;
  if (fundPart > 0n) {
    const r = await o.stranger.fundExit();
    gas.fundExit = r.gasUsed;
    log(`    the insurance fund's part, ${usd(fundPart)} tUSD, goes to the protocol treasury (the admin)`);
  }
  const left = await o.stranger.poolBalance();
  const lpTotal = lps.reduce((s, l) => s + l.paid, 0n);
  const exact = exits.every((x) => x.paid === x.owed) && lpTotal <= after.lpSurplus && after.lpSurplus - lpTotal <= BigInt(o.lps.length);
  log(`  left in the pool: ${left} base units (rounding)`);
  return { epoch: o.epoch, waitedSeconds: wait, exits, lps, lpSurplus: after.lpSurplus, left, exact, gas, exitProveMs };
}
