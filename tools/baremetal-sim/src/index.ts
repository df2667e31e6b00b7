export * from './api/index.js';
export { elementalCrdFiles } from './elemental-crds.js';
export {
  BaremetalFleet,
  type BaremetalFleetOptions,
  type ExecutedPlan,
  type HostDefinition,
  type HostView,
  type ObservedDevice,
  PLAN_SECRET_TYPE,
  type PlanDurations,
  STORAGE_OPERATION_FILE,
} from './fleet.js';
