/**
 * Every circuit instance the project builds, and the one list of each proof kind's public
 * signals in the circuit's order (src/protocol/ builds every statement from it). Parameters are template arguments; "test"
 * instances are small enough for the unit tests, "reference" ones are the sizes of the spec.
 */
export type CircuitSet = "test" | "reference";

export interface MarginParams {
  /** Stress scenarios (the mark column comes on top). */
  scenarios: number;
  /** log2 of the number of listed-instrument slots in the risk table. */
  logInstruments: number;
  /** Position slots per account. */
  positions: number;
  /** Accounts tree depth. */
  depth: number;
}

export interface SolvencyParams extends MarginParams {
  /** log2 of the account slots per batch. */
  logBatch: number;
}

interface InstanceBase {
  name: string;
  set: CircuitSet;
  file: string;
  template: string;
  /** Public inputs in the order they appear in the proof's public signals. */
  publicSignals: readonly string[];
}

export interface MarginInstance extends InstanceBase {
  kind: "margin";
  params: MarginParams;
}

export interface SolvencyInstance extends InstanceBase {
  kind: "solvency";
  params: SolvencyParams;
}

export interface LiquidationInstance extends InstanceBase {
  kind: "liquidation";
  params: MarginParams;
}

/** The risk table's well-formedness statement (circuits/risk_table.circom), proven once per epoch. */
export interface RiskTableParams {
  scenarios: number;
  logInstruments: number;
}

export interface RiskTableInstance extends InstanceBase {
  kind: "riskTable";
  params: RiskTableParams;
}

/** The escape hatch's exit statement (circuits/exit.circom): same portfolio parameters as margin. */
export interface ExitInstance extends InstanceBase {
  kind: "exit";
  params: MarginParams;
}

/**
 * The epoch transition's accounts pass (circuits/epoch_transition.circom, EpochTransition):
 * batches of 2^logBatch account slots with 2^logOrders order slots (at most that many of a
 * batch's accounts trade in one epoch), the portfolio parameters of the risk model.
 */
export interface TransitionParams extends SolvencyParams {
  /** log2 of the order slots per batch. */
  logOrders: number;
}

export interface TransitionInstance extends InstanceBase {
  kind: "transition";
  params: TransitionParams;
}

/**
 * The epoch transition's events pass (EpochEvents): batches of 2^logEvents recorded events. Its
 * template takes only positions, depth and logEvents; the other fields name the risk model of
 * the accounts pass it belongs to.
 */
export interface TransitionEventsParams extends SolvencyParams {
  /** log2 of the event slots per batch. */
  logEvents: number;
}

export interface TransitionEventsInstance extends InstanceBase {
  kind: "transitionEvents";
  params: TransitionEventsParams;
}

export type CircuitInstance =
  | MarginInstance | SolvencyInstance | LiquidationInstance | RiskTableInstance | ExitInstance | TransitionInstance | TransitionEventsInstance;
export type CircuitKind = CircuitInstance["kind"];

export const MARGIN_PUBLIC_SIGNALS = ["epoch", "riskRoot", "accountsRoot", "nullifier", "recipient", "amount"] as const;
export const SOLVENCY_PUBLIC_SIGNALS = [
  "epoch", "riskRoot", "accountsRoot", "stressTotal", "markTotal", "batchIndex", "isLast", "prevTotalsCommitment", "totalsCommitment",
] as const;
/** docs/design.md §9: `tag` is the account's epoch nullifier Poseidon(accountKey, epoch). */
export const LIQUIDATION_PUBLIC_SIGNALS = ["epoch", "riskRoot", "accountsRoot", "tag", "penalty", "deficit"] as const;

/** docs/design.md §12: a frozen pool's exit; `nullifier` is the account's epoch nullifier, `amount` = max(E_0, 0). */
export const EXIT_PUBLIC_SIGNALS = ["epoch", "riskRoot", "accountsRoot", "nullifier", "recipient", "amount"] as const;

/**
 * docs/design.md "Epoch transitions", accounts pass: both epochs, e+1's risk root and variation
 * digest, the fee rate, and on the last batch e+1's accounts root and the net flow to the LPs.
 */
export const TRANSITION_PUBLIC_SIGNALS = [
  "epoch", "nextEpoch", "riskRoot", "variationDigest", "feeRate", "nextAccountsRoot", "netFlow", "batchIndex", "isLast", "prevState", "nextState",
] as const;

/** Events pass: epoch e, its accounts root (batch 0), the contract's events digest (last batch). */
export const TRANSITION_EVENTS_PUBLIC_SIGNALS = ["epoch", "accountsRoot", "eventsDigest", "batchIndex", "isLast", "prevState", "nextState"] as const;

/** The publisher's RiskTable proof: the epoch and the root publishRisk records. */
export const RISK_TABLE_PUBLIC_SIGNALS = ["epoch", "riskRoot"] as const;

function margin(name: string, set: CircuitSet, params: MarginParams): MarginInstance {
  return { kind: "margin", name, set, file: "margin_compliance.circom", template: "MarginCompliance", publicSignals: MARGIN_PUBLIC_SIGNALS, params };
}

function solvency(name: string, set: CircuitSet, params: SolvencyParams): SolvencyInstance {
  return { kind: "solvency", name, set, file: "pool_solvency.circom", template: "PoolSolvency", publicSignals: SOLVENCY_PUBLIC_SIGNALS, params };
}

function liquidation(name: string, set: CircuitSet, params: MarginParams): LiquidationInstance {
  return { kind: "liquidation", name, set, file: "liquidation.circom", template: "Liquidation", publicSignals: LIQUIDATION_PUBLIC_SIGNALS, params };
}

function exit(name: string, set: CircuitSet, params: MarginParams): ExitInstance {
  return { kind: "exit", name, set, file: "exit.circom", template: "Exit", publicSignals: EXIT_PUBLIC_SIGNALS, params };
}

function riskTable(name: string, set: CircuitSet, params: RiskTableParams): RiskTableInstance {
  return { kind: "riskTable", name, set, file: "risk_table.circom", template: "RiskTable", publicSignals: RISK_TABLE_PUBLIC_SIGNALS, params };
}

function transition(name: string, set: CircuitSet, params: TransitionParams): TransitionInstance {
  return { kind: "transition", name, set, file: "epoch_transition.circom", template: "EpochTransition", publicSignals: TRANSITION_PUBLIC_SIGNALS, params };
}

function transitionEvents(name: string, set: CircuitSet, params: TransitionEventsParams): TransitionEventsInstance {
  return { kind: "transitionEvents", name, set, file: "epoch_transition.circom", template: "EpochEvents", publicSignals: TRANSITION_EVENTS_PUBLIC_SIGNALS, params };
}

/** The reference risk model: 16 SPAN scenarios, 64 instruments, 8 positions, depth-20 accounts tree. */
export const REFERENCE_PARAMS: SolvencyParams = { scenarios: 16, logInstruments: 6, positions: 8, depth: 20, logBatch: 4 };
/** Small instance for tests: same 16 scenarios, 4 instruments, 2 positions, depth 6, batches of 4. */
export const TEST_PARAMS: SolvencyParams = { scenarios: 16, logInstruments: 2, positions: 2, depth: 6, logBatch: 2 };

const { logBatch: _r, ...referenceMargin } = REFERENCE_PARAMS;
const { logBatch: _t, ...testMargin } = TEST_PARAMS;

export const CIRCUITS: readonly CircuitInstance[] = [
  margin("margin_test", "test", testMargin),
  solvency("solvency_test", "test", TEST_PARAMS),
  liquidation("liquidation_test", "test", testMargin),
  riskTable("risk_table_test", "test", { scenarios: TEST_PARAMS.scenarios, logInstruments: TEST_PARAMS.logInstruments }),
  exit("exit_test", "test", testMargin),
  transition("epoch_transition_test", "test", { ...TEST_PARAMS, logOrders: 1 }),
  transitionEvents("epoch_events_test", "test", { ...TEST_PARAMS, logEvents: 2 }),
  margin("margin", "reference", referenceMargin),
  solvency("solvency", "reference", REFERENCE_PARAMS),
  liquidation("liquidation", "reference", referenceMargin),
  riskTable("risk_table", "reference", { scenarios: REFERENCE_PARAMS.scenarios, logInstruments: REFERENCE_PARAMS.logInstruments }),
  exit("exit", "reference", referenceMargin),
  // Batches of 32 accounts with 8 order slots: the table's share per account halves (docs/design.md §13).
  transition("epoch_transition", "reference", { ...REFERENCE_PARAMS, logBatch: 5, logOrders: 3 }),
  transitionEvents("epoch_events", "reference", { ...REFERENCE_PARAMS, logEvents: 4 }),
];

/** The proof kinds whose verifiers a pool is deployed with (all but the epoch transition's, not deployed yet). */
export type PoolKind = Exclude<CircuitKind, "transition" | "transitionEvents">;

/** The circuits whose verifiers a pool is deployed with: one per proof kind. */
export type PoolCircuits = Record<PoolKind, string>;

function poolCircuits(set: CircuitSet): PoolCircuits {
  const of = (kind: PoolKind): string => {
    const found = CIRCUITS.find((c) => c.set === set && c.kind === kind);
    if (!found) throw new Error(`the catalog has no ${kind} circuit in set ${set}`);
    return found.name;
  };
  return { margin: of("margin"), solvency: of("solvency"), liquidation: of("liquidation"), riskTable: of("riskTable"), exit: of("exit") };
}

/** Each set's pool circuits ("test": margin_test, …; "reference": margin, …). */
export const CIRCUIT_SETS: Readonly<Record<CircuitSet, PoolCircuits>> = { test: poolCircuits("test"), reference: poolCircuits("reference") };

export function templateArgs(instance: CircuitInstance): number[] {
  if (instance.kind === "riskTable") return [instance.params.scenarios, instance.params.logInstruments];
  if (instance.kind === "transitionEvents") return [instance.params.positions, instance.params.depth, instance.params.logEvents];
  const p = instance.params;
  const base = [p.scenarios, p.logInstruments, p.positions, p.depth];
  if (instance.kind === "transition") return [...base, instance.params.logBatch, instance.params.logOrders];
  return instance.kind === "solvency" ? [...base, instance.params.logBatch] : base;
}

/** "margin_test" -> "MarginTestVerifier": the name under which a circuit's verifier contract is built. */
export function verifierName(circuit: string): string {
  return circuit.split(/[_-]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("") + "Verifier";
}

export function findCircuit(name: string): CircuitInstance {
  const found = CIRCUITS.find((c) => c.name === name);
  if (!found) throw new Error(`unknown circuit "${name}" (known: ${CIRCUITS.map((c) => c.name).join(", ")})`);
  return found;
}

/** The circuits about one committed portfolio or a batch of them (everything but the risk table): margin, solvency, liquidation, exit. */
export type PortfolioInstance = Exclude<CircuitInstance, RiskTableInstance>;

/** The portfolio parameters of a margin, solvency or liquidation instance (a risk-table instance has none). */
export function portfolioParams(instance: CircuitInstance): MarginParams {
  if (instance.kind === "riskTable") throw new Error(`circuit "${instance.name}" is a risk-table circuit: it has no accounts or positions`);
  return instance.params;
}
