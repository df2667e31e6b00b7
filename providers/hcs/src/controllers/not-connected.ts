import { notConnectedYet } from '@immutable-infra/provider-kit';
import type { HcsCloud } from '../cloud/hcs-client.js';

/** The cloud of a step plan's run until its Connect step has found the real one. */
export const notConnected = notConnectedYet<HcsCloud>('HCS');
