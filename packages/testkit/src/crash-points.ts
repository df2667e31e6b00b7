import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from './eventually.js';

/** Numbers in [0, 1); a seeded generator (the simulator kit's SeededRandom) makes kill points replayable. */
export interface RandomNumberSource {
  next(): number;
}

export interface KillAtRandomPointsOptions {
  /** Starts the process to kill (for a crash test: the manager with the provider under test). */
  start: () => ChildProcess;
  kills: number;
  /** Seeds the kill points, so a failure can be replayed with the same ones. */
  random: RandomNumberSource;
  /** The earliest kill after a start, in ms (about the process's start-up time). */
  earliestMs: number;
  /** How far past the earliest a kill may fall, in ms (several reconciles in). */
  spreadMs: number;
  /**
   * A line the process prints (stdout or stderr, whichever is piped) once it is doing its work. The kill point is then counted from that line rather than from the start, so a loaded
   * machine's slow start-up cannot use up the window and leave every kill before any work.
   */
  readyLine?: RegExp;
  /** How long to wait for `readyLine` before giving up with an error, in ms (a hang guard). */
  readyTimeoutMs?: number;
}

/** Resolves once `child` has exited (at once when it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts a process and SIGKILLs it at a random point, `kills` times, each time waiting for it to be
 * gone before the next start: what a crash-safety test does to prove any step can be killed and re-run.
 */
export async function killAtRandomPoints(options: KillAtRandomPointsOptions): Promise<void> {
  for (let i = 0; i < options.kills; i++) {
    const child = options.start();
    if (options.readyLine) await printed(child, options.readyLine, options.readyTimeoutMs ?? 120_000);
    await sleep(options.earliestMs + options.random.next() * options.spreadMs);
    child.kill('SIGKILL');
    await exited(child);
  }
}

/** Resolves once `child` prints a line matching `line` (stdout or stderr); rejects if it exits or `timeoutMs` passes first. */
function printed(child: ChildProcess, line: RegExp, timeoutMs: number): Promise<void> {
  const streams = [child.stdout, child.stderr].filter((s) => s !== null);
  if (streams.length === 0)
    return Promise.reject(new Error('readyLine needs the process started with stdout or stderr piped'));
  return new Promise((resolve, reject) => {
    const buffered = new Map<unknown, string>();
    const listeners = streams.map((stream) => {
      const onData = (chunk: Buffer) => {
        const lines = ((buffered.get(stream) ?? '') + chunk.toString()).split('\n');
        buffered.set(stream, lines.pop() ?? '');
        if (lines.some((l) => line.test(l))) finish();
      };
      stream.on('data', onData);
      return () => {
        stream.off('data', onData);
        // Keep draining, so a chatty process never blocks on a full pipe.
        stream.resume();
      };
    });
    const finish = (error?: Error) => {
      clearTimeout(timer);
      for (const stop of listeners) stop();
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    const onExit = (code: number | null) =>
      finish(new Error(`the process exited (${code}) before printing a line matching ${line}`));
    const timer = setTimeout(
      () => finish(new Error(`the process printed no line matching ${line} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.once('exit', onExit);
  });
}

export interface CrashCampaignOptions
  extends Omit<KillAtRandomPointsOptions, 'kills' | 'earliestMs' | 'readyLine'>,
    Partial<Pick<KillAtRandomPointsOptions, 'earliestMs' | 'readyLine'>> {
  /** Where each phase's kills and time to converge are written. */
  report: { phase(name: string, kills: number, convergeMs: number): void };
  /** Waits until `check` answers true; testkit's `eventually` with 300 s by default. */
  waitFor?(what: string, check: () => Promise<true | undefined>): Promise<unknown>;
}

/** The manager's log line once its controllers run: kills are counted from it (see readyLine). */
const CONTROLLERS_RUNNING = /controllers running/;

/**
 * The phases of a crash-safety campaign: each starts its work, SIGKILLs the manager at random
 * points while the work is under way, then starts one last manager and times it to convergence.
 * What every provider's crash test runs, so they differ only in their work and their checks.
 */
export class CrashCampaign {
  /** The manager process running now, if any (the test's afterAll kills it). */
  running: ChildProcess | undefined;

  constructor(private readonly options: CrashCampaignOptions) {}

  async phase(
    name: string,
    kills: number,
    work: () => Promise<void>,
    converged: () => Promise<true | undefined>,
  ): Promise<void> {
    const { report, waitFor = (what, check) => eventually(what, check, 300_000), ...given } = this.options;
    const killing = { earliestMs: 0, readyLine: CONTROLLERS_RUNNING, ...given };
    await work();
    await killAtRandomPoints({
      ...killing,
      kills,
      start: () => {
        this.running = killing.start();
        return this.running;
      },
    });
    const last = killing.start();
    this.running = last;
    const since = performance.now();
    await waitFor(`${name}: converged after the kills`, converged);
    report.phase(name, kills, performance.now() - since);
    last.kill('SIGKILL');
    await exited(last);
  }

  /** Kills the manager running now, if any. */
  stop(): void {
    this.running?.kill('SIGKILL');
  }
}
