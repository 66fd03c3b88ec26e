import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { accountCommitment, nullifierOf } from "../src/accounts/account.js";
import { loadCircuitArtifacts } from "../src/artifacts/manifest.js";
import { serveAuditorPage } from "../src/auditor/node/serveAuditorPage.js";
import { runCli } from "../src/cli/main.js";
import { MerkleTree } from "../src/crypto/merkleTree.js";
import { decodeAccount, decodePath } from "../src/io/formats.js";
import { releaseProverThreads } from "../src/proof/groth16Prover.js";
import { decodeLeafHashes, encodeLeafHashes, findLeaf, leafHashesOf, leafPath } from "../src/protocol/leafHashes.js";
import { commitRiskTable } from "../src/risk/riskCommitment.js";
import { scenarioEquities } from "../src/risk/equity.js";
import { computeRiskTable } from "../src/risk/riskEngine.js";
import { decodeSnapshot } from "../src/io/formats.js";

// The published leaf-hash file (docs/design.md §12): the tree command writes it, the auditor
// server serves it, and a trader rebuilds their own inclusion path from it (and proves an exit).

const EPOCH = 4;
const RECIPIENT = "0x000000000000000000000000000000000000bEEF";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function zkrs(args: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (text) => { stdout += text; },
    stderr: { write: (text: string) => { stderr += text; } },
    env: { ...process.env, ZKRS_RPC_URL: undefined, ZKRS_PRIVATE_KEY: undefined },
  });
  return { code, stdout, stderr };
}

function ok(r: Run): Run {
  assert.equal(r.code, 0, `expected success, got exit ${r.code}:\n${r.stderr}`);
  return r;
}

function fails(r: Run, code: number, message: RegExp): void {
  assert.equal(r.code, code, `expected exit ${code}, got ${r.code}:\n${r.stderr}`);
  const errors = r.stderr.split("\n").filter((l) => l.startsWith("zkrs: "));
  assert.equal(errors.length, 1, `expected one error line, got:\n${r.stderr}`);
  assert.match(errors[0], message);
}

const readJson = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;

describe("leaf-hash files (zkrs/leaf-hashes@1)", function () {
  describe("the module (browser-safe)", () => {
    const leaves = [11n, 0n, 33n, 44n, 0n, 0n];
    const tree = new MerkleTree(4, leaves);

    it("records the leaves up to the last non-empty one, with the tree's root; round-trips through JSON", () => {
      const l = leafHashesOf(9, 4, leaves);
      assert.deepEqual(l.leaves, [11n, 0n, 33n, 44n]);
      assert.equal(l.accountsRoot, tree.root);
      const file = JSON.parse(JSON.stringify(encodeLeafHashes(l))) as Record<string, unknown>;
      assert.deepEqual(file, { format: "zkrs/leaf-hashes@1", epoch: 9, depth: 4, accountsRoot: tree.root.toString(), leaves: ["11", "0", "33", "44"] });
      const back = decodeLeafHashes("h.json", file);
      assert.deepEqual(back, l);
    });

    it("rebuilds every leaf's inclusion path (an empty slot's too) and finds a leaf by its hash", () => {
      const l = decodeLeafHashes("h.json", encodeLeafHashes(leafHashesOf(9, 4, leaves)));
      for (const i of [0, 1, 2, 3, 7, 15]) assert.deepEqual(leafPath(l, i), tree.path(i));
      assert.equal(findLeaf(l, 33n), 2);
      assert.equal(findLeaf(l, 55n), undefined);
      assert.equal(findLeaf(l, 0n), undefined);
      assert.throws(() => leafPath(l, 16), /leaf index 16 is outside the tree \(0\.\.15\)/);
    });

    it("refuses a file whose leaves do not give its root (a leaf altered, dropped or added), naming the field", () => {
      const good = encodeLeafHashes(leafHashesOf(9, 4, leaves));
      const edit = (change: Record<string, unknown>): Record<string, unknown> => ({ ...good, ...change });
      assert.throws(() => decodeLeafHashes("h.json", edit({ leaves: ["11", "0", "34", "44"] })), /h\.json: accountsRoot is not the root of the leaves listed/);
      assert.throws(() => decodeLeafHashes("h.json", edit({ leaves: ["11", "0", "33"] })), /accountsRoot is not the root/);
      assert.throws(() => decodeLeafHashes("h.json", edit({ leaves: ["11", "0", "33", "44", "0"] })), /leaves.*ends with an empty leaf/);
      assert.throws(() => decodeLeafHashes("h.json", edit({ depth: 1 })), /leaves.*has 4 leaves, a tree of depth 1 holds 2/);
      assert.throws(() => decodeLeafHashes("h.json", edit({ leaves: ["11", "-1"] })), /h\.json: leaves/);
      assert.throws(() => decodeLeafHashes("h.json", edit({ format: "zkrs/ledger@1" })), /format/);
    });
  });

  describe("zkrs tree, path rebuild, prove exit, the auditor server", function () {
    let dir: string;
    const f = (name: string): string => join(dir, name);

    before(async function () {
      loadCircuitArtifacts("exit_test");
      dir = mkdtempSync(join(tmpdir(), "zkrs-leaves-"));
      mkdirSync(f("openings"));
      ok(await zkrs(["risk", "example", "--out", f("snap.json"), "--epoch", String(EPOCH)]));
      ok(await zkrs(["risk", "--snapshot", f("snap.json"), "--out", f("table.json"), "--circuit", "exit_test"]));
      ok(await zkrs(["account", "new", "--collateral", "50000000000", "--position", "0:2", "--position", "1:-1", "--out", f("alice.json")]));
      ok(await zkrs(["account", "new", "--collateral", "7000", "--out", f("bob.json")]));
      ok(await zkrs(["account", "new", "--collateral", "7000", "--out", f("mallory.json")]));
      for (const name of ["alice", "bob"]) ok(await zkrs(["account", "opening", "--account", f(`${name}.json`), "--out", f(`openings/${name}.opening.json`)]));
    });
    after(async function () {
      if (dir) rmSync(dir, { recursive: true, force: true });
      await releaseProverThreads();
    });

    it("tree writes the epoch's leaf-hash file beside the ledger: every leaf in order, the ledger's root", async function () {
      const r = JSON.parse(ok(await zkrs(["tree", "--openings", f("openings"), "--epoch", String(EPOCH), "--out", f("ledger.json"), "--circuit", "exit_test", "--json"])).stdout) as Record<string, unknown>;
      assert.equal(r.leafHashes, f(`leaf-hashes-${EPOCH}.json`));
      const file = readJson(f(`leaf-hashes-${EPOCH}.json`));
      assert.equal(file.format, "zkrs/leaf-hashes@1");
      assert.equal(file.accountsRoot, r.accountsRoot);
      assert.equal(file.depth, 6);
      const alice = decodeAccount("alice", readJson(f("alice.json")));
      assert.deepEqual((file.leaves as string[])[0], accountCommitment(alice, 2).toString());
      assert.equal((file.leaves as string[]).length, 2);
      assert.equal("ledger" in file || JSON.stringify(file).includes(alice.accountKey.toString()), false, "no account key in the public file");
    });

    it("path rebuild: the path rebuilt from the leaf hashes is the operator's path file", async function () {
      ok(await zkrs(["path", "rebuild", "--leaf-hashes", f(`leaf-hashes-${EPOCH}.json`), "--account", f("bob.json"), "--circuit", "exit_test", "--out", f("bob.rebuilt.json")]));
      assert.deepEqual(readJson(f("bob.rebuilt.json")), readJson(f("bob.path.json")));
      ok(await zkrs(["path", "rebuild", "--leaf-hashes", f(`leaf-hashes-${EPOCH}.json`), "--account", f("openings/alice.opening.json"), "--index", "0", "--circuit", "exit_test", "--out", f("alice.rebuilt.json")]));
      assert.deepEqual(decodePath("a", readJson(f("alice.rebuilt.json"))), decodePath("a", readJson(f("alice.path.json"))));
    });

    it("path rebuild refuses an account not in the tree, a wrong --index, an edited file, a circuit of another depth; nothing written", async function () {
      const hashes = f(`leaf-hashes-${EPOCH}.json`);
      fails(await zkrs(["path", "rebuild", "--leaf-hashes", hashes, "--account", f("mallory.json"), "--circuit", "exit_test", "--out", f("x.json")]), 1, /your account's leaf is not among the 2 leaves of epoch 4/);
      fails(await zkrs(["path", "rebuild", "--leaf-hashes", hashes, "--account", f("bob.json"), "--index", "0", "--circuit", "exit_test", "--out", f("x.json")]), 1, /leaf is at index 1, not at --index 0/);
      const edited = readJson(hashes);
      edited.leaves = [(edited.leaves as string[])[0], "12345"];
      writeFileSync(f("edited.json"), JSON.stringify(edited));
      fails(await zkrs(["path", "rebuild", "--leaf-hashes", f("edited.json"), "--account", f("bob.json"), "--circuit", "exit_test", "--out", f("x.json")]), 1, /edited\.json: accountsRoot is not the root of the leaves listed/);
      fails(await zkrs(["path", "rebuild", "--leaf-hashes", hashes, "--account", f("bob.json"), "--out", f("x.json")]), 1, /depth 6, circuit exit takes depth 20/);
      assert.equal(existsSync(f("x.json")), false);
    });

    it("prove exit from the leaf hashes alone: amount = max(E_0, 0); verify: valid; a path of another account refused", async function () {
      const r = JSON.parse(ok(await zkrs([
        "prove", "exit", "--account", f("alice.json"), "--leaf-hashes", f(`leaf-hashes-${EPOCH}.json`), "--table", f("table.json"),
        "--recipient", RECIPIENT, "--circuit", "exit_test", "--out", f("alice.exit.json"), "--json",
      ])).stdout) as Record<string, unknown>;
      const alice = decodeAccount("alice", readJson(f("alice.json")));
      const table = computeRiskTable(decodeSnapshot("snap", readJson(f("snap.json"))));
      const e0 = scenarioEquities(alice, commitRiskTable(table, 2).rows, 0)[0];
      assert.ok(e0 > 0n);
      assert.equal(r.amount, e0.toString());
      assert.equal(r.nullifier, nullifierOf(alice.accountKey, EPOCH).toString());
      assert.equal(readJson(f("alice.exit.json")).format, "zkrs/exit-proof@1");
      const v = JSON.parse(ok(await zkrs(["verify", "--proof", f("alice.exit.json"), "--table", f("table.json"), "--json"])).stdout) as Record<string, unknown>;
      assert.equal(v.valid, true);
      assert.equal(v.kind, "exit");
      fails(await zkrs(["prove", "exit", "--account", f("alice.json"), "--path", f("bob.path.json"), "--table", f("table.json"), "--recipient", RECIPIENT, "--circuit", "exit_test", "--out", f("y.json")]), 1, /is not the account at leaf 1/);
      fails(await zkrs(["prove", "exit", "--account", f("alice.json"), "--table", f("table.json"), "--recipient", RECIPIENT, "--circuit", "exit_test", "--out", f("y.json")]), 2, /give either --path or --leaf-hashes/);
      assert.equal(existsSync(f("y.json")), false);
    });

    it("the auditor server serves each epoch's leaf-hash file at leaf-hashes/<epoch>.json, and lists them in config.json", async function () {
      mkdirSync(f("page"));
      writeFileSync(f("page/index.html"), "<!doctype html>");
      const server = await serveAuditorPage({ pageDir: f("page"), leafHashes: [dir] });
      try {
        const got = await fetch(new URL(`leaf-hashes/${EPOCH}.json`, server.url));
        assert.equal(got.status, 200);
        assert.deepEqual(await got.json(), readJson(f(`leaf-hashes-${EPOCH}.json`)));
        assert.equal((await fetch(new URL(`leaf-hashes/${EPOCH + 1}.json`, server.url))).status, 404);
        const config = await (await fetch(new URL("config.json", server.url))).json() as { leafHashes: number[] };
        assert.deepEqual(config.leafHashes, [EPOCH]);
      } finally {
        await server.close();
      }
    });
  });
});
