import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { type CircuitSet, verifierName } from "../../protocol/circuitCatalog.js";
import { sha256File } from "../../build/hashing.js";
import type { CircuitArtifacts, Manifest } from "../../artifacts/manifest.js";
import { readManifest } from "../../artifacts/manifest.js";
import { InputError } from "../../io/json.js";
import { type Command, type CommandResult, JSON_OPTION, UsageError } from "../framework.js";
import { markProverLoaded } from "../lazy.js";

function circuitSummary(c: CircuitArtifacts): Record<string, unknown> {
  return {
    circuit: c.instance.name, kind: c.instance.kind, set: c.instance.set, constraints: c.circuit.constraints, publicSignals: c.circuit.nPublic,
    ptau: { source: c.ptau.source, power: c.ptau.power, path: c.ptau.path, sha256: c.ptau.sha256 },
    zkey: c.keys.zkey, zkeySha256: c.keys.zkeySha256, contribution: c.keys.contribution, insecure: c.insecure,
  };
}

function circuitLine(c: CircuitArtifacts): string {
  const label = c.insecure ? "  INSECURE (dev setup: never use for real funds)" : "";
  const keys = c.ptau.source === "toxic-waste" ? "dev keys from public toxic waste" : `ptau ${c.ptau.source} (2^${c.ptau.power})`;
  return `  ${c.instance.name.padEnd(14)} ${c.circuit.constraints.toLocaleString("en-US").padStart(10)} constraints, ${keys}${label}`;
}

export const setupCommands: Command[] = [
  {
    path: ["setup"],
    summary: "Protocol engineer: compile the circuits, run the Groth16 setup, export and compile the verifiers (incremental).",
    details: [
      "Without --ptau a development powers-of-tau is used (../shared/ptau, the cache, or generated) and the",
      "keys are labelled INSECURE. For production pass a ceremony ptau (prepared for phase 2) and secret",
      "--entropy for the phase-2 contribution. Sub-commands: `zkrs setup verify`.",
      "(Extra phase-2 contributions to existing keys are not offered by this CLI: the build caches keys by",
      "circuit, ptau and entropy, so pass your entropy to `zkrs setup --entropy` instead.)",
    ],
    options: {
      set: { type: "string", multiple: true, arg: "test|reference", description: "circuit set(s) to build (default: both)" },
      only: { type: "string", arg: "name,...", description: "only these circuits" },
      ptau: { type: "string", arg: "file.ptau", description: "ceremony powers-of-tau file (prepared for phase 2)" },
      entropy: { type: "string", arg: "text", description: "phase-2 contribution entropy (else ZKRS_ENTROPY, else public dev entropy)" },
      ...JSON_OPTION,
    },
    async run(ctx, args) {
      const sets = args.list("set");
      for (const s of sets) if (s !== "test" && s !== "reference") throw new UsageError(`--set must be "test" or "reference", got "${s}"`, args.command);
      const only = args.list("only");
      const ptau = args.optionalString("ptau");
      if (ptau && !existsSync(ptau)) throw new InputError(`--ptau ${ptau}: no such file`);
      markProverLoaded();
      const { buildArtifacts } = await import("../../build/buildArtifacts.js");
      // The build shows its own progress line (one per running step), so it is not wrapped in ctx.step.
      const started = Date.now();
      ctx.log("building circuits, keys and contracts ...");
      const manifest = await buildArtifacts({
        sets: sets.length ? (sets as CircuitSet[]) : undefined, only: only.length ? only : undefined,
        ptau, entropy: args.optionalString("entropy"), log: ctx.log,
      });
      ctx.log(`building circuits, keys and contracts: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const built = Object.values(manifest.circuits).filter((c) =>
        only.length ? only.includes(c.instance.name) : sets.length ? sets.includes(c.instance.set) : true);
      return {
        json: { circuits: built.map(circuitSummary), contracts: Object.keys(manifest.contracts?.artifacts ?? {}) },
        human: ["built:", ...built.map(circuitLine), `contracts: ${Object.keys(manifest.contracts?.artifacts ?? {}).join(", ") || "(none)"}`],
      };
    },
  },
  {
    path: ["setup", "verify"],
    summary: "Check the built artifacts: every file exists, each zkey's sha256 matches the manifest, its verification key matches.",
    details: ["With --deep also re-verifies each zkey against its r1cs and ptau (snarkjs zkey verify; slow for big circuits)."],
    options: {
      circuit: { type: "string", multiple: true, arg: "name", description: "only these circuits (default: all built)" },
      deep: { type: "boolean", description: "also run snarkjs zkey verify against r1cs + ptau" },
      ...JSON_OPTION,
    },
    async run(ctx, args): Promise<CommandResult> {
      const manifest: Manifest = readManifest();
      const names = args.list("circuit");
      for (const n of names) if (!manifest.circuits[n]) throw new InputError(`--circuit ${n}: not in the build manifest (built: ${Object.keys(manifest.circuits).join(", ") || "none"})`);
      const selected = Object.values(manifest.circuits).filter((c) => names.length === 0 || names.includes(c.instance.name));
      if (selected.length === 0) throw new InputError("nothing is built yet: run `zkrs setup`");
      markProverLoaded();
      const snarkjs = await import("snarkjs");
      const problems: string[] = [];
      const results: Record<string, unknown>[] = [];
      for (const c of selected) {
        const name = c.instance.name;
        const mine: string[] = [];
        const files: [string, string][] = [["r1cs", c.circuit.r1cs], ["wasm", c.circuit.wasm], ["zkey", c.keys.zkey], ["verification key", c.keys.vkey], ["Solidity verifier", c.keys.verifierSol]];
        for (const [what, file] of files) if (!existsSync(file)) mine.push(`${name}: ${what} ${file} is missing`);
        if (existsSync(c.keys.zkey)) {
          const sha = await ctx.step(`${name}: hashing ${c.keys.zkey}`, () => sha256File(c.keys.zkey));
          if (sha !== c.keys.zkeySha256) mine.push(`${name}: zkey sha256 ${sha} differs from the manifest's ${c.keys.zkeySha256}`);
          else if (existsSync(c.keys.vkey)) {
            const vk = await snarkjs.zKey.exportVerificationKey(c.keys.zkey);
            const onDisk = JSON.parse(readFileSync(c.keys.vkey, "utf8")) as unknown;
            if (JSON.stringify(vk) !== JSON.stringify(onDisk)) mine.push(`${name}: verification key ${c.keys.vkey} does not match the zkey`);
          }
          if (args.flag("deep") && mine.length === 0) {
            let ptauPath = c.ptau.path;
            if (c.ptau.source === "toxic-waste") {
              // Development keys were made without a ptau: use (or make) the one with the same tau, alpha and beta.
              const [{ generateDevPtau }, { DEV_TOXIC_SEED, devToxicPtau }] = await Promise.all([import("../../setup/devPtau.js"), import("../../build/groth16Setup.js")]);
              const devPtau = devToxicPtau(c.circuit);
              ptauPath = devPtau.path;
              if (!existsSync(ptauPath)) {
                mkdirSync(dirname(ptauPath), { recursive: true });
                await ctx.step(`${name}: making the matching dev ptau ${ptauPath} (2^${devPtau.power}) from the public seed`, () =>
                  generateDevPtau(devPtau.power, ptauPath, { entropy: DEV_TOXIC_SEED }));
              }
            }
            if (!existsSync(ptauPath)) mine.push(`${name}: ptau ${ptauPath} is missing (needed by --deep)`);
            else {
              const ok = await ctx.step(`${name}: snarkjs zkey verify against r1cs + ptau`, () => snarkjs.zKey.verifyFromR1cs(c.circuit.r1cs, ptauPath, c.keys.zkey));
              if (!ok) mine.push(`${name}: zkey does not verify against ${c.circuit.r1cs} and ${ptauPath}`);
            }
          }
        }
        const verifier = verifierName(name);
        if (!manifest.contracts?.artifacts[verifier]) mine.push(`${name}: verifier contract ${verifier} is not compiled`);
        problems.push(...mine);
        results.push({ ...circuitSummary(c), ok: mine.length === 0, problems: mine });
      }
      const human = results.map((r) => `  ${r.ok ? "ok " : "BAD"} ${String(r.circuit).padEnd(14)} zkey sha256 ${String(r.zkeySha256).slice(0, 16)}…${r.insecure ? "  INSECURE dev setup" : ""}`);
      const json = { ok: problems.length === 0, circuits: results };
      if (problems.length > 0) return { json, human, exitCode: 1, message: `setup verify: ${problems.length} problem(s): ${problems[0]}` };
      return { json, human: ["artifacts verified:", ...human] };
    },
  },
];
