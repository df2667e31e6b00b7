import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SeededRandom } from './simulator/seeded-random.js';

export interface KillAtRandomPointsOptions {
  /** Starts the process to kill (for a crash test: the manager with the provider under test). */
  start: () => ChildProcess;
  kills: number;
  /** Seeds the kill points, so a failure can be replayed with the same ones. */
  random: SeededRandom;
  /** The earliest kill after a start, in ms (about the process's start-up time). */
  earliestMs: number;
  /** How far past the earliest a kill may fall, in ms (several reconciles in). */
  spreadMs: number;
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
    await sleep(options.earliestMs + options.random.next() * options.spreadMs);
    child.kill('SIGKILL');
    await exited(child);
  }
}
