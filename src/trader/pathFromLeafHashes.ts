/**
 * A trader's inclusion path rebuilt from the epoch's published leaf hashes
 * (src/protocol/leafHashes.ts), without asking the operator: `zkrs path rebuild`, `zkrs prove exit`
 * and the trader's page use it. Browser-safe.
 */
import { accountCommitment, type AccountOpening } from "../accounts/account.js";
import type { PathFile } from "../io/formats.js";
import { InputError } from "../io/json.js";
import type { PortfolioInstance } from "../protocol/circuitCatalog.js";
import { findLeaf, type LeafHashes, leafPath } from "../protocol/leafHashes.js";

/**
 * The account's inclusion path rebuilt from the epoch's published leaf hashes: the leaf is found
 * by its hash (or taken at `index`), and its path comes from the recomputed tree.
 */
export function pathFromLeafHashes(file: string, hashes: LeafHashes, account: AccountOpening, circuit: PortfolioInstance, index?: number): PathFile {
  const { depth, positions } = circuit.params;
  if (hashes.depth !== depth) throw new InputError(`${file} is an accounts tree of depth ${hashes.depth}, circuit ${circuit.name} takes depth ${depth} (pick the matching --circuit)`);
  const leaf = accountCommitment(account, positions);
  const found = findLeaf(hashes, leaf);
  if (found === undefined) {
    throw new InputError(`${file}: your account's leaf is not among the ${hashes.leaves.length} leaves of epoch ${hashes.epoch} (not in this accountsRoot: omitted or altered by the operator, or an account file of another epoch?)`);
  }
  if (index !== undefined && index !== found) throw new InputError(`${file}: your account's leaf is at index ${found}, not at --index ${index}`);
  return { epoch: hashes.epoch, depth, positionSlots: positions, accountsRoot: hashes.accountsRoot, leaf, path: leafPath(hashes, found) };
}

