import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Groth16Proof } from "snarkjs";

/** Where `native/build.mjs` puts the native prover executable. */
export const NATIVE_PROVER_PATH = fileURLToPath(new URL("../../native/build/zkrs-prover", import.meta.url));

export function nativeProverBuilt(): boolean {
  return existsSync(NATIVE_PROVER_PATH);
}

export interface NativeProof {
  proof: Groth16Proof;
  publicSignals: string[];
}

interface Answer {
  proof?: Groth16Proof;
  publicSignals?: string[];
  error?: string;
}

/**
 * One long-lived `zkrs-prover serve` process: it keeps every zkey it has read loaded, so a worker
 * proving many batches reads its key once. Requests go one at a time (each uses all cores); the
 * process is unreferenced while idle, so it never keeps Node alive.
 */
class NativeProverProcess {
  private child: ChildProcessWithoutNullStreams | null = null;
  private buffered = "";
  private waiting: ((line: string | Error) => void) | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  prove(zkeyPath: string, wtns: Uint8Array): Promise<NativeProof> {
    const run = this.queue.then(() => this.request(zkeyPath, wtns));
    this.queue = run.catch(() => undefined);
    return run;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  stop(): void {
    if (this.child) {
      this.child.stdin.end();
      this.child.kill();
      this.child = null;
    }
  }

  private start(): ChildProcessWithoutNullStreams {
    const child = spawn(NATIVE_PROVER_PATH, ["serve"], { stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      this.buffered += chunk;
      const nl = this.buffered.indexOf("\n");
      if (nl >= 0 && this.waiting) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        const done = this.waiting;
        this.waiting = null;
        done(line);
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    const fail = (why: string) => {
      // A process stopped and already replaced: the request waiting now is the new process's.
      if (this.child !== child && this.child !== null) return;
      this.child = null;
      this.buffered = "";
      if (this.waiting) {
        const done = this.waiting;
        this.waiting = null;
        done(new Error(`native prover ${why}${stderr ? `: ${stderr.trim().split("\n").pop()}` : ""}`));
      }
    };
    child.on("error", (err) => fail(`failed to start (${err.message})`));
    child.on("exit", (code, signal) => fail(`exited (${signal ?? `code ${code}`})`));
    child.stdin.on("error", () => undefined); // reported by "exit"
    this.child = child;
    return child;
  }

  private setReferenced(child: ChildProcessWithoutNullStreams, ref: boolean): void {
    for (const s of [child.stdin, child.stdout, child.stderr] as unknown as { ref(): void; unref(): void }[]) {
      if (ref) s.ref();
      else s.unref();
    }
    if (ref) child.ref();
    else child.unref();
  }

  private async request(zkeyPath: string, wtns: Uint8Array): Promise<NativeProof> {
    if (/[\n\r]/.test(zkeyPath)) throw new Error(`native prover: a zkey path with a line break: ${JSON.stringify(zkeyPath)}`);
    const child = this.child ?? this.start();
    this.setReferenced(child, true);
    try {
      const line = await new Promise<string | Error>((resolve) => {
        this.waiting = resolve;
        child.stdin.write(`prove ${wtns.byteLength} ${zkeyPath}\n`);
        child.stdin.write(wtns);
      });
      if (line instanceof Error) throw line;
      const answer = JSON.parse(line) as Answer;
      if (answer.error !== undefined || !answer.proof || !answer.publicSignals) {
        throw new Error(`native prover: ${answer.error ?? "malformed answer"}`);
      }
      return { proof: answer.proof, publicSignals: answer.publicSignals };
    } finally {
      if (this.child === child) this.setReferenced(child, false);
    }
  }
}

let shared: NativeProverProcess | null = null;

/** Proves a .wtns (bytes) with the zkey at a path, in the shared native prover process. */
export function proveNative(zkeyPath: string, wtns: Uint8Array): Promise<NativeProof> {
  shared ??= new NativeProverProcess();
  return shared.prove(zkeyPath, wtns);
}

/** Ends the native prover process, if one runs. */
export function stopNativeProver(): void {
  shared?.stop();
}

/** Process id of the running native prover (undefined when none runs). */
export function nativeProverPid(): number | undefined {
  return shared?.pid;
}

/** Peak resident memory of the running native prover in MB (Linux /proc VmHWM); undefined when none runs. */
export function nativeProverPeakRssMB(): number | undefined {
  const pid = nativeProverPid();
  if (pid === undefined) return undefined;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}
