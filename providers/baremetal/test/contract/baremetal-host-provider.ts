// The provider a host process runs (the conformance suite's machine.kills): the published package,
// looking at running plans every BAREMETAL_POLL_MS (the simulated hosts run plans in a fraction of a
// second) and reading the image catalog in POD_NAMESPACE, as the in-process tests do. Node loads it
// with type stripping in the child process, so it imports the package only.
import { createBaremetalProvider } from '@immutable-infra/provider-baremetal';

const pollMs = Number(process.env.BAREMETAL_POLL_MS ?? '5000');
if (!process.env.POD_NAMESPACE)
  throw new Error('baremetal-host-provider: set POD_NAMESPACE to the namespace of the image catalog');

export default createBaremetalProvider({ pollMs, poolRecheckMs: pollMs * 2 });
