/**
 * The leaf-hash file the operator publishes for every epoch (docs/design.md §12): the accounts
 * tree's leaves in leaf-index order, up to the last non-empty one. Leaves are salted hashes, so
 * the file reveals nothing about the accounts; with it any trader rebuilds their own inclusion
 * path without asking the operator. Reading the file recomputes the root and checks it.
 *
 *   { "format": "zkrs/leaf-hashes@1", "epoch", "depth", "accountsRoot", "leaves": ["<decimal>", ...] }
 *
 * Browser-safe (the trader's page imports it): no Node built-ins.
 */
import { FIELD_MODULUS } from "../crypto/field.js";
import { EMPTY_LEAF, MAX_TREE_DEPTH, type MerklePath, MerkleTree } from "../crypto/merkleTree.js";
import { Fields, FORMATS } from "../io/json.js";

export interface LeafHashes {
  epoch: number;
  depth: number;
  accountsRoot: bigint;
  /** Leaf hashes in leaf-index order; empty slots are 0; no trailing empty leaves. */
  leaves: readonly bigint[];
}

const trees = new WeakMap<LeafHashes, MerkleTree>();

function treeOf(l: LeafHashes): MerkleTree {
  let tree = trees.get(l);
  if (!tree) {
    tree = new MerkleTree(l.depth, l.leaves);
    trees.set(l, tree);
  }
  return tree;
}

/** The leaf-hash record of an epoch's accounts tree, from its leaves (trailing empty leaves dropped). */
export function leafHashesOf(epoch: number, depth: number, leaves: readonly bigint[]): LeafHashes {
  let end = leaves.length;
  while (end > 0 && leaves[end - 1] === EMPTY_LEAF) end--;
  const l: LeafHashes = { epoch, depth, accountsRoot: 0n, leaves: leaves.slice(0, end) };
  const tree = new MerkleTree(depth, l.leaves);
  const out = { ...l, accountsRoot: tree.root };
  trees.set(out, tree);
  return out;
}

export function encodeLeafHashes(l: LeafHashes): Record<string, unknown> {
  return { format: FORMATS.leafHashes, epoch: l.epoch, depth: l.depth, accountsRoot: l.accountsRoot.toString(), leaves: l.leaves.map(String) };
}

/** Reads a parsed leaf-hash file; the error names the file and the field (a root that the leaves do not give is refused). */
export function decodeLeafHashes(file: string, data: unknown): LeafHashes {
  const f = new Fields(file, data);
  const format = f.string("format");
  if (format !== FORMATS.leafHashes) f.fail("format", `must be "${FORMATS.leafHashes}", got "${format}"`);
  const depth = f.int("depth", 1, MAX_TREE_DEPTH);
  const l: LeafHashes = {
    epoch: f.int("epoch", 0, 2 ** 32 - 1),
    depth,
    accountsRoot: f.bigint("accountsRoot", { min: 0n, max: FIELD_MODULUS - 1n }),
    leaves: f.bigints("leaves", { min: 0n, max: FIELD_MODULUS - 1n }),
  };
  if (l.leaves.length > 2 ** depth) f.fail("leaves", `has ${l.leaves.length} leaves, a tree of depth ${depth} holds ${2 ** depth}`);
  if (l.leaves.length > 0 && l.leaves[l.leaves.length - 1] === EMPTY_LEAF) f.fail("leaves", "ends with an empty leaf (the list stops at the last non-empty leaf)");
  if (treeOf(l).root !== l.accountsRoot) f.fail("accountsRoot", "is not the root of the leaves listed (a leaf is missing or altered)");
  return l;
}

/** The index of a leaf in the file, or undefined when it is not there. */
export function findLeaf(l: LeafHashes, leaf: bigint): number | undefined {
  if (leaf === EMPTY_LEAF) return undefined;
  const i = l.leaves.indexOf(leaf);
  return i >= 0 ? i : undefined;
}

/** The inclusion path of the leaf at `index` (an empty slot has one too: its leaf is 0). */
export function leafPath(l: LeafHashes, index: number): MerklePath {
  if (!Number.isInteger(index) || index < 0 || index >= 2 ** l.depth) throw new RangeError(`leaf index ${index} is outside the tree (0..${2 ** l.depth - 1})`);
  return treeOf(l).path(index);
}
