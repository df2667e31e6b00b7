import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RefusedError, readDocumentFile, runCommandLine, UsageError } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kit-command-line-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a tool and collects what it wrote. */
function capture(run: (argv: string[], json: boolean) => string, argv: string[]) {
  let out = '';
  let err = '';
  const code = runCommandLine(
    'tool',
    argv,
    run,
    { write: (t: string) => (out += t) },
    {
      write: (t: string) => (err += t),
    },
  );
  return { code, out, err };
}

describe('runCommandLine', () => {
  it('prints what the tool returns and exits 0', () => {
    expect(capture(() => 'done\n', [])).toEqual({ code: 0, out: 'done\n', err: '' });
  });

  it('exits 1 on refused input with every problem, one a line, or as JSON with --json', () => {
    const refuse = () => {
      throw new RefusedError('the input is refused', [
        { field: 'spec.a', message: 'is required' },
        { field: 'spec.b', message: 'must be a list' },
      ]);
    };
    expect(capture(refuse, [])).toEqual({
      code: 1,
      out: '',
      err: 'tool: the input is refused\n  spec.a: is required\n  spec.b: must be a list\n',
    });
    const json = capture(refuse, ['--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toEqual({
      error: 'the input is refused',
      problems: [
        { field: 'spec.a', message: 'is required' },
        { field: 'spec.b', message: 'must be a list' },
      ],
    });
  });

  it('exits 2 on wrong usage, pointing at --help, and throws anything else', () => {
    const usage = capture(() => {
      throw new UsageError('a command is required');
    }, []);
    expect(usage).toEqual({
      code: 2,
      out: '',
      err: 'tool: a command is required\nRun tool --help for usage.\n',
    });
    expect(() =>
      capture(() => {
        throw new TypeError('a bug');
      }, []),
    ).toThrow('a bug');
  });
});

describe('readDocumentFile', () => {
  it('reads YAML or JSON, and tells a missing option from an unreadable or broken file', () => {
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'storage:\n  volumes: []\n');
    expect(readDocumentFile('--storage', good)).toEqual({ storage: { volumes: [] } });
    expect(() => readDocumentFile('--storage', undefined)).toThrow(UsageError);
    expect(() => readDocumentFile('--storage', join(dir, 'absent.yaml'))).toThrow(
      /cannot read it \(ENOENT\)/,
    );
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'a: [\n');
    expect(() => readDocumentFile('--storage', broken)).toThrow(RefusedError);
  });
});
