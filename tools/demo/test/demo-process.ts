import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BaremetalDemo, HcsDemo, VsphereDemo } from '../src/start-demo.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** What `demo --json` prints once everything is up. */
export interface DemoStarted {
  url: string;
  kubeconfig: string;
  tokenFile: string;
  namespace: string;
  apiServerAddress: string;
  upgradeRelease: {
    kubernetesVersion: string;
    machineTemplates: [string, string];
    file: string;
    command: string[];
  };
  /** With `--provider vsphere`. */
  vsphere?: VsphereDemo;
  /** With `--provider hcs`. */
  hcs?: HcsDemo;
  /** With `--provider baremetal`. */
  baremetal?: BaremetalDemo;
}

/** The demo as a child process, started the way a person starts it (minus the build), with its own TMPDIR. */
export class DemoProcess {
  private stderr = '';
  private constructor(
    readonly child: ChildProcess,
    readonly started: DemoStarted,
  ) {}

  static async start(tmpDir: string, args: readonly string[] = []): Promise<DemoProcess> {
    const child = spawn(process.execPath, [MAIN, '--json', '--port', '0', ...args], {
      env: { ...process.env, TMPDIR: tmpDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const started = await new Promise<DemoStarted>((resolve, reject) => {
      let stdout = '';
      child.stdout?.on('data', (chunk) => {
        stdout += String(chunk);
        const line = stdout.split('\n').find((l) => l.startsWith('{'));
        if (line && stdout.includes('\n')) resolve(JSON.parse(line) as DemoStarted);
      });
      child.once('exit', (code) =>
        reject(new Error(`the demo exited with ${code} before starting:\n${stderr}`)),
      );
    });
    const demo = new DemoProcess(child, started);
    demo.stderr = stderr;
    child.stderr?.on('data', (chunk) => {
      demo.stderr += String(chunk);
    });
    return demo;
  }

  /** Progress lines so far (stderr). */
  log(): string {
    return this.stderr;
  }

  /** Sends the signal and resolves with the exit code. */
  async stop(signal: NodeJS.Signals): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.child.kill(signal);
    return exited;
  }

  /**
   * Stops the demo as a person does (SIGINT), so it stops its own processes and empties its folder,
   * and waits until every process of its tree is gone: after a SIGKILL of the demo alone, its
   * children live on, reparented, and may write into the folder the test then removes. SIGKILL
   * only if SIGINT has not ended it within a minute.
   */
  async shutDown(): Promise<void> {
    const tree = this.child.pid === undefined ? [] : descendants(this.child.pid);
    const stopped = this.stop('SIGINT');
    const late = setTimeout(() => this.child.kill('SIGKILL'), 60_000);
    await stopped;
    clearTimeout(late);
    for (let i = 0; i < 100 && tree.some(stillRunning); i++) await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every live descendant of `root`, with its start time (so a reused pid is not mistaken for it). */
export function descendants(root: number): { pid: number; start: string; command: string }[] {
  const table = new Map<number, { ppid: number; start: string; command: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) table.set(Number(entry), stat);
  }
  const found: { pid: number; start: string; command: string }[] = [];
  const walk = (parent: number) => {
    for (const [pid, info] of table) {
      if (info.ppid !== parent) continue;
      found.push({ pid, start: info.start, command: info.command });
      walk(pid);
    }
  };
  walk(root);
  return found;
}

/** True while the process with this pid and start time exists and is not a zombie. */
export function stillRunning(process: { pid: number; start: string }): boolean {
  const stat = readStat(process.pid);
  return stat !== undefined && stat.start === process.start && stat.state !== 'Z';
}

function readStat(pid: number) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const command = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // Fields after the command: state(0) ppid(1) ... starttime(19).
    return { state: fields[0] ?? '', ppid: Number(fields[1]), start: fields[19] ?? '', command };
  } catch {
    return undefined;
  }
}
