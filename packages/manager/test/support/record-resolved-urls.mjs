// Loaded with `node --import`: appends the URL of every module the process resolves (one a line)
// to $IINFRA_RESOLVED_URLS_FILE, so a test can see what a command loads.
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const file = process.env.IINFRA_RESOLVED_URLS_FILE;
if (!file) throw new Error('record-resolved-urls: set IINFRA_RESOLVED_URLS_FILE');
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    appendFileSync(file, `${resolved.url}\n`);
    return resolved;
  },
});
