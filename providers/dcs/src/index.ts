export * from './api/index.js';
export * from './cloud/index.js';
