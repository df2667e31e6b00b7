export {
  type EmbeddedEnvironment,
  type EnvironmentOptions,
  environmentDown,
  environmentStateDir,
  environmentStatus,
  environmentUp,
} from './env/embedded-environment.js';
export { type Output, processOutput } from './output.js';
export { createProgram } from './program.js';
