// The fixture provider as `machine.kills` loads it in a host process of its own (by Node's type
// stripping, hence the .ts imports): on the test's cloud over HTTP, with the flaw the test names.
import { HttpCloud } from './http-cloud.ts';
import { cloudProvider, type Flaw } from './platform-fixture.ts';

export default function hostProvider() {
  const url = process.env.FIXTURE_CLOUD_URL;
  if (!url) throw new Error('FIXTURE_CLOUD_URL is not set');
  return cloudProvider(new HttpCloud(url), (process.env.FIXTURE_FLAW ?? 'none') as Flaw);
}
