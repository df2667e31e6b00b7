// The `@immutable-infra/provider-kit/generate` entry: what a provider's `npm run generate` script
// uses. A separate entry keeps the YAML writer out of what a running controller loads.
export { generateProviderArtifacts, writeProviderArtifacts } from './provider-artifacts.js';
