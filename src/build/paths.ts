import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { BUILD_DIR, PROJECT_ROOT } from "../artifacts/paths.js";

/** The build pipeline's own paths; the ones read at run time are in src/artifacts/paths.ts. */
export { BUILD_DIR, PROJECT_ROOT };

/**
 * Generated dev powers-of-tau files are kept outside build/ (they take minutes to make and do
 * not depend on any circuit), in ZKRS_CACHE_DIR or ~/.cache/zk-risk-sharing.
 */
export const PTAU_CACHE_DIR = process.env.ZKRS_CACHE_DIR
  ? resolve(process.env.ZKRS_CACHE_DIR, "ptau")
  : join(homedir(), ".cache", "zk-risk-sharing", "ptau");

/** The team's shared dev ptau folder, beside the project root when present. */
export const SHARED_PTAU_DIR = resolve(PROJECT_ROOT, "..", "shared", "ptau");

export const CIRCUITS_DIR = join(PROJECT_ROOT, "circuits");
export const CONTRACTS_DIR = join(PROJECT_ROOT, "contracts");

/** Include folders handed to circom, relative to the project root. */
export const CIRCOM_LIBRARY_DIRS = ["node_modules/circomlib/circuits", "node_modules/@zk-kit/binary-merkle-root.circom/src"];
