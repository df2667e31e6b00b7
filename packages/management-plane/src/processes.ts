import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { readlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** A process we started and may later need to find and stop from another process. */
export interface ManagedProcess {
  name: string;
  pid: number;
  /** Absolute path of the executable, checked before signalling so a reused pid is never hit. */
  binary: string;
  logFile: string;
}

export interface SpawnLoggedOptions {
  name: string;
  binary: string;
  args: readonly string[];
  logFile: string;
  /** Detached processes get their own session and outlive this one. */
  detached: boolean;
}

/** Starts a process with stdout and stderr appended to a log file. */
export function spawnLogged(options: SpawnLoggedOptions): { child: ChildProcess; process: ManagedProcess } {
  const out = openSync(options.logFile, 'a');
  const child = spawn(options.binary, options.args, {
    stdio: ['ignore', out, out],
    detached: options.detached,
  });
  if (child.pid === undefined) throw new Error(`could not start ${options.binary}`);
  if (options.detached) child.unref();
  return {
    child,
    process: { name: options.name, pid: child.pid, binary: options.binary, logFile: options.logFile },
  };
}

/**
 * Ties the given processes to this one: a small shell holds a pipe from us and,
 * when the pipe closes (we exited, crashed or were killed with SIGKILL), stops
 * them and removes `cleanupDir` if given. Returns a function that releases the
 * watchdog after a normal shutdown.
 */
export function bindToThisProcess(processes: readonly ManagedProcess[], cleanupDir?: string): () => void {
  const pids = processes.map((p) => String(p.pid));
  const script = [
    'dir=$1; shift',
    'while read -r _; do :; done',
    'kill -TERM "$@" 2>/dev/null',
    'for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$@" 2>/dev/null || break; sleep 0.5; done',
    'kill -KILL "$@" 2>/dev/null',
    '[ -n "$dir" ] && rm -rf "$dir"',
    'exit 0',
  ].join('\n');
  const watchdog = spawn('sh', ['-c', script, 'iinfra-watchdog', cleanupDir ?? '', ...pids], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  watchdog.unref();
  // The pipe must not keep our event loop alive; it only has to close when we die.
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return () => {
    watchdog.kill('SIGKILL');
    watchdog.stdin?.destroy();
  };
}

/** True when the pid is alive and still runs the expected executable. */
export async function isRunning(process: ManagedProcess): Promise<boolean> {
  try {
    const exe = await readlink(`/proc/${process.pid}/exe`);
    if (exe.replace(/ \(deleted\)$/, '') !== process.binary) return false;
    return !isZombie(process.pid);
  } catch {
    return false;
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/**
 * SIGTERM, then SIGKILL after the grace period; resolves once the process is
 * gone. A process whose parent already exited lingers as a zombie until init
 * reaps it; we wait a little for that too, so `pgrep` right afterwards is clean.
 */
export async function terminate(process: ManagedProcess, graceMs = 10_000): Promise<void> {
  if (await isRunning(process)) {
    signal(process.pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && (await isRunning(process))) await sleep(50);
    if (await isRunning(process)) {
      signal(process.pid, 'SIGKILL');
      while (await isRunning(process)) await sleep(50);
    }
  }
  const reapDeadline = Date.now() + 5_000;
  while (Date.now() < reapDeadline && isZombie(process.pid)) await sleep(50);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    globalThis.process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** The last lines of a log file, for error messages. */
export function logTail(logFile: string, lines = 20): string {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
