import type { HcsCloud } from '../cloud/hcs-client.js';

/**
 * The cloud of a step plan's run until its Connect step has found the real one. Connect is the
 * first step and the host stops at a step that is not done, so a call here is a bug: it says so.
 */
export const notConnected = new Proxy({} as HcsCloud, {
  get(_target, name) {
    throw new Error(`HCS ${String(name)} called before the Connect step found the cloud`);
  },
});
