#!/usr/bin/env node
// Builds the native Groth16 prover (native/src -> native/build/zkrs-prover) with the system C++
// compiler (CXX, else g++, else c++). Runs from `npm install` / `npm ci` (postinstall) and before
// `npm test`; rebuilds only when a source file or the compiler command changed. When no compiler
// works it prints one line and exits 0: proofs then use snarkjs.
// Plain JavaScript on purpose: it runs before anything else is known to be installed.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const srcDir = join(here, "src");
const outDir = join(here, "build");
const binary = join(outDir, "zkrs-prover");
const stamp = join(outDir, "zkrs-prover.sources.sha256");

const flags = ["-std=c++17", "-O3", "-march=native", "-pthread", "-Wall", "-Wextra", "-Werror"];
const candidates = process.env.CXX ? [process.env.CXX] : ["g++", "c++"];

const hash = createHash("sha256");
hash.update(JSON.stringify(flags));
for (const f of readdirSync(srcDir).sort()) {
  hash.update(f);
  hash.update(readFileSync(join(srcDir, f)));
}

function fallback(reason) {
  // a binary from older sources must not stay in use
  rmSync(binary, { force: true });
  rmSync(stamp, { force: true });
  console.log(`zkrs: native prover not built (${reason}); proofs use snarkjs (install g++ and run: npm run build:native)`);
  process.exit(0);
}

const compiler = candidates.find((c) => spawnSync(c, ["--version"], { stdio: "ignore" }).status === 0);
if (!compiler) fallback(`no C++ compiler: tried ${candidates.join(", ")}`);
const digest = `${compiler} ${hash.digest("hex")}`;
if (existsSync(binary) && existsSync(stamp) && readFileSync(stamp, "utf8") === digest) process.exit(0);

mkdirSync(outDir, { recursive: true });
const tmp = `${binary}.tmp${process.pid}`;
const res = spawnSync(compiler, [...flags, "-o", tmp, join(srcDir, "main.cpp")], { encoding: "utf8" });
if (res.status !== 0) {
  rmSync(tmp, { force: true });
  const first = `${res.error?.message ?? ""}${res.stderr ?? ""}`.split("\n").find((l) => /error/.test(l)) ?? "compiler failed";
  fallback(`${compiler}: ${first.trim()}`);
}
renameSync(tmp, binary);
writeFileSync(stamp, digest);
console.log(`zkrs: native prover built (${binary.slice(here.length - "native".length)})`);
