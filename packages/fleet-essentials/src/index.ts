export { clusterDetail, createFleetServer, type FleetServerOptions } from './server/app.js';
export { CACHED_RESOURCES, ClusterCache, type ClusterChange } from './server/cluster-cache.js';
export {
  type ClusterPage,
  type ClusterQuery,
  type ClusterRow,
  clusterRow,
  parseClusterQuery,
  queryClusters,
} from './server/cluster-rows.js';
export { ExtensionRegistry, type RegisteredExtension } from './server/extension-registry.js';
