/**
 * Writes circuits/lib/empty_nodes.circom: the roots of empty subtrees of every height, as a
 * circom function, so circuits can compare against them without hashing constants in-circuit.
 * Run after changing EMPTY_LEAF; test/riskEngine.test.ts checks the file is current.
 */
import { writeFileSync } from "node:fs";
import { emptyNodesCircom } from "../src/crypto/emptyNodes.js";

writeFileSync(new URL("../circuits/lib/empty_nodes.circom", import.meta.url), emptyNodesCircom());
console.log("wrote circuits/lib/empty_nodes.circom");
