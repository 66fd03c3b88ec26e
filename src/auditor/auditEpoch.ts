import type { Interface, Provider } from "ethers";
import type { MerklePath } from "../crypto/merkleTree.js";
import type { AccountOpening } from "../accounts/account.js";
import { verifyGroth16 } from "../proof/groth16Prover.js";
import type { RiskTable } from "../risk/riskEngine.js";
import { type AuditCircuits, type AuditReport, auditEpochWith, loadPoolHistory, type ProofVerifier } from "./epochAudit.js";
import { PoolReader } from "./poolReader.js";

export type { AuditCheck, AuditCircuits, AuditReport, ProofVerifier } from "./epochAudit.js";
export { formatAuditReport } from "./formatAuditReport.js";

export interface AuditOptions {
  /** The pool: a RiskSharingPoolClient fits (only its address and ABI interface are used). */
  pool: { address: string; interface: Interface };
  provider: Provider;
  epoch: number;
  /** Circuits whose verification keys the pool's verifiers were generated from. */
  circuits: AuditCircuits;
  /** The risk table the oracle published for the epoch. */
  riskTable?: RiskTable;
  /**
   * A trader's own account opening and the inclusion path the operator gave them; with the
   * path file's `leaf` and `epoch`, a failed inclusion says whether the account was altered.
   */
  account?: { opening: AccountOpening; path: MerklePath; leaf?: bigint; epoch?: number };
  /** First block to scan for the pool's events (default 0). */
  fromBlock?: number;
  /** Proof verification (default: snarkjs with the verification keys in build/). */
  verify?: ProofVerifier;
}

/**
 * The CLI's and the demo's entry to the auditor (Node): the browser-safe audit of
 * `epochAudit.ts` with the verification keys read from build/. The auditor's page runs the
 * same `auditEpochWith` in the browser with keys fetched beside the page.
 */
export async function auditEpoch(options: AuditOptions): Promise<AuditReport> {
  const reader = await PoolReader.open(options.provider, options.pool.address, options.pool.interface);
  const history = await loadPoolHistory(reader, options.fromBlock ?? 0);
  const verify: ProofVerifier = options.verify ?? ((circuit, signals, proof) => verifyGroth16(circuit, signals, proof));
  return auditEpochWith({ history, epoch: options.epoch, circuits: options.circuits, verify, riskTable: options.riskTable, account: options.account });
}
