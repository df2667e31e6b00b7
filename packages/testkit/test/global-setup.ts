import { createGlobalSetup } from '../src/vitest.js';

export default createGlobalSetup();
