/**
 * zkrs — the command-line tool over the zk-risk-sharing library. One subcommand per user task;
 * JSON files in and out; `--json` for scripts; progress on stderr; errors as one line
 * `zkrs: <message>` with exit code 1 (2 for usage mistakes).
 *
 * `runCli(argv, io)` runs one command and returns its exit code (tests call it in-process);
 * `main(argv)` is the process around it (bin/zkrs.js): real stdout/stderr/env, snarkjs' threads
 * released, the exit code set. Importing this module runs nothing.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../artifacts/paths.js";
import { toJsonText } from "../io/json.js";
import { accountCommands } from "./commands/account.js";
import { auditCommand } from "./commands/audit.js";
import { deployCommand } from "./commands/deploy.js";
import { depositCommand } from "./commands/deposit.js";
import { exitCommands } from "./commands/exit.js";
import { hatchCommands } from "./commands/hatch.js";
import { lpCommands } from "./commands/lp.js";
import { liquidationCommands } from "./commands/liquidation.js";
import { pathCommands } from "./commands/path.js";
import { postCommand } from "./commands/post.js";
import { proveCommands } from "./commands/prove.js";
import { publishCommand } from "./commands/publish.js";
import { riskCommands } from "./commands/risk.js";
import { settleCommand } from "./commands/settle.js";
import { setupCommands } from "./commands/setup.js";
import { treeCommands } from "./commands/tree.js";
import { verifyCommands } from "./commands/verify.js";
import { workerCommands } from "./commands/worker.js";
import { makeContext, type ProgressStream } from "./context.js";
import { type Command, commandHelp, type Env, parseCommandArgs, UsageError } from "./framework.js";
import { releaseProver } from "./lazy.js";

export const COMMANDS: Command[] = [
  ...setupCommands, ...riskCommands, ...accountCommands, ...treeCommands, ...pathCommands, ...proveCommands, ...exitCommands, ...verifyCommands,
  deployCommand, publishCommand, postCommand, settleCommand, depositCommand, ...lpCommands, auditCommand, ...liquidationCommands, ...workerCommands, ...hatchCommands,
];

function globalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.path.join(" ").length)) + 2;
  return [
    "usage: zkrs <command> [options]     (zkrs <command> --help for its options)",
    "",
    "Zero-knowledge margin and solvency proofs for a shared derivatives risk pool.",
    "",
    "commands:",
    ...COMMANDS.map((c) => `  ${c.path.join(" ").padEnd(width)}${c.summary}`),
    "",
    "Every command takes --json (machine-readable result on stdout); progress goes to stderr.",
    "Exit codes: 0 success, 1 error or invalid proof, 2 usage mistake.",
  ].join("\n");
}

/** The command named by the leading words of argv (longest match), and the remaining arguments. */
function findCommand(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  let best: Command | undefined;
  for (const c of COMMANDS) {
    if (c.path.every((w, i) => argv[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  return best ? { command: best, rest: argv.slice(best.path.length) } : undefined;
}

function oneLine(message: string): string {
  const lines = message.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.length <= 1 ? (lines[0] ?? "unknown error") : `${lines[0]} (${lines.slice(1).join("; ").slice(0, 300)})`;
}

/** Where a run of the CLI writes, and the environment it reads. */
export interface CliIo {
  stdout: (text: string) => void;
  /** Progress and the error line. */
  stderr: ProgressStream;
  env: Env;
}

/** Runs one zkrs command and returns its exit code (0 success, 1 error or invalid, 2 usage). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const out = io.stdout;
  const err = (text: string): unknown => io.stderr.write(text);
  const wantsJson = argv.includes("--json");
  const fail = (message: string, code: number): number => {
    const line = oneLine(message);
    err(`zkrs: ${line}\n`);
    if (wantsJson) out(toJsonText({ ok: false, error: line, exitCode: code }));
    return code;
  };
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    out(`${globalHelp()}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === "--version" || argv[0] === "-V") {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
    out(`zkrs ${pkg.version}\n`);
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    const group = COMMANDS.filter((c) => c.path[0] === argv[0]);
    if (group.length > 0) {
      if (argv[1] === "--help" || argv[1] === "-h") {
        out(`${group.map((c) => `zkrs ${c.path.join(" ")}: ${c.summary}`).join("\n")}\n`);
        return 0;
      }
      const subs = group.map((c) => c.path[1]).join(", ");
      return fail(argv[1] && !argv[1].startsWith("-") ? `unknown command "${argv[0]} ${argv[1]}" (${argv[0]} has: ${subs})` : `${argv[0]}: missing subcommand (${subs})`, 2);
    }
    return fail(`unknown command "${argv[0]}" (see zkrs --help)`, 2);
  }
  const { command, rest } = found;
  const name = `zkrs ${command.path.join(" ")}`;
  try {
    const args = parseCommandArgs(command, rest, io.env);
    if (args.flag("help")) {
      out(`${commandHelp(command)}\n`);
      return 0;
    }
    const ctx = makeContext(wantsJson, io.stderr, Boolean(io.env.CI));
    const result = await command.run(ctx, args);
    if (wantsJson) out(toJsonText({ ok: !result.exitCode, ...result.json }));
    else if (result.human.length > 0) out(`${result.human.join("\n")}\n`);
    if (result.exitCode) {
      err(`zkrs: ${oneLine(result.message ?? "failed")}\n`);
      return result.exitCode;
    }
    return 0;
  } catch (e) {
    if (io.env.ZKRS_DEBUG && e instanceof Error) err(`${e.stack}\n`);
    if (e instanceof UsageError) return fail(`${e.message} (see ${name} --help)`, 2);
    return fail(e instanceof Error ? e.message : String(e), 1);
  }
}

/** The zkrs process: runs argv with the real stdout, stderr and environment, then ends. */
export async function main(argv: readonly string[]): Promise<void> {
  const io: CliIo = { stdout: (text) => process.stdout.write(text), stderr: process.stderr, env: process.env };
  const code = await runCli(argv, io).finally(async () => {
    try {
      await releaseProver();
    } catch {
      // best effort: the exit below ends the process anyway
    }
  });
  process.exitCode = code;
  // Let stdout drain and the process end on its own; if some library still holds a handle
  // (a provider, a worker), end it shortly after.
  setTimeout(() => {
    if (process.env.ZKRS_DEBUG) process.stderr.write("zkrs: (debug) handles still open at exit; exiting anyway\n");
    process.exit(code);
  }, 1000).unref();
}
