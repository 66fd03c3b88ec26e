import type { RiskTableParams } from "../protocol/circuitCatalog.js";
import { toField } from "../crypto/field.js";
import type { CircuitInput } from "../proof/groth16Prover.js";
import { type RiskTableStatement, riskTableStatement } from "../protocol/riskTable.js";
import { commitRiskTable, type RiskCommitment } from "../risk/riskCommitment.js";
import type { RiskTable } from "../risk/riskEngine.js";
export type { RiskTableStatement } from "../protocol/riskTable.js";

/** Public signals in the circuit's order: epoch, riskRoot. */
export function riskTablePublicSignals(s: RiskTableStatement): string[] {
  return riskTableStatement.signals(s);
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

