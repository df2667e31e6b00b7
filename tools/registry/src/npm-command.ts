import { type ExecFileSyncOptions, execFileSync } from 'node:child_process';

/**
 * The environment for npm subprocesses: without what an outer `npm run` (the
 * test command runs under one) exports about its own workspace and package,
 * which would make the inner npm act on that workspace or refuse to run.
 */
export function npmEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_(config_workspaces?|config_include_workspace_root|package_|lifecycle_)/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** Runs npm and returns its stdout; on failure the error carries npm's stderr. */
export function runNpm(args: readonly string[], options: Omit<ExecFileSyncOptions, 'encoding'> = {}): string {
  try {
    return execFileSync('npm', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
      ...options,
      env: options.env ?? npmEnvironment(),
      encoding: 'utf8',
    });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '')
      .split('\n')
      .filter((line) => !line.includes('Unknown user config') && !line.includes('Unknown env config'))
      .join('\n')
      .trim();
    throw new Error(`npm ${args.join(' ')} failed${stderr ? `:\n${stderr}` : ''}`);
  }
}
