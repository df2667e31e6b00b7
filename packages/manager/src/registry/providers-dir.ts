import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where `iinfra provider install` puts provider packages and where `iinfra manager --provider <name>` also looks. */
export function defaultProvidersDir(): string {
  if (process.env.IINFRA_PROVIDERS_DIR) return process.env.IINFRA_PROVIDERS_DIR;
  const data = process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share');
  return join(data, 'immutable-infra', 'providers');
}
