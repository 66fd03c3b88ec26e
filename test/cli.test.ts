import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract } from "ethers";
import { accountCommitment, nullifierOf } from "../src/accounts/account.js";
import { rootFromPath } from "../src/crypto/merkleTree.js";
import { loadCircuitArtifacts } from "../src/artifacts/manifest.js";
import { PROJECT_ROOT } from "../src/artifacts/paths.js";
import { type Chain, devWallet, startAnvil } from "../src/chain/localChain.js";
import { decodeAccount, decodeOpening, decodePath, decodeSnapshot } from "../src/io/formats.js";
import { liabilityTotals } from "../src/operator/solvencyTotals.js";
import { commitRiskTable } from "../src/risk/riskCommitment.js";
import { computeRiskTable } from "../src/risk/riskEngine.js";
import { runCli } from "../src/cli/main.js";
import { releaseProverThreads } from "../src/proof/groth16Prover.js";

// The zkrs CLI on the test circuits: each command through `runCli` in this process (as bin/zkrs.js
// runs it, without a process start per call), and the binary itself where the process matters.

const BIN = join(PROJECT_ROOT, "bin", "zkrs.js");
const RECIPIENT = "0x000000000000000000000000000000000000bEEF";
const EPOCH = 7;
/** The LP's deposit: the pool's balance before epoch 7 (above its exact stress total: solvent). */
const BOUND = "100000000000";
const INSURANCE = 5_000_000_000n;
/** The pool's assets when epochs 8 and 9 open: the LP deposit, less epoch 7's settlement, plus the insurance fund. */
const ASSETS_8 = 100_000_000_000n - 1_000_000n + INSURANCE;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real binary in a child process, as a user runs it (node bin/zkrs.js ...). */
function zkrsProcess(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const merged: NodeJS.ProcessEnv = { ...process.env, ZKRS_RPC_URL: undefined, ZKRS_PRIVATE_KEY: undefined, ...env };
  for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, env: merged, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The same command run in this process (`runCli`), its output captured: no process start per call. */
async function zkrs(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (text) => { stdout += text; },
    stderr: { write: (text: string) => { stderr += text; } },
    env: { ...process.env, ZKRS_RPC_URL: undefined, ZKRS_PRIVATE_KEY: undefined, ...env },
  });
  return { code, stdout, stderr };
}

function ok(r: Run): Run {
  assert.equal(r.code, 0, `expected success, got exit ${r.code}:\n${r.stderr}`);
  return r;
}

/** A failure: the exit code, and exactly one `zkrs: ...` line on stderr matching `message`. */
function fails(r: Run, code: number, message: RegExp): void {
  assert.equal(r.code, code, `expected exit ${code}, got ${r.code}:\n${r.stderr}`);
  const errors = r.stderr.split("\n").filter((l) => l.startsWith("zkrs: "));
  assert.equal(errors.length, 1, `expected one error line, got:\n${r.stderr}`);
  assert.match(errors[0], message);
}

function json(r: Run): Record<string, unknown> {
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
}

/** No file at `path`, and no temporary left anywhere below `dir`. */
function nothingWritten(dir: string, ...paths: string[]): void {
  for (const p of paths) assert.equal(existsSync(p), false, `${p} should not exist`);
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
  assert.deepEqual(walk(dir).filter((f) => /\.tmp-\d+$/.test(f)), []);
}

describe("zkrs CLI", function () {
  let dir: string;
  const f = (name: string): string => join(dir, name);

  before(function () {
    // The CLI proves with the built test circuits.
    loadCircuitArtifacts("margin_test");
    loadCircuitArtifacts("solvency_test");
    loadCircuitArtifacts("liquidation_test");
    dir = mkdtempSync(join(tmpdir(), "zkrs-cli-"));
    mkdirSync(join(dir, "openings"));
  });

  after(async function () {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await releaseProverThreads();
  });

  describe("off-chain commands", function () {
    it("prints help for the tool and for each command (the binary, in its own process)", async function () {
      const top = ok(await zkrsProcess(["--help"]));
      for (const c of [
        "setup", "risk", "account new", "tree", "prove margin", "prove solvency", "prove liquidation", "verify", "deploy", "publish", "post", "settle", "audit",
        "liquidate", "insurance fund", "insurance show",
      ]) {
        assert.match(top.stdout, new RegExp(`\\n  ${c} `));
      }
      const help = ok(await zkrs(["prove", "margin", "--help"]));
      assert.match(help.stdout, /^usage: zkrs prove margin --account acct\.json/);
      assert.match(help.stdout, /--recipient 0x\.\.\./);
    });

    it("setup verify: the built test circuits' artifacts match the manifest", async function () {
      const r = json(ok(await zkrs(["setup", "verify", "--circuit", "margin_test", "--circuit", "solvency_test", "--json"])));
      assert.equal(r.ok, true);
      // in the manifest's order (the build writes the longest compile first), so compared as a set
      assert.deepEqual((r.circuits as { circuit: string; insecure: boolean }[]).map((c) => c.circuit).sort(), ["margin_test", "solvency_test"]);
    });

    it("setup verify --deep: snarkjs zkey verify accepts the dev keys against the ptau of the same toxic waste (made on demand)", async function () {
      const cache = mkdtempSync(join(tmpdir(), "zkrs-deep-"));
      try {
        // In its own process: the build pipeline reads ZKRS_CACHE_DIR when it loads.
        const r = json(ok(await zkrsProcess(["setup", "verify", "--circuit", "liquidation_test", "--deep", "--json"], { ZKRS_CACHE_DIR: cache })));
        assert.equal(r.ok, true);
        const [c] = r.circuits as { circuit: string; ptau: { source: string } }[];
        assert.equal(c.ptau.source, "toxic-waste");
        assert.deepEqual(readdirSync(join(cache, "ptau")).filter((f) => f.endsWith(".ptau")), ["dev_toxic_bn128_14.ptau"], "the matching dev ptau is made in the cache");
      } finally {
        rmSync(cache, { recursive: true, force: true });
      }
    });

    it("risk: computes the risk table and its riskRoot from a snapshot", async function () {
      ok(await zkrs(["risk", "example", "--out", f("snap.json"), "--epoch", String(EPOCH)]));
      const r = json(ok(await zkrs(["risk", "--snapshot", f("snap.json"), "--out", f("table.json"), "--circuit", "margin_test", "--json"])));
      const table = computeRiskTable(decodeSnapshot("snap.json", readJson(f("snap.json"))));
      assert.equal(r.riskRoot, commitRiskTable(table, 2).riskRoot.toString());
      const file = readJson(f("table.json"));
      assert.equal(file.format, "zkrs/risk-table@2");
      assert.equal(file.riskRoot, r.riskRoot);
      assert.equal((file.rows as { values: unknown[] }[])[1].values.every((v) => typeof v === "string"), true);
    });

    it("account new / set / opening: a secret account file (0600), salt re-randomised, opening without the secret", async function () {
      ok(await zkrs(["account", "new", "--collateral", "50000000000", "--position", "0:2", "--position", "1:-1", "--out", f("alice.json")]));
      ok(await zkrs(["account", "new", "--collateral", "1", "--out", f("bob.json")]));
      assert.equal(statSync(f("alice.json")).mode & 0o777, 0o600);
      const before = decodeAccount("bob.json", readJson(f("bob.json")));
      const set = json(ok(await zkrs(["account", "set", "--account", f("bob.json"), "--collateral", "10000000000", "--position", "2:1", "--json"])));
      const after = decodeAccount("bob.json", readJson(f("bob.json")));
      assert.equal(set.collateral, "10000000000");
      assert.equal(after.secret, before.secret);
      assert.notEqual(after.salt, before.salt);
      assert.deepEqual(after.positions, [{ instrument: 2, quantity: 1n }]);
      assert.equal(statSync(f("bob.json")).mode & 0o777, 0o600);
      for (const name of ["alice", "bob"]) {
        ok(await zkrs(["account", "opening", "--account", f(`${name}.json`), "--out", f(`openings/${name}.opening.json`)]));
        const opening = readJson(f(`openings/${name}.opening.json`));
        assert.equal(opening.format, "zkrs/opening@1");
        assert.equal("secret" in opening, false);
      }
      // A non-compliant account (a big BTC perp on little collateral), for a refusal below.
      ok(await zkrs(["account", "new", "--collateral", "1000", "--position", "2:10", "--out", f("carol.json")]));
    });

    it("tree: builds the accounts tree, the ledger and one inclusion path per account", async function () {
      const r = json(ok(await zkrs(["tree", "--openings", f("openings"), "--epoch", String(EPOCH), "--out", f("ledger.json"), "--circuit", "solvency_test", "--json"])));
      assert.equal(r.accounts, 2);
      const ledger = readJson(f("ledger.json"));
      assert.equal(ledger.format, "zkrs/ledger@1");
      assert.equal(ledger.accountsRoot, r.accountsRoot);
      const alice = decodeOpening("alice", readJson(f("openings/alice.opening.json")));
      const path = decodePath("alice.path.json", readJson(f("alice.path.json")));
      assert.equal(path.epoch, EPOCH);
      assert.equal(rootFromPath(accountCommitment(alice, 2), path.path).toString(), r.accountsRoot);
      assert.equal(existsSync(f("bob.path.json")), true);
    });

    it("prove margin + verify: a valid margin proof (the binary: it ends once the proof is written)", async function () {
      const r = json(ok(await zkrsProcess([
        "prove", "margin", "--account", f("alice.json"), "--path", f("alice.path.json"), "--table", f("table.json"),
        "--recipient", RECIPIENT, "--amount", "1000000", "--circuit", "margin_test", "--out", f("proof.json"), "--json",
      ])));
      assert.equal(r.amount, "1000000");
      assert.equal(readJson(f("proof.json")).format, "zkrs/margin-proof@1");
      const v = await zkrs(["verify", "--proof", f("proof.json"), "--table", f("table.json"), "--json"]);
      assert.equal(json(ok(v)).valid, true);
      assert.match(v.stderr, /verifying margin proof/); // progress on stderr
    });

    it("prove solvency + verify: a valid solvency proof from the ledger, with the exact figures", async function () {
      const r = await zkrs(["prove", "solvency", "--ledger", f("ledger.json"), "--table", f("table.json"), "--circuit", "solvency_test", "--out", f("solvency.json"), "--json"]);
      const proven = json(ok(r));
      assert.match(r.stderr, /batch 1\/\d+ proven/);
      const openings = ["alice", "bob"].map((n) => decodeOpening(n, readJson(f(`openings/${n}.opening.json`))));
      const totals = liabilityTotals(openings, commitRiskTable(computeRiskTable(decodeSnapshot("snap", readJson(f("snap.json")))), 2).rows, 16);
      const worst = totals.reduce((m, t) => (t > m ? t : m), 0n);
      assert.deepEqual([proven.stressTotal, proven.markTotal], [worst.toString(), totals[0].toString()]);
      const v = json(ok(await zkrs(["verify", "--proof", f("solvency.json"), "--json"])));
      assert.equal(v.valid, true);
      assert.equal(v.kind, "solvency");
      assert.equal(v.stressTotal, worst.toString());
      assert.equal(v.markTotal, totals[0].toString());
      // --bound and --mark-bound are checks of the exact figures: the exact ones pass.
      ok(await zkrs(["prove", "solvency", "--ledger", f("ledger.json"), "--table", f("table.json"), "--bound", worst.toString(), "--mark-bound", totals[0].toString(),
        "--circuit", "solvency_test", "--out", f("solvency-checked.json")]));
    });

    it("verify: a tampered margin or solvency proof is invalid (exit 1, reason given)", async function () {
      const margin = readJson(f("proof.json"));
      (margin.statement as Record<string, unknown>).amount = "2000000";
      (margin.publicSignals as string[])[5] = "2000000";
      writeFileSync(f("tampered.json"), JSON.stringify(margin));
      fails(await zkrs(["verify", "--proof", f("tampered.json")]), 1, /^zkrs: .*tampered\.json: invalid margin proof: Groth16 proof does not verify/);
      const signalsOnly = readJson(f("proof.json"));
      (signalsOnly.publicSignals as string[])[4] = "1";
      writeFileSync(f("tampered.json"), JSON.stringify(signalsOnly));
      fails(await zkrs(["verify", "--proof", f("tampered.json")]), 1, /invalid margin proof: public signal recipient differs/);
      const solvency = readJson(f("solvency.json"));
      const batch = (solvency.batches as { statement: Record<string, unknown>; publicSignals: string[] }[])[0];
      solvency.stressTotal = batch.statement.stressTotal = batch.publicSignals[3] = "1";
      writeFileSync(f("tampered.json"), JSON.stringify(solvency));
      const r = await zkrs(["verify", "--proof", f("tampered.json"), "--json"]);
      fails(r, 1, /invalid solvency proof: batch 0: Groth16 proof is invalid/);
      assert.equal(json(r).valid, false);
    });

    it("prove margin: a non-compliant portfolio is refused before proving, naming the scenario; nothing written", async function () {
      ok(await zkrs(["account", "opening", "--account", f("carol.json"), "--out", f("carol.opening.json")]));
      ok(await zkrs(["tree", f("carol.opening.json"), "--epoch", String(EPOCH), "--out", f("carol-ledger.json"), "--circuit", "solvency_test"]));
      const r = await zkrs([
        "prove", "margin", "--account", f("carol.json"), "--path", f("carol.path.json"), "--table", f("table.json"),
        "--recipient", RECIPIENT, "--circuit", "margin_test", "--out", f("carol-proof.json"),
      ]);
      fails(r, 1, /^zkrs: portfolio is not margin-compliant: short by \d+ in scenario \d+ \(price/);
      nothingWritten(dir, f("carol-proof.json"));
    });

    it("prove solvency: a figure that is not exact is refused naming the exact one (issue 15: no haircut or freeze at will); nothing written", async function () {
      const r = await zkrs(["prove", "solvency", "--ledger", f("ledger.json"), "--table", f("table.json"), "--bound", "1000", "--circuit", "solvency_test", "--out", f("low.json")]);
      fails(r, 1, /^zkrs: stressTotal 1000 is not exact: the largest liability total \((mark|scenario \d+ .*)\) is \d+; a solvency statement publishes the exact figure$/);
      // The attack of issue 15: figures far above the true totals, to open the epoch as a haircut.
      const attack = await zkrs(["prove", "solvency", "--ledger", f("ledger.json"), "--table", f("table.json"), "--bound", "1000000000000000", "--mark-bound", "1000000000000000",
        "--circuit", "solvency_test", "--out", f("low.json")]);
      fails(attack, 1, /^zkrs: stressTotal 1000000000000000 is not exact/);
      // Same from the opening files directly (leaf order = file order), and for the mark figure alone.
      const direct = await zkrs(["prove", "solvency", "--openings", f("openings"), "--table", f("table.json"), "--mark-bound", "1000000000000000", "--circuit", "solvency_test", "--out", f("low.json")]);
      fails(direct, 1, /^zkrs: markTotal 1000000000000000 is not exact: the liabilities at mark are \d+; a solvency statement publishes the exact figure$/);
      nothingWritten(dir, f("low.json"));
    });
  });

  describe("liquidation proofs (epoch 8)", function () {
    it("prove liquidation: an under-margined account of the ledger (tag = its nullifier, penalty, deficit); verify: valid", async function () {
      // dave wrote 10 BTC puts on 1000 of collateral: negative equity at mark, a deficit for the waterfall.
      ok(await zkrs(["account", "new", "--collateral", "1000", "--position", "3:-10", "--out", f("dave.json")]));
      mkdirSync(f("liq-openings"));
      ok(await zkrs(["account", "opening", "--account", f("dave.json"), "--out", f("liq-openings/dave.opening.json")]));
      for (const name of ["alice", "bob"]) writeFileSync(f(`liq-openings/${name}.opening.json`), readFileSync(f(`openings/${name}.opening.json`)));
      ok(await zkrs(["risk", "example", "--out", f("liq-snap.json"), "--epoch", "8"]));
      ok(await zkrs(["risk", "--snapshot", f("liq-snap.json"), "--out", f("liq-table.json"), "--circuit", "margin_test"]));
      // erin holds cash only (same amount in every column), enough to bring the mark total to the
      // pool's assets at epoch 8's opening: the stress total is then above them (a stressed epoch).
      const rows8 = commitRiskTable(computeRiskTable(decodeSnapshot("liq-snap", readJson(f("liq-snap.json")))), 2).rows;
      const totals8 = liabilityTotals(["alice", "bob", "dave"].map((n) => decodeOpening(n, readJson(f(`liq-openings/${n}.opening.json`)))), rows8, 16);
      assert.ok(totals8[0] < ASSETS_8 && totals8.some((t) => t > totals8[0]), "test setup: epoch 8 can be made stressed");
      ok(await zkrs(["account", "new", "--collateral", (ASSETS_8 - totals8[0]).toString(), "--out", f("erin.json")]));
      ok(await zkrs(["account", "opening", "--account", f("erin.json"), "--out", f("liq-openings/erin.opening.json")]));
      ok(await zkrs(["tree", "--openings", f("liq-openings"), "--epoch", "8", "--out", f("liq-ledger.json"), "--paths-dir", f("liq-paths"), "--circuit", "solvency_test"]));

      const r = json(ok(await zkrs([
        "prove", "liquidation", "--ledger", f("liq-ledger.json"), "--account", "dave", "--table", f("liq-table.json"), "--circuit", "liquidation_test", "--out", f("liq.json"), "--json",
      ])));
      const putMark = BigInt((readJson(f("liq-table.json")).rows as { values: string[] }[])[3].values[0]);
      const dave = decodeAccount("dave.json", readJson(f("dave.json")));
      assert.equal(r.penalty, "0"); // nothing left at mark to pay a penalty from
      assert.equal(r.deficit, (10n * putMark - 1000n).toString());
      assert.equal(r.tag, nullifierOf(dave.accountKey, 8).toString());
      const file = readJson(f("liq.json"));
      assert.equal(file.format, "zkrs/liquidation-proof@1");
      assert.deepEqual(file.statement, { epoch: 8, riskRoot: readJson(f("liq-table.json")).riskRoot, accountsRoot: readJson(f("liq-ledger.json")).accountsRoot, tag: r.tag, penalty: "0", deficit: r.deficit });
      assert.equal(JSON.stringify(file).includes("breach"), false, "the breached scenario stays with the operator");

      const v = json(ok(await zkrs(["verify", "--proof", f("liq.json"), "--table", f("liq-table.json"), "--json"])));
      assert.equal(v.valid, true);
      assert.equal(v.kind, "liquidation");
      assert.equal(v.deficit, r.deficit);
    });

    it("prove liquidation: a compliant account is refused naming its minimum headroom and scenario; an unknown name too; nothing written", async function () {
      const args = (account: string): string[] => [
        "prove", "liquidation", "--ledger", f("liq-ledger.json"), "--account", account, "--table", f("liq-table.json"), "--circuit", "liquidation_test", "--out", f("alice-liq.json"),
      ];
      fails(await zkrs(args("alice")), 1, /^zkrs: --account alice: account is not liquidatable: E_s - R >= 0 in every scenario, minimum headroom \d+ in (mark|scenario \d+ \(.*\))$/);
      fails(await zkrs(args("zoe")), 1, /^zkrs: --account "zoe": no account of that name in .*liq-ledger\.json \(it has: alice, bob, dave, erin\)$/);
      fails(await zkrs([...args("dave"), "--circuit", "margin_test"]), 1, /--circuit margin_test is a margin circuit, this command needs a liquidation circuit/);
      nothingWritten(dir, f("alice-liq.json"));
    });

    it("verify: a tampered liquidation proof is invalid (exit 1, reason given)", async function () {
      const smaller = readJson(f("liq.json"));
      (smaller.statement as Record<string, unknown>).deficit = "1";
      (smaller.publicSignals as string[])[5] = "1";
      writeFileSync(f("liq-tampered.json"), JSON.stringify(smaller));
      const r = await zkrs(["verify", "--proof", f("liq-tampered.json"), "--json"]);
      fails(r, 1, /^zkrs: .*liq-tampered\.json: invalid liquidation proof: Groth16 proof does not verify/);
      assert.equal(json(r).valid, false);
      const otherTag = readJson(f("liq.json"));
      (otherTag.publicSignals as string[])[3] = "12345";
      writeFileSync(f("liq-tampered.json"), JSON.stringify(otherTag));
      fails(await zkrs(["verify", "--proof", f("liq-tampered.json")]), 1, /invalid liquidation proof: public signal tag differs from the statement's/);
    });

    it("prove solvency (epoch 8): the mark total is exactly the assets the pool will hold, the stress total above it", async function () {
      const base = ["prove", "solvency", "--ledger", f("liq-ledger.json"), "--table", f("liq-table.json"), "--circuit", "solvency_test"];
      fails(await zkrs([...base, "--mark-bound", (ASSETS_8 + 1n).toString(), "--out", f("solvency8.json")]), 1, new RegExp(`^zkrs: markTotal ${ASSETS_8 + 1n} is not exact: the liabilities at mark are ${ASSETS_8};`));
      nothingWritten(dir, f("solvency8.json"));
      const r = json(ok(await zkrs([...base, "--mark-bound", ASSETS_8.toString(), "--out", f("solvency8.json"), "--json"])));
      assert.equal(r.markTotal, ASSETS_8.toString());
      assert.ok(BigInt(r.stressTotal as string) > ASSETS_8);
      const v = json(ok(await zkrs(["verify", "--proof", f("solvency8.json"), "--json"])));
      assert.equal(v.valid, true);
      assert.equal(v.stressTotal, r.stressTotal);
      assert.equal(v.markTotal, ASSETS_8.toString());
    });
  });

  describe("bad inputs: one clear line, exit code, nothing left behind", function () {
    const proveMargin = (over: Record<string, string>): string[] => {
      const a: Record<string, string> = {
        account: f("alice.json"), path: f("alice.path.json"), table: f("table.json"), recipient: RECIPIENT, circuit: "margin_test", out: f("out.json"), ...over,
      };
      return ["prove", "margin", ...Object.entries(a).flatMap(([k, v]) => [`--${k}`, v])];
    };

    it("a missing input file", async function () {
      fails(await zkrs(proveMargin({ account: f("nope.json") })), 1, /^zkrs: --account .*nope\.json: no such file$/);
      nothingWritten(dir, f("out.json"));
    });

    it("malformed JSON", async function () {
      writeFileSync(f("broken.json"), '{"format": "zkrs/account@1", "secret": ');
      fails(await zkrs(proveMargin({ account: f("broken.json") })), 1, /^zkrs: .*broken\.json is not valid JSON/);
      nothingWritten(dir, f("out.json"));
    });

    it("the wrong kind of file, or a file without a format tag", async function () {
      fails(await zkrs(proveMargin({ account: f("table.json") })), 1, /table\.json is a zkrs\/risk-table@2 file, but --account takes a "zkrs\/account@1" file/);
      fails(await zkrs(proveMargin({ path: f("openings/alice.opening.json") })), 1, /alice\.opening\.json is a zkrs\/opening@1 file, but --path takes a "zkrs\/path@1" file/);
      writeFileSync(f("untagged.json"), "{}");
      fails(await zkrs(["verify", "--proof", f("untagged.json")]), 1, /untagged\.json has no "format" tag/);
      nothingWritten(dir, f("out.json"));
    });

    it("out-of-range values: negative collateral, a quantity of 2^40 (flag or file)", async function () {
      fails(await zkrs(["account", "new", "--collateral=-5", "--out", f("neg.json")]), 1, /^zkrs: --collateral = -5 is out of range \[0, 2\^64 - 1\]$/);
      fails(await zkrs(["account", "new", "--collateral", "5", "--position", `0:${2 ** 40}`, "--out", f("neg.json")]), 1,
        /^zkrs: --position 0:1099511627776: quantity 1099511627776 is out of range \[-2\^32, 2\^32 - 1\]$/);
      nothingWritten(dir, f("neg.json"));
      const edited = readJson(f("alice.json"));
      edited.collateral = "-5";
      writeFileSync(f("edited.json"), JSON.stringify(edited));
      fails(await zkrs(proveMargin({ account: f("edited.json") })), 1, /edited\.json: collateral = -5 is out of range/);
      // One bad opening among good ones: the tree writes no ledger and no path file at all.
      mkdirSync(f("bad-openings"));
      const opening = readJson(f("openings/alice.opening.json"));
      writeFileSync(f("bad-openings/a.json"), JSON.stringify(opening));
      opening.accountKey = "12345";
      (opening.positions as { quantity: string }[])[0].quantity = String(2 ** 40);
      writeFileSync(f("bad-openings/b.json"), JSON.stringify(opening));
      fails(await zkrs(["tree", "--openings", f("bad-openings"), "--epoch", "7", "--out", f("bad-ledger.json"), "--circuit", "solvency_test"]), 1,
        /b\.json: positions\[0\]\.quantity = 1099511627776 is out of range/);
      nothingWritten(dir, f("bad-ledger.json"), f("a.path.json"), f("b.path.json"));
    });

    it("a risk table of another epoch than the accounts root", async function () {
      ok(await zkrs(["risk", "example", "--out", f("snap8.json"), "--epoch", "8"]));
      ok(await zkrs(["risk", "--snapshot", f("snap8.json"), "--out", f("table8.json"), "--circuit", "margin_test"]));
      fails(await zkrs(proveMargin({ table: f("table8.json") })), 1, /table8\.json is the risk table of epoch 8, but .*alice\.path\.json is for epoch 7/);
      fails(await zkrs(["prove", "solvency", "--ledger", f("ledger.json"), "--table", f("table8.json"), "--bound", BOUND, "--circuit", "solvency_test", "--out", f("out.json")]), 1,
        /table8\.json is the risk table of epoch 8, but .*ledger\.json is for epoch 7/);
      nothingWritten(dir, f("out.json"));
    });

    it("an edited risk table, another account's path, a wrong-size circuit", async function () {
      const table = readJson(f("table.json"));
      (table.rows as { values: string[] }[])[0].values[3] = "1";
      writeFileSync(f("edited-table.json"), JSON.stringify(table));
      fails(await zkrs(proveMargin({ table: f("edited-table.json") })), 1, /edited-table\.json: riskRoot does not match the table's rows/);
      fails(await zkrs(proveMargin({ path: f("bob.path.json") })), 1, /alice\.json is not the account at leaf 1 of .*bob\.path\.json/);
      fails(await zkrs(proveMargin({ circuit: "solvency_test" })), 1, /--circuit solvency_test is a solvency circuit, this command needs a margin circuit/);
      nothingWritten(dir, f("out.json"));
    });

    it("usage mistakes exit 2: missing flag, unknown option, unknown command; an account is never overwritten", async function () {
      fails(await zkrs(["account", "new", "--collateral", "5"]), 2, /^zkrs: missing --out \(see zkrs account new --help\)$/);
      fails(await zkrs(["account", "new", "--collateral", "5", "--out", f("x.json"), "--colateral", "6"]), 2, /unknown option --colateral/);
      fails(await zkrs(["prove", "everything"]), 2, /unknown command "prove everything"/);
      fails(await zkrs(["account", "new", "--collateral", "5", "--out", f("alice.json")]), 1, /alice\.json exists already: refusing to overwrite an account/);
      nothingWritten(dir, f("x.json"));
    });

    it("--out into a missing folder or naming a folder is refused before any work; a dash value needs \"=\" (issue 16 item 13)", async function () {
      fails(await zkrs(["account", "new", "--collateral", "5", "--out", f("no-such-folder/x.json")]), 1,
        /^zkrs: --out .*no-such-folder\/x\.json: folder .*no-such-folder does not exist \(create it first\)$/);
      assert.equal(existsSync(f("no-such-folder")), false);
      const r = await zkrs(["prove", "solvency", "--ledger", f("ledger.json"), "--table", f("table.json"), "--bound", BOUND, "--circuit", "solvency_test", "--out", f("openings")]);
      fails(r, 1, /^zkrs: --out .*openings is a folder: give a file name$/);
      assert.doesNotMatch(r.stderr, /prov(ing|en)/); // refused before proving
      fails(await zkrs(["account", "new", "--collateral", "-5", "--out", f("neg.json")]), 2, /^zkrs: --collateral -5: a value starting with "-" must be written --collateral=-5 /);
      nothingWritten(dir, f("neg.json"));
    });

    it("an account file readable by others is used with a warning naming the fix; a private one without (issue 16 item 13)", async function () {
      writeFileSync(f("shared.json"), readFileSync(f("alice.json")), { mode: 0o644 });
      chmodSync(f("shared.json"), 0o644);
      const r = ok(await zkrs(["account", "opening", "--account", f("shared.json"), "--out", f("shared.opening.json")]));
      assert.match(r.stderr, /^warning: .*shared\.json is accessible by others \(mode 0644\): it holds your account's secret; run `chmod 600 .*shared\.json`$/m);
      const quiet = ok(await zkrs(["account", "opening", "--account", f("alice.json"), "--out", f("alice2.opening.json")]));
      assert.doesNotMatch(quiet.stderr, /warning/);
    });

    it("on-chain commands: no --rpc-url, or an unreachable RPC", async function () {
      const args = ["publish", "--pool", "0x0000000000000000000000000000000000000001", "--table", f("table.json"), "--private-key", `0x${"11".repeat(32)}`];
      fails(await zkrs(args), 2, /^zkrs: missing --rpc-url/);
      fails(await zkrs([...args, "--rpc-url", "http://127.0.0.1:9"]), 1, /^zkrs: RPC http:\/\/127\.0\.0\.1:9 is unreachable/);
      const r = await zkrs(["audit", "--rpc-url", "http://127.0.0.1:9", "--pool", "0x0000000000000000000000000000000000000001", "--epoch", "7", "--json"]);
      fails(r, 1, /unreachable/);
      assert.equal(json(r).ok, false);
    });
  });

  describe("on-chain commands against a local anvil", function () {
    let chain: Chain;
    let env: Record<string, string>;
    let rpc: string[];

    before(async function () {
      chain = await startAnvil();
      env = { ZKRS_PRIVATE_KEY: devWallet(0, chain.provider).privateKey };
      rpc = ["--rpc-url", chain.rpcUrl];
    });

    after(async function () {
      await chain?.stop();
    });

    it("deploy, deposit, publish, post, settle (once), audit", async function () {
      const pool = f("pool.json");
      const d = json(ok(await zkrs(["deploy", ...rpc, "--circuits", "test", "--out", pool, "--json"], env)));
      assert.equal(readJson(pool).format, "zkrs/deployment@4");
      // Fund the dev wallet with test tokens (TestToken mints freely), then deposit as an LP.
      const token = new Contract(d.token as string, ["function mint(address,uint256)"], devWallet(1, chain.provider));
      await (await token.getFunction("mint").send(devWallet(0, chain.provider).address, 10n ** 12n)).wait();
      ok(await zkrs(["deposit", ...rpc, "--pool", pool, "--amount", BOUND, "--lp"], env));

      // Posting before the risk root is published is refused with a clear line.
      fails(await zkrs(["post", ...rpc, "--pool", pool, "--proof", f("solvency.json")], env), 1, /epoch 7 has no published riskRoot on the pool/);
      const pub = json(ok(await zkrs(["publish", ...rpc, "--pool", pool, "--table", f("table.json"), "--json"], env)));
      assert.equal(pub.riskRoot, readJson(f("table.json")).riskRoot);
      fails(await zkrs(["settle", ...rpc, "--pool", pool, "--proof", f("proof.json")], env), 1, /epoch 7 is not open for settlement/);
      const post = json(ok(await zkrs(["post", ...rpc, "--pool", pool, "--proof", f("solvency.json"), "--json"], env)));
      const stress7 = BigInt(readJson(f("solvency.json")).stressTotal as string);
      assert.equal(post.stressTotal, stress7.toString());
      assert.equal(post.status, "solvent");

      const paidBefore = await new Contract(d.token as string, ["function balanceOf(address) view returns (uint256)"], chain.provider).getFunction("balanceOf").staticCall(RECIPIENT) as bigint;
      const settled = json(ok(await zkrs(["settle", ...rpc, "--pool", pool, "--proof", f("proof.json"), "--json"], env)));
      assert.equal(settled.paid, "1000000"); // a solvent epoch pays in full
      const paidAfter = await new Contract(d.token as string, ["function balanceOf(address) view returns (uint256)"], chain.provider).getFunction("balanceOf").staticCall(RECIPIENT) as bigint;
      assert.equal(paidAfter - paidBefore, 1_000_000n);
      fails(await zkrs(["settle", ...rpc, "--pool", pool, "--proof", f("proof.json")], env), 1, /settled in epoch 7 already \(nullifier used\)/);

      // The audit needs no key: risk root re-derived, every proof re-verified, headroom, inclusion.
      const audit = await zkrs(["audit", ...rpc, "--pool", pool, "--epoch", "7", "--table", f("table.json"), "--account", f("alice.json"), "--path", f("alice.path.json"), "--json"]);
      const report = json(ok(audit));
      assert.equal(report.ok, true);
      assert.equal(report.batches, 1);
      assert.equal(report.settlements, 1);
      assert.equal(report.accountIncluded, true);
      assert.equal(report.headroom, (BigInt(BOUND) - stress7).toString()); // the settlement lowered the balance and what it must hold alike
      const checks = report.checks as { ok: boolean; what: string }[];
      assert.ok(checks.some((c) => c.ok && /riskRoot re-derived/.test(c.what)));
      assert.ok(checks.some((c) => c.ok && /risk-table proof re-verified \(risk_table_test\)/.test(c.what)));
      assert.ok(checks.some((c) => c.ok && /solvency batch 0 re-verified/.test(c.what)));
      assert.ok(checks.some((c) => c.ok && /settlement of 1000000 .* re-verified/.test(c.what)));

      // An account the operator left out (carol is not in this epoch's tree) fails the inclusion check.
      fails(await zkrs(["audit", ...rpc, "--pool", pool, "--epoch", "7", "--account", f("carol.json"), "--path", f("carol.path.json")]), 1,
        /audit of epoch 7 failed: your account .* is in epoch 7's accountsRoot/);
    });

    it("insurance fund / show; post shows a stressed epoch; liquidate runs the waterfall; a reused tag is refused", async function () {
      const pool = f("pool.json");
      const shown = json(ok(await zkrs(["insurance", "show", ...rpc, "--pool", pool, "--json"])));
      assert.equal(shown.insuranceFund, "0");
      assert.equal(shown.latestAcceptedEpoch, 7);
      assert.equal(shown.latestStatus, "solvent");
      assert.ok(BigInt(shown.lpCapital as string) > 0n, "the LPs' NAV after epoch 7's opening");
      const funded = json(ok(await zkrs(["insurance", "fund", ...rpc, "--pool", pool, "--amount", INSURANCE.toString(), "--json"], env)));
      assert.equal(funded.insuranceFund, INSURANCE.toString());

      // Epoch 8: the mark total is exactly the pool's assets, the stress total above them: stressed.
      ok(await zkrs(["publish", ...rpc, "--pool", pool, "--table", f("liq-table.json")], env));
      // Epoch 7's proof again, now that epoch 8 is published: refused naming the epochs (was: "accepted", nothing sent).
      const blockBefore = await chain.provider.getBlockNumber();
      fails(await zkrs(["post", ...rpc, "--pool", pool, "--proof", f("solvency.json")], env), 1,
        /^zkrs: .*solvency\.json is for epoch 7, which is closed: the pool's current epoch is 8 \(only the current epoch takes a solvency proof\)$/);
      assert.equal(await chain.provider.getBlockNumber(), blockBefore); // nothing sent
      fails(await zkrs(["liquidate", ...rpc, "--pool", pool, "--proof", f("liq.json")], env), 1, /^zkrs: epoch 8 is not open on the pool/);
      const post = await zkrs(["post", ...rpc, "--pool", pool, "--proof", f("solvency8.json")], env);
      assert.match(ok(post).stdout, new RegExp(`liabilities at mark ${ASSETS_8}, stress total \\d+ \\(both exact\\), pool assets ${ASSETS_8} `));
      assert.match(post.stdout, /\n  status: stressed: LP withdrawals frozen\n/);

      const deficit = BigInt((readJson(f("liq.json")).statement as { deficit: string }).deficit);
      const liq = await zkrs(["liquidate", ...rpc, "--pool", pool, "--proof", f("liq.json")], env);
      assert.match(ok(liq).stdout, /^liquidated in epoch 8: penalty 0, deficit \d+/);
      // Epoch 8 opened with the LPs' NAV at 0 (assets = mark total, the fund on top): the rest of the deficit is theirs, priced in that NAV.
      assert.match(liq.stdout, new RegExp(`\\n  insurance fund drawn +${INSURANCE} +insurance fund after 0, LP NAV 0\\n`));
      assert.match(liq.stdout, new RegExp(`\\n  borne by the LPs \\(in the NAV\\) +${deficit - INSURANCE} +insurance fund after 0, LP NAV 0\\n`));
      // The same account cannot be liquidated (or settle) twice in the epoch.
      fails(await zkrs(["liquidate", ...rpc, "--pool", pool, "--proof", f("liq.json")], env), 1,
        /^zkrs: .*liq\.json: tag \d+ is used already: this account was liquidated or settled in epoch 8$/);
      // A tampered file never reaches the chain.
      fails(await zkrs(["liquidate", ...rpc, "--pool", pool, "--proof", f("liq-tampered.json")], env), 1, /invalid liquidation proof: public signal tag differs/);

      const after = json(ok(await zkrs(["insurance", "show", ...rpc, "--pool", pool, "--json"])));
      assert.equal(after.insuranceFund, "0");
      assert.equal(after.lpCapital, "0");
      assert.equal(after.latestAcceptedEpoch, 8);
      assert.equal(after.latestStatus, "stressed");
      const human = ok(await zkrs(["insurance", "show", ...rpc, "--pool", pool])).stdout;
      assert.match(human, /latest status +epoch 8: stressed: LP withdrawals frozen/);
    });

    it("a haircut epoch: post shows the ratio, settle prints what it paid (less than the amount)", async function () {
      const pool = f("pool.json");
      // Epoch 9: fred's cash (credited by the operator's ledger) puts the mark total above the pool's
      // assets: settlements pay amount * assets / markTotal.
      ok(await zkrs(["risk", "example", "--out", f("snap9.json"), "--epoch", "9"]));
      ok(await zkrs(["risk", "--snapshot", f("snap9.json"), "--out", f("table9.json"), "--circuit", "margin_test"]));
      mkdirSync(f("openings9"));
      for (const name of ["alice", "bob", "dave", "erin"]) writeFileSync(f(`openings9/${name}.opening.json`), readFileSync(f(`liq-openings/${name}.opening.json`)));
      ok(await zkrs(["account", "new", "--collateral", "10000000000", "--out", f("fred.json")]));
      ok(await zkrs(["account", "opening", "--account", f("fred.json"), "--out", f("openings9/fred.opening.json")]));
      ok(await zkrs(["tree", "--openings", f("openings9"), "--epoch", "9", "--out", f("ledger9.json"), "--paths-dir", f("paths9"), "--circuit", "solvency_test"]));
      const proven9 = json(ok(await zkrs(["prove", "solvency", "--ledger", f("ledger9.json"), "--table", f("table9.json"), "--circuit", "solvency_test", "--out", f("solvency9.json"), "--json"])));
      const mark9 = proven9.markTotal as string;
      ok(await zkrs([
        "prove", "margin", "--account", f("alice.json"), "--path", f("paths9/alice.path.json"), "--table", f("table9.json"),
        "--recipient", RECIPIENT, "--amount", "1000000", "--circuit", "margin_test", "--out", f("proof9.json"),
      ]));
      ok(await zkrs(["publish", ...rpc, "--pool", pool, "--table", f("table9.json")], env));
      // Opening a haircut needs --accept-haircut: without it, the command says what would happen and posts nothing.
      const poolBalance = async (): Promise<bigint> => BigInt(json(ok(await zkrs(["insurance", "show", ...rpc, "--pool", pool, "--json"]))).poolBalance as string);
      const shownBefore = json(ok(await zkrs(["insurance", "show", ...rpc, "--pool", pool, "--json"])));
      let block = await chain.provider.getBlockNumber();
      fails(await zkrs(["post", ...rpc, "--pool", pool, "--proof", f("solvency9.json")], env), 1, new RegExp(
        `^zkrs: posting .*solvency9\\.json would open epoch 9 with a haircut: the pool holds ${shownBefore.poolBalance}, less than the proven mark liabilities ${mark9}: ` +
        `every settlement of epoch 9 would pay amount \\* ${shownBefore.poolBalance} / ${mark9} \\(0\\.\\d{6}\\), and the insurance fund \\(0\\) and the LPs' NAV \\(${shownBefore.lpCapital}\\) would be written off; pass --accept-haircut to open it anyway$`));
      assert.equal(await chain.provider.getBlockNumber(), block); // nothing sent
      const post = json(ok(await zkrs(["post", ...rpc, "--pool", pool, "--proof", f("solvency9.json"), "--accept-haircut", "--json"], env)));
      const balance = BigInt(post.poolBalance as string);
      assert.equal(balance, ASSETS_8);
      assert.equal(post.markTotal, mark9);
      assert.ok(BigInt(mark9) > balance);
      assert.equal(post.status, "haircut");
      assert.deepEqual(post.haircut, { num: balance.toString(), den: mark9 });
      const human = ok(await zkrs(["insurance", "show", ...rpc, "--pool", pool])).stdout;
      const ratio = (balance * 1_000_000n) / BigInt(mark9);
      assert.match(human, new RegExp(`latest status +epoch 9: haircut: 0\\.${ratio.toString().padStart(6, "0")} `));
      assert.match(human, /insurance fund +0\n +LP NAV +0 /); // written down first at the opening

      // Settling in the haircut epoch needs --accept-haircut: without it, nothing is sent and the nullifier stays unspent.
      const paid = (1_000_000n * balance) / BigInt(mark9);
      block = await chain.provider.getBlockNumber();
      fails(await zkrs(["settle", ...rpc, "--pool", pool, "--proof", f("proof9.json")], env), 1, new RegExp(
        `^zkrs: epoch 9 pays a haircut of 0\\.${ratio.toString().padStart(6, "0")}: this settlement would pay ${paid} of 1000000 and spend the account's nullifier for epoch 9 ` +
        "\\(no second settlement this epoch\\); pass --accept-haircut to settle anyway$"));
      assert.equal(await chain.provider.getBlockNumber(), block);
      assert.equal(await poolBalance(), balance);
      const settle = await zkrs(["settle", ...rpc, "--pool", pool, "--proof", f("proof9.json"), "--accept-haircut"], env);
      assert.match(ok(settle).stdout, new RegExp(`^settled: paid ${paid} of 1000000 to ${RECIPIENT} \\(epoch 9, haircut\\)\\n`));
      assert.equal(await poolBalance(), balance - paid);
    });

    it("the escape hatch (docs/design.md §12): pool status, freeze refused early, a week later freeze, path request/answer/fetch, prove exit, exit once, lp exit, audit", async function () {
      const pool = f("pool.json");
      const status = json(ok(await zkrs(["pool", "status", ...rpc, "--pool", pool, "--json"])));
      assert.equal(status.frozen, false);
      assert.equal(status.maxEpochDelay, "604800");
      fails(await zkrs(["freeze", ...rpc, "--pool", pool], env), 1, /^zkrs: too early: the last epoch opened .* ago; anyone may freeze in /);
      // A trader asks for its path on-chain; the operator (the dev key deployed as operator too) answers from the leaf hashes.
      const fredIndex = String(readJson(f("paths9/fred.path.json")).index);
      const req = json(ok(await zkrs(["path", "request", ...rpc, "--pool", pool, "--index", fredIndex, "--json"], env)));
      fails(await zkrs(["path", "fetch", ...rpc, "--pool", pool, "--request", req.request as string, "--circuit", "exit_test", "--out", f("fred.fetched.json")]), 1, /is not answered yet/);
      fails(await zkrs(["path", "answer", ...rpc, "--pool", pool, "--request", req.request as string, "--leaf-hashes", f("leaf-hashes-7.json")], env), 1,
        /is epoch 7's tree .* but the pool's latest accepted root is epoch 9's/);
      ok(await zkrs(["path", "answer", ...rpc, "--pool", pool, "--request", req.request as string, "--leaf-hashes", f("leaf-hashes-9.json")], env));
      ok(await zkrs(["path", "fetch", ...rpc, "--pool", pool, "--request", req.request as string, "--circuit", "exit_test", "--out", f("fred.fetched.json")]));
      assert.deepEqual(readJson(f("fred.fetched.json")), readJson(f("paths9/fred.path.json")), "the on-chain answer rebuilds the operator's path file");

      await chain.provider.send("evm_increaseTime", [7 * 24 * 3600]);
      await chain.provider.send("evm_mine", []);
      const frozen = json(ok(await zkrs(["freeze", ...rpc, "--pool", pool, "--json"], env)));
      assert.equal(frozen.epoch, 9);
      fails(await zkrs(["freeze", ...rpc, "--pool", pool], env), 1, /^zkrs: the pool is frozen already$/);
      fails(await zkrs(["settle", ...rpc, "--pool", pool, "--proof", f("proof9.json"), "--accept-haircut"], env), 1, /PoolFrozen|frozen|not open/);

      ok(await zkrs(["prove", "exit", "--account", f("fred.json"), "--path", f("fred.fetched.json"), "--table", f("table9.json"), "--recipient", RECIPIENT, "--circuit", "exit_test", "--out", f("exit9.json")]));
      const standing = await new Contract(readJson(pool).pool as string, ["function epochStatus(uint32) view returns (uint8, uint256, uint256)"], chain.provider).getFunction("epochStatus").staticCall(9) as [bigint, bigint, bigint];
      const exited = json(ok(await zkrs(["exit", ...rpc, "--pool", pool, "--proof", f("exit9.json"), "--json"], env)));
      assert.equal(exited.amount, "10000000000", "fred's claim: his cash, no positions");
      assert.equal(exited.paid, ((10_000_000_000n * standing[1]) / standing[2]).toString(), "paid the epoch's haircut ratio, as its settlements were");
      fails(await zkrs(["exit", ...rpc, "--pool", pool, "--proof", f("exit9.json")], env), 1, /exited already/);
      fails(await zkrs(["lp", "exit", ...rpc, "--pool", pool], env), 1, /^zkrs: nothing to take for 0x[0-9a-fA-F]{40}: 0 shares/);

      const after = json(ok(await zkrs(["pool", "status", ...rpc, "--pool", pool, "--json"])));
      assert.equal(after.frozen, true);
      assert.equal(after.frozenEpoch, 9);
      assert.equal(after.exits, 1);
      assert.equal(after.exitsPaid, exited.paid);
      const report = json(ok(await zkrs(["audit", ...rpc, "--pool", pool, "--epoch", "9", "--table", f("table9.json"), "--json"])));
      assert.equal(report.ok, true);
      assert.ok((report.checks as { ok: boolean; what: string }[]).some((c) => c.ok && /^exit of a claim of 10000000000 .* re-verified/.test(c.what)));
    });

    it("deploy refuses the insecure development verifiers on a chain other than anvil's local one unless --allow-insecure-keys (issue 16 item 10)", async function () {
      const other = await startAnvil({ args: ["--chain-id", "11155111"] });
      try {
        const args = ["deploy", "--rpc-url", other.rpcUrl, "--circuits", "test", "--out", f("public-pool.json")];
        fails(await zkrs(args, env), 1, new RegExp(
          "^zkrs: refusing to deploy on chain 11155111: the keys of margin_test, solvency_test, liquidation_test, risk_table_test, exit_test come from the insecure development setup, " +
          "whose toxic waste is public, so anyone can forge proofs and drain the pool; only anvil's local chain 31337 takes them without --allow-insecure-keys"));
        assert.equal(await other.provider.getBlockNumber(), 0); // nothing deployed
        nothingWritten(dir, f("public-pool.json"));
        const r = ok(await zkrs([...args, "--allow-insecure-keys"], env));
        assert.match(r.stderr, /warning: deploying verifiers of an insecure development setup/);
        assert.equal(readJson(f("public-pool.json")).chainId, "11155111");
      } finally {
        await other.stop();
      }
    });
  });
});

