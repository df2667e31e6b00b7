export * from './api/index.js';
export { elementalCrdFiles } from './elemental-crds.js';
export {
  BaremetalFleet,
  type BaremetalFleetOptions,
  type ExecutedPlan,
  type HostDefinition,
  type HostView,
  PLAN_SECRET_TYPE,
  type PlanDurations,
} from './fleet.js';
