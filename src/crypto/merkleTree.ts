import { poseidon } from "./poseidon.js";

/** Deepest accounts tree supported (2^32 leaves); the circuits take the depth as a parameter. */
export const MAX_TREE_DEPTH = 32;

/** The value of an empty leaf. Every empty subtree hashes up from it. */
export const EMPTY_LEAF = 0n;

/** EMPTY_NODES[h] is the root of an empty subtree of height h (h = 0 is an empty leaf). */
export const EMPTY_NODES: readonly bigint[] = (() => {
  const out = [EMPTY_LEAF];
  for (let h = 1; h <= MAX_TREE_DEPTH; h++) out.push(poseidon([out[h - 1], out[h - 1]]));
  return out;
})();

/** An inclusion path: siblings from the leaf upwards, and the leaf index (its bits pick left/right). */
export interface MerklePath {
  index: number;
  siblings: bigint[];
}

/**
 * A sparse binary Poseidon Merkle tree of fixed depth whose absent leaves are EMPTY_LEAF.
 * Node (level, i) hashes children (level-1, 2i) and (level-1, 2i+1); level 0 holds leaves.
 * Only non-empty nodes are stored, so a depth-20 tree with a few accounts is cheap.
 */
export class MerkleTree {
  readonly depth: number;
  private readonly levels: Map<number, bigint>[];

  constructor(depth: number, leaves: readonly bigint[] = []) {
    if (!Number.isInteger(depth) || depth < 1 || depth > MAX_TREE_DEPTH) {
      throw new Error(`tree depth must be an integer in 1..${MAX_TREE_DEPTH}, got ${depth}`);
    }
    if (leaves.length > 2 ** depth) throw new Error(`${leaves.length} leaves do not fit a tree of depth ${depth}`);
    this.depth = depth;
    this.levels = Array.from({ length: depth + 1 }, () => new Map<number, bigint>());
    leaves.forEach((leaf, i) => { if (leaf !== EMPTY_LEAF) this.levels[0].set(i, leaf); });
    for (let level = 1; level <= depth; level++) {
      const parents = new Set<number>();
      for (const i of this.levels[level - 1].keys()) parents.add(i >> 1);
      for (const p of parents) this.recompute(level, p);
    }
  }

  get capacity(): number {
    return 2 ** this.depth;
  }

  get root(): bigint {
    return this.node(this.depth, 0);
  }

  /** The node at a level (0 = leaves) and index, EMPTY_NODES[level] when nothing below it is set. */
  node(level: number, index: number): bigint {
    return this.levels[level].get(index) ?? EMPTY_NODES[level];
  }

  leaf(index: number): bigint {
    return this.node(0, index);
  }

  /** Set a leaf and rehash its path to the root. */
  set(index: number, leaf: bigint): void {
    this.checkIndex(index);
    if (leaf === EMPTY_LEAF) this.levels[0].delete(index);
    else this.levels[0].set(index, leaf);
    let i = index;
    for (let level = 1; level <= this.depth; level++) {
      i >>= 1;
      this.recompute(level, i);
    }
  }

  /** Inclusion path of a leaf. */
  path(index: number): MerklePath {
    this.checkIndex(index);
    return this.pathFrom(0, index);
  }

  /** Path from the node (level, index) to the root: what a batch proof uses for its subtree. */
  pathFrom(level: number, index: number): MerklePath {
    const siblings: bigint[] = [];
    let i = index;
    for (let l = level; l < this.depth; l++) {
      siblings.push(this.node(l, i ^ 1));
      i >>= 1;
    }
    return { index, siblings };
  }

  private recompute(level: number, index: number): void {
    const h = poseidon([this.node(level - 1, 2 * index), this.node(level - 1, 2 * index + 1)]);
    if (h === EMPTY_NODES[level]) this.levels[level].delete(index);
    else this.levels[level].set(index, h);
  }

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.capacity) {
      throw new Error(`leaf index ${index} is outside the tree (0..${this.capacity - 1})`);
    }
  }
}

/** Root reached by hashing a leaf up a path; the off-circuit twin of BinaryMerkleRoot. */
export function rootFromPath(leaf: bigint, path: MerklePath): bigint {
  let node = leaf;
  path.siblings.forEach((sibling, level) => {
    node = (path.index >> level) & 1 ? poseidon([sibling, node]) : poseidon([node, sibling]);
  });
  return node;
}
