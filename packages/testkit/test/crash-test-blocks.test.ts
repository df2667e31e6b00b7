import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  captureLog,
  exited,
  killAtRandomPoints,
  mostRepeated,
  type RandomNumberSource,
} from '../src/index.js';

/** The same points in the window on every run: where they fall is not what these tests check. */
const middleOfTheWindow: RandomNumberSource = { next: () => 0.5 };

describe('killAtRandomPoints', () => {
  it('starts the process as often as asked and leaves none running', async () => {
    const started: ReturnType<typeof spawn>[] = [];
    await killAtRandomPoints({
      start: () => {
        const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
        started.push(child);
        return child;
      },
      kills: 3,
      random: middleOfTheWindow,
      earliestMs: 10,
      spreadMs: 20,
    });
    expect(started).toHaveLength(3);
    expect(started.map((child) => child.signalCode)).toEqual(['SIGKILL', 'SIGKILL', 'SIGKILL']);
  });

  it('counts the kill point from the ready line, and says so when the line never comes', async () => {
    const script =
      'setTimeout(() => console.log(\'{"msg":"controllers running"}\'), 300); setInterval(() => {}, 1000)';
    const started: ReturnType<typeof spawn>[] = [];
    await killAtRandomPoints({
      start: () => {
        const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
        started.push(child);
        return child;
      },
      kills: 2,
      random: middleOfTheWindow,
      earliestMs: 0,
      spreadMs: 10,
      readyLine: /controllers running/,
    });
    expect(started.map((child) => child.signalCode)).toEqual(['SIGKILL', 'SIGKILL']);
    const silent = () =>
      spawn(process.execPath, ['-e', 'process.exit(3)'], { stdio: ['ignore', 'pipe', 'ignore'] });
    await expect(
      killAtRandomPoints({
        start: silent,
        kills: 1,
        random: middleOfTheWindow,
        earliestMs: 0,
        spreadMs: 0,
        readyLine: /ready/,
      }),
    ).rejects.toThrow('exited (3) before printing a line matching /ready/');
  });

  it('exited resolves for a process that is already gone', async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await exited(child);
    await exited(child);
    expect(child.exitCode).toBe(0);
  });
});

describe('mostRepeated', () => {
  it('counts the most repeated item, 0 for none', () => {
    expect(mostRepeated([])).toBe(0);
    expect(mostRepeated(['a', 'b'])).toBe(1);
    expect(mostRepeated(['a', 'b', 'a', 'c', 'a', 'b'])).toBe(3);
  });
});

describe('captureLog', () => {
  it('keeps every chunk written to its destination', async () => {
    const log = captureLog();
    await new Promise<void>((resolve) => log.destination.write('one\n', () => resolve()));
    await new Promise<void>((resolve) => log.destination.write('two\n', () => resolve()));
    expect(log.lines).toEqual(['one\n', 'two\n']);
    expect(log.text()).toBe('one\ntwo\n');
  });
});
