import { parseArgs } from 'node:util';
import { RefusedError, readDocumentFile, runCommandLine, UsageError } from '@immutable-infra/provider-kit';
import { type StorageSpec, storageSpecHash } from './cloud/storage.js';
import {
  type InventoryForPatch,
  renderStoragePatch,
  validateStorageDeclaration,
} from './cloud/storage-declaration.js';

/**
 * storagectl: the offline helper the storage how-to runs before patching a MachineInventory. It is
 * built from the same revision as the provider so its normalisation, checks and hash are the
 * controller's. Exit codes: 0 done, 1 refused input (every problem printed), 2 wrong usage.
 */

const USAGE = `Usage: storagectl <command> [options]

Checks a MachineInventory storage declaration and renders the patch that applies it.

Commands:
  hash          Check a declaration and print its normalised hash
  render-patch  Print the merge patch that sets spec.storage on a saved live inventory

Options:
  --storage <file>    YAML or JSON file with a top-level "storage:" key (hash, render-patch)
  --inventory <file>  The live MachineInventory saved with kubectl get -o json (render-patch)
  --counter <n>       Approve formatting the InitializeIfBlank volumes; greater than
                      status.storage.lastConsumedInitializationApprovalCounter (render-patch)
  --json              Machine-readable output and errors
  -h, --help          Show this help
`;

function readStorage(file: string | undefined): StorageSpec {
  const document = readDocumentFile('--storage', file);
  const storage = (document as { storage?: unknown } | null)?.storage;
  if (storage === undefined || storage === null)
    throw new RefusedError(
      `--storage ${file}: needs a top-level "storage:" key holding volumes[] (and retryNonce)`,
    );
  const problems = validateStorageDeclaration(storage);
  if (problems.length > 0) throw new RefusedError(`--storage ${file}: the declaration is refused`, problems);
  return storage as StorageSpec;
}

function parseCounter(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text)))
    throw new UsageError(`--counter must be a positive integer, not "${text}"`);
  return Number(text);
}

function run(argv: string[], json: boolean): string {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      storage: { type: 'string' },
      inventory: { type: 'string' },
      counter: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === 'help') return USAGE;
  if (!command) throw new UsageError('a command is required: hash or render-patch');
  if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
  if (command === 'hash') {
    if (values.inventory || values.counter) throw new UsageError('hash takes only --storage (and --json)');
    const storage = readStorage(values.storage);
    const hash = storageSpecHash(storage.volumes);
    const volumes = storage.volumes ?? [];
    if (!json) return `${hash}\n`;
    return `${JSON.stringify({
      storageHash: hash,
      volumes: volumes.length,
      initializeIfBlank: volumes
        .filter((volume) => volume.filesystem.policy === 'InitializeIfBlank')
        .map((v) => v.name),
    })}\n`;
  }
  if (command === 'render-patch') {
    const counter = parseCounter(values.counter);
    const storage = readStorage(values.storage);
    const inventory = readDocumentFile('--inventory', values.inventory) as
      | (InventoryForPatch & { kind?: string })
      | null;
    if (inventory?.kind !== 'MachineInventory')
      throw new RefusedError(
        `--inventory ${values.inventory}: not a MachineInventory (save it with kubectl get -o json)`,
      );
    const result = renderStoragePatch({ inventory, storage, counter });
    if (result.problems) throw new RefusedError('cannot render the patch', result.problems);
    return `${JSON.stringify(result.patch, null, 2)}\n`;
  }
  throw new UsageError(`unknown command ${command}: use hash or render-patch`);
}

/** Runs storagectl on `argv` (without node and the script) and returns the exit code. */
export function main(argv: string[], out = process.stdout, err = process.stderr): number {
  return runCommandLine('storagectl', argv, run, out, err);
}

process.exitCode = main(process.argv.slice(2));
