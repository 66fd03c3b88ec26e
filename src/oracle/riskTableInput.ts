import type { RiskTableParams } from "../build/circuitCatalog.js";
import { toField } from "../crypto/field.js";
import type { CircuitInput } from "../proof/groth16Prover.js";
import { commitRiskTable, type RiskCommitment } from "../risk/riskCommitment.js";
import type { RiskTable } from "../risk/riskEngine.js";
/**
 * The publisher's statement about an epoch's risk table (circuits/risk_table.circom): riskRoot
 * commits to a table whose two halves (the rows margin and liquidation proofs open, the flat
 * digest solvency proofs re-hash) are the same values, every value and add-on in range, every
 * perp/future at mark value 0. The contract's publishRisk accepts a root only with this proof.
 */
export interface RiskTableStatement {
  epoch: number;
  riskRoot: bigint;
}

/** Public signals in the circuit's order: epoch, riskRoot. */
export function riskTablePublicSignals(s: RiskTableStatement): string[] {
  return [String(s.epoch), s.riskRoot.toString()];
}

/**
 * Checks the table against the circuit (scenario count, instrument slots, each value's bound and
 * the perps' zero mark: commitRiskTable names the row) and lays out the circuit input.
 */
export function buildRiskTableInput(table: RiskTable, params: RiskTableParams): { input: CircuitInput; statement: RiskTableStatement; commitment: RiskCommitment } {
  if (!Number.isInteger(table.epoch) || table.epoch < 0 || table.epoch >= 2 ** 32) throw new RangeError(`epoch must be an integer in [0, 2^32), got ${table.epoch}`);
  if (table.scenarios !== params.scenarios) throw new RangeError(`risk table has ${table.scenarios} scenarios, the circuit takes ${params.scenarios}`);
  const commitment = commitRiskTable(table, params.logInstruments);
  const statement = { epoch: table.epoch, riskRoot: commitment.riskRoot };
  const input: CircuitInput = {
    epoch: BigInt(table.epoch),
    riskRoot: commitment.riskRoot,
    values: commitment.rows.map((r) => r.values.map(toField)),
    addon: commitment.rows.map((r) => r.addon),
    linear: commitment.rows.map((r) => (r.linear ? 1n : 0n)),
  };
  return { input, statement, commitment };
}

