export { IMAGE_CATALOG_NAME, type ImageResolution, resolveImage, withRegistry } from './image-catalog.js';
export {
  type AllocationState,
  allocationStateOf,
  ELEMENTAL_API_VERSION,
  INVENTORY_ANNOTATIONS,
  inventoryNotUsable,
  inventoryRef,
  type MachineInventory,
  type ObservedInterface,
  type ObservedNetwork,
  observedAddress,
  PLAN_TYPE_ANNOTATION,
  planSecretNameOf,
} from './machine-inventory.js';
export {
  cleanPlan,
  networkConfigFromObserved,
  type PlanType,
  type ReprovisionInput,
  reprovisionPlan,
  type SystemAgentPlan,
  serializePlan,
} from './plans.js';
export {
  hardwareOf,
  parseRedfishAddress,
  type RedfishAddress,
  RedfishClient,
  type RedfishCredentials,
  type RedfishSystem,
  type RedfishVirtualMedia,
  readRedfishError,
} from './redfish.js';
