export { elementalCrdFiles } from './elemental-crds.js';
