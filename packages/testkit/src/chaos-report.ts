import { appendFileSync } from 'node:fs';

/**
 * How hard a crash-safety test kills: the test's own short version by default; `npm run chaos`
 * (tools/bench/chaos.ts) runs the same tests with `CHAOS_ROUNDS`, `CHAOS_KILLS_PER_PHASE` and
 * `CHAOS_SEED` set. More kills come as more rounds of work, not more kills per phase: kills beyond
 * the time a phase's work takes would only hit a manager with nothing left to do.
 */
export interface ChaosSettings {
  killsPerPhase: number;
  seed: number;
  /** How often the test runs all its phases again on new machines; 1 by default. */
  rounds: number;
}

export function chaosSettings(defaults: Omit<ChaosSettings, 'rounds'> & { rounds?: number }): ChaosSettings {
  const number = (name: string, fallback: number) => {
    const text = process.env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0)
      throw new Error(`${name} must be a whole number (got ${text})`);
    return value;
  };
  return {
    killsPerPhase: number('CHAOS_KILLS_PER_PHASE', defaults.killsPerPhase),
    seed: number('CHAOS_SEED', defaults.seed),
    rounds: Math.max(1, number('CHAOS_ROUNDS', defaults.rounds ?? 1)),
  };
}

/** One phase of a campaign: the work started, the kills during it, and how long the last manager took to converge. */
export interface ChaosPhase {
  name: string;
  kills: number;
  convergeMs: number;
}

/**
 * What a crash-safety campaign found: the kills per phase and the damage counted on the platform
 * (duplicates seen at any moment, things left behind). Zero damage is the bar. With `CHAOS_REPORT`
 * set to a file, `write` appends the report there as one JSON line for the chaos script to print.
 */
export class ChaosReport {
  readonly phases: ChaosPhase[] = [];
  /** Damage by what it is, e.g. `duplicate VMs`, `orphaned VMs`, `leaked slots`: each should be 0. */
  damage: Record<string, number> = {};

  constructor(
    readonly provider: string,
    readonly settings: ChaosSettings,
  ) {}

  get kills(): number {
    return this.phases.reduce((sum, phase) => sum + phase.kills, 0);
  }

  phase(name: string, kills: number, convergeMs: number): void {
    this.phases.push({ name, kills, convergeMs: Math.round(convergeMs) });
  }

  write(file = process.env.CHAOS_REPORT): void {
    if (!file) return;
    const line = {
      provider: this.provider,
      seed: this.settings.seed,
      rounds: this.settings.rounds,
      kills: this.kills,
      phases: this.phases,
      damage: this.damage,
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }
}
