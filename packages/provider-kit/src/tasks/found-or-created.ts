import type { StepResult } from '@immutable-infra/core';
import { type CreatedThing, type CreateRecording, createOnce } from './create-once.js';

/** The thing a lookup found or a create answered, or what the step waits for while an earlier ask may still be on its way. */
export type FoundOrCreated<T> =
  | { ready: true; thing: T }
  | { ready: false; wait: StepResult; message: string };

/**
 * What the caller's lookup found, else the thing {@link createOnce} asks for: one answer for a
 * chain of parts made one after another (a load balancer, its listener, its pool), each found
 * again after any crash and never asked for twice within the platform's listing lag.
 */
export async function foundOrCreatedOnce<T>(
  context: CreateRecording,
  thing: CreatedThing,
  found: T | undefined,
  create: () => Promise<T>,
): Promise<FoundOrCreated<T>> {
  if (found !== undefined) return { ready: true, thing: found };
  const asked = await createOnce(context, thing, create);
  return asked.sent
    ? { ready: true, thing: asked.result }
    : { ready: false, wait: asked.wait, message: asked.message };
}
