import { done, type EventRecorder, finishEarly, type Step } from '@immutable-infra/core';

/** What a retain step reads of a delete: the machine, its Machine (if still there) and the Events. */
export interface RetainRun {
  ctx: {
    object: { metadata: { annotations?: Record<string, string> | undefined } };
    /** Gone already when the whole namespace is being deleted. */
    machine?: { metadata: { annotations?: Record<string, string> | undefined } } | undefined;
    events: Pick<EventRecorder, 'normal'>;
  };
}

/**
 * The first step of a machine's delete when an annotation may keep what the platform has for it (the
 * VM and the pool entry it holds): `annotation: "true"` on the infrastructure machine or on its
 * Machine ends the delete at once, before any platform call, with a Normal Event saying so.
 */
export function retainStep<Run extends RetainRun>(options: {
  annotation: string;
  /** The Event's reason and message, e.g. `VMRetained`. */
  reason: string;
  message: string;
  /** `Retain` by default. */
  name?: string | undefined;
}): Step<Run> {
  return {
    name: options.name ?? 'Retain',
    async run({ ctx }) {
      const retains = [ctx.object, ctx.machine].some(
        (object) => object?.metadata.annotations?.[options.annotation] === 'true',
      );
      if (!retains) return done();
      ctx.events.normal(options.reason, options.message);
      return finishEarly();
    },
  };
}
