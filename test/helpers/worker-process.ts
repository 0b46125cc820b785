import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** A worker process (`src/main/worker.ts`) run as a real child process, its output collected. */
export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** The JSON log lines it wrote so far (non-JSON lines skipped). */
  logs(): Array<Record<string, unknown>>;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `src/main/worker.ts` under ts-node (transpile-only) with `env` on top of this process's environment. */
export function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  let out = '';
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.JEST_WORKER_ID;
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main/worker.ts'], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    logs: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Polls `fn` every 100 ms until it returns something truthy, or throws after `timeoutMs` naming `what`. */
export async function until<T>(fn: () => Promise<T | undefined | false>, timeoutMs: number, what: () => string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
