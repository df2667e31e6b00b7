/**
 * The host (the same `Manager` `iinfra manager` runs) in a process of its own, for `machine.kills`:
 * the suite SIGKILLs it at random points. Arguments: a kubeconfig file, the namespace to reconcile, and
 * the module that holds the provider (a file path or a package name; its default export is the
 * provider, or a function that returns it). Logs at info level: the suite counts its kill points from
 * the "controllers running" line.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isProvider, type Provider } from '@immutable-infra/core';
import { createLogger, Manager } from '@immutable-infra/manager';
import { KubeConfig } from '@kubernetes/client-node';

const [kubeconfigPath, namespace, providerModule] = process.argv.slice(2);
if (!kubeconfigPath || !namespace || !providerModule) {
  process.stderr.write('usage: host-process <kubeconfig> <namespace> <provider module>\n');
  process.exit(2);
}
// A path (absolute, or starting with a dot) is a file; anything else a package name.
const specifier =
  isAbsolute(providerModule) || providerModule.startsWith('.')
    ? pathToFileURL(resolve(providerModule)).href
    : providerModule;
const loaded = ((await import(specifier)) as { default?: unknown }).default;
const provider = typeof loaded === 'function' ? (loaded as () => unknown)() : loaded;
if (!isProvider(provider)) {
  process.stderr.write(`host-process: the default export of ${providerModule} is not a provider\n`);
  process.exit(2);
}
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(kubeconfigPath);
const manager = new Manager({
  kubeConfig,
  namespace,
  providers: [provider as Provider],
  log: createLogger({ level: 'info' }),
});
process.on('SIGTERM', () => void manager.stop().then(() => process.exit(0)));
await manager.start();
