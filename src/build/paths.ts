import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Project root (the folder holding package.json). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Everything the build makes lives here; it is ignored by git. (circom, compiled to WebAssembly, can only reach files below the project root.) */
export const BUILD_DIR = join(PROJECT_ROOT, "build");

/** The manifest that tests, the CLI and the demo read. */
export const MANIFEST_PATH = join(BUILD_DIR, "manifest.json");

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
