/**
 * `@immutable-infra/create-provider`: scaffolds a standalone provider project on the published
 * packages (`npm create @immutable-infra/provider@latest <dir>`). The pure core is `scaffoldProject`;
 * `runCreateProvider` is the command, in-process.
 */
export {
  type CreateProviderIo,
  type CreateProviderResult,
  EXIT_REFUSED,
  EXIT_WRITTEN,
  helpText,
  runCreateProvider,
} from './command.js';
export { defaultDisplayName, pascalName, platformFromDirectory, platformProblem } from './names.js';
export { coreRangeFor, type ScaffoldFile, type ScaffoldOptions, scaffoldProject } from './scaffold.js';
