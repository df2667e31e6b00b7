// The host in a child process the crash test can SIGKILL: the same Manager `iinfra manager` runs,
// with the built provider (dist) and its host names pointed at the simulator. `iinfra manager`
// itself refuses this provider while the workspace core is 0.2.0 and the provider asks for ^0.3.0.
import { createLogger, Manager } from '@immutable-infra/manager';
import { KubeConfig } from '@kubernetes/client-node';
import { createHcsProvider, fixedAddressLookup } from '../../dist/index.js';

const [kubeconfigPath, namespace, domain] = process.argv.slice(2);
if (!kubeconfigPath || !namespace || !domain)
  throw new Error('usage: manager-child <kubeconfig> <namespace> <domain>');
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(kubeconfigPath);
const manager = new Manager({
  kubeConfig,
  namespace,
  providers: [
    createHcsProvider({ http: { lookup: fixedAddressLookup(domain, '127.0.0.1'), timeoutMs: 2_000 } }),
  ],
  // Info level for the start-up line the crash test counts its kill points from.
  log: createLogger({ level: 'info' }),
});
process.on('SIGTERM', () => void manager.stop().then(() => process.exit(0)));
await manager.start();
