import type {
  ClusterDraft,
  CreateClusterWorkflow,
  FieldProblem,
  KubernetesManifest,
  WorkflowContext,
} from '@immutable-infra/core';
import { Button, PageSection, ProgressStep, ProgressStepper, Title } from '@patternfly/react-core';
import { useEffect, useMemo, useRef, useState } from 'react';
import { type ApplyReport, applyManifests } from './api.ts';
import { ExtensionBoundary, hostApiFor, safeMode, useExtensions } from './ExtensionSlot.tsx';
import { type AnchorEntry, entriesFor, exportOf } from './extensions.ts';
import { NamespacePicker } from './Infrastructure.tsx';
import { LoadingState, NothingHere, SafeModeState } from './states.tsx';

/** Choose a provider's create-cluster workflow, then walk it. */
export function CreateCluster({ namespace, entryId }: { namespace: string; entryId?: string }) {
  const extensions = useExtensions();
  const entries = extensions ? entriesFor(extensions, 'cluster.create') : [];
  const chosen =
    entries.find((e) => e.entry.id === entryId) ?? (entries.length === 1 ? entries[0] : undefined);
  return (
    <PageSection>
      <Title headingLevel="h1">Create a cluster</Title>
      <NamespacePicker
        namespace={namespace}
        onChange={(ns) => {
          window.location.hash = `#/create/${encodeURIComponent(ns)}${entryId ? `/${entryId}` : ''}`;
        }}
      />
      {safeMode() ? (
        <SafeModeState>
          Safe mode: extensions are not loaded, so no provider can create clusters.
        </SafeModeState>
      ) : !extensions ? (
        <LoadingState what="extensions" />
      ) : entries.length === 0 ? (
        <NothingHere title="No create-cluster workflow">
          No installed provider offers a create-cluster workflow.
        </NothingHere>
      ) : (
        <>
          {entries.length > 1 && (
            <p>
              Provider:{' '}
              {entries.map((e) => (
                <a key={e.entry.id} href={`#/create/${encodeURIComponent(namespace)}/${e.entry.id}`}>
                  {e.entry.title}
                </a>
              ))}
            </p>
          )}
          {chosen && (
            <ExtensionBoundary name={chosen.entry.title}>
              <Wizard key={`${chosen.entry.id}/${namespace}`} entry={chosen} namespace={namespace} />
            </ExtensionBoundary>
          )}
        </>
      )}
    </PageSection>
  );
}

type Listener = (problems: readonly FieldProblem[]) => void;

/**
 * The host of a `cluster.create` workflow: the provider's steps one by one,
 * `validate` on leaving each (problems of that step keep the user there and go
 * to the step's listeners), then the host's review of `manifests` exactly as
 * they will be created plus `warnings`, then creation and the new cluster's page.
 */
function Wizard({ entry, namespace }: { entry: AnchorEntry; namespace: string }) {
  const [workflow, setWorkflow] = useState<CreateClusterWorkflow | undefined>();
  const [failure, setFailure] = useState<Error | undefined>();
  const context: WorkflowContext = useMemo(
    () => ({ namespace, api: hostApiFor(entry.extension.id) }),
    [namespace, entry.extension.id],
  );
  const draft = useRef<ClusterDraft>({});
  const listeners = useRef(new Map<string, Set<Listener>>());
  const problems = useRef(new Map<string, readonly FieldProblem[]>());
  // Steps the user tried to leave or was sent back to: only these show problems when they mount, so a
  // step is not covered in errors before the user has touched it.
  const attempted = useRef(new Set<string>());
  const [step, setStep] = useState(0);
  const [busy, setBusy] = useState(false);
  const [stepNotice, setStepNotice] = useState<string | undefined>();
  const [review, setReview] = useState<
    | { manifests: readonly KubernetesManifest[]; warnings: readonly string[]; problems: FieldProblem[] }
    | undefined
  >();
  const [report, setReport] = useState<ApplyReport | undefined>();
  const [createError, setCreateError] = useState<string | undefined>();

  if (failure) throw failure;

  useEffect(() => {
    exportOf<CreateClusterWorkflow>(entry)
      .then((w) => {
        if (!Array.isArray(w?.steps) || typeof w.validate !== 'function' || typeof w.manifests !== 'function')
          throw new Error(`${entry.entry.export} is not a create-cluster workflow`);
        draft.current = { ...w.initialDraft(context) };
        setWorkflow(w);
      })
      .catch((e: unknown) => setFailure(e instanceof Error ? e : new Error(String(e))));
  }, [entry, context]);

  if (!workflow) return <p>Loading the workflow…</p>;
  const steps = workflow.steps;
  const atReview = step >= steps.length;

  const deliver = (stepId: string, list: readonly FieldProblem[]) => {
    problems.current.set(stepId, list);
    for (const listener of listeners.current.get(stepId) ?? []) {
      try {
        listener(list);
      } catch {
        // A step's listener failing must not stop the wizard.
      }
    }
  };

  /** Validates; routes each step's problems to it; returns the index of the first step with problems. */
  const check = async (): Promise<{ firstStep: number; all: FieldProblem[] }> => {
    const all = [...(await workflow.validate({ ...draft.current }, context))];
    let firstStep = -1;
    steps.forEach((s, i) => {
      const mine = all.filter((p) => p.step === s.id);
      deliver(s.id, mine);
      if (mine.length > 0 && firstStep < 0) firstStep = i;
    });
    return { firstStep, all };
  };

  const failed = (e: unknown) =>
    setStepNotice(`The ${entry.entry.title} workflow failed: ${e instanceof Error ? e.message : String(e)}`);

  const next = async () => {
    setBusy(true);
    setStepNotice(undefined);
    try {
      const current = steps[step];
      if (current) attempted.current.add(current.id);
      const { firstStep, all } = await check();
      const here = all.filter((p) => p.step === current?.id);
      if (here.length > 0) {
        setStepNotice(
          `${here.length} problem${here.length > 1 ? 's' : ''} on this step; see the marked fields.`,
        );
        return;
      }
      if (step + 1 < steps.length) {
        setStep(step + 1);
        return;
      }
      // Leaving the last step: anything still wrong anywhere sends the user back to it.
      if (firstStep >= 0) {
        attempted.current.add((steps[firstStep] as (typeof steps)[number]).id);
        setStep(firstStep);
        setStepNotice('Fix the marked fields before the review.');
        return;
      }
      const manifests = await workflow.manifests({ ...draft.current }, context);
      const warnings = workflow.warnings ? await workflow.warnings({ ...draft.current }, context) : [];
      setReview({ manifests, warnings, problems: all.filter((p) => !p.step) });
      setReport(undefined);
      setStep(steps.length);
    } catch (e) {
      failed(e);
    } finally {
      setBusy(false);
    }
  };

  const create = async () => {
    if (!review) return;
    setBusy(true);
    setCreateError(undefined);
    try {
      const { firstStep, all } = await check();
      if (firstStep >= 0) {
        attempted.current.add((steps[firstStep] as (typeof steps)[number]).id);
        setStep(firstStep);
        setStepNotice('The draft changed and has problems again; see the marked fields.');
        return;
      }
      if (all.length > 0) {
        setReview({ ...review, problems: all });
        return;
      }
      // Exactly the reviewed objects, in the reviewed order.
      const result = await applyManifests(namespace, review.manifests);
      setReport(result);
      const cluster = review.manifests.find(
        (m) => m.kind === 'Cluster' && m.apiVersion.startsWith('cluster.x-k8s.io/'),
      );
      if (result.ok && cluster) {
        window.location.hash = `#/clusters/${encodeURIComponent(cluster.metadata.namespace ?? namespace)}/${encodeURIComponent(cluster.metadata.name)}`;
      }
    } catch (e) {
      setCreateError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="wizard">
      <ProgressStepper aria-label="Steps" className="steps">
        {[...steps.map((s) => ({ id: s.id, title: s.title })), { id: 'review', title: 'Review' }].map(
          ({ id, title }, i) => {
            // A step left with problems (the user tried to go on, or was sent back) says so until fixed.
            const hasProblems = attempted.current.has(id) && (problems.current.get(id)?.length ?? 0) > 0;
            const [variant, state] =
              i === step
                ? (['info', 'current step'] as const)
                : hasProblems
                  ? (['danger', 'has problems'] as const)
                  : i < step
                    ? (['success', 'done'] as const)
                    : (['pending', 'not yet'] as const);
            return (
              <ProgressStep
                key={id}
                id={`wizard-step-${id}`}
                titleId={`wizard-step-${id}-title`}
                variant={variant}
                isCurrent={i === step}
                aria-label={`${i + 1}. ${title}: ${state}`}
              >
                {`${i + 1}. ${title}`}
              </ProgressStep>
            );
          },
        )}
      </ProgressStepper>
      {!atReview ? (
        <div data-step={steps[step]?.id}>
          <h2>{steps[step]?.title}</h2>
          <StepMount
            key={steps[step]?.id}
            mount={(element) =>
              (steps[step] as (typeof steps)[number]).mount(element, {
                namespace,
                api: context.api,
                draft: { ...draft.current },
                update: (patch) => {
                  draft.current = { ...draft.current, ...patch };
                },
                onProblems: (listener) => {
                  const id = (steps[step] as (typeof steps)[number]).id;
                  let set = listeners.current.get(id);
                  if (!set) {
                    set = new Set();
                    listeners.current.set(id, set);
                  }
                  set.add(listener);
                  const known = problems.current.get(id);
                  if (known && known.length > 0 && attempted.current.has(id)) listener(known);
                  return () => set.delete(listener);
                },
              })
            }
          />
          {stepNotice && (
            <p role="alert" className="error" data-step-notice>
              {stepNotice}
            </p>
          )}
          <p>
            <Button variant="secondary" isDisabled={step === 0 || busy} onClick={() => setStep(step - 1)}>
              Back
            </Button>{' '}
            <Button variant="primary" isDisabled={busy} onClick={() => void next()}>
              {step + 1 < steps.length ? 'Next' : 'Review'}
            </Button>
          </p>
        </div>
      ) : (
        review && (
          <div data-step="review">
            <h2>Review</h2>
            {review.warnings.length > 0 && (
              <ul aria-label="Warnings" className="warnings">
                {review.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            )}
            {review.problems.length > 0 && (
              <ul aria-label="Problems" className="error">
                {review.problems.map((p) => (
                  <li key={`${p.field}:${p.message}`}>
                    {p.field}: {p.message}
                  </li>
                ))}
              </ul>
            )}
            <p>
              These objects will be created in this order, with your own Kubernetes identity (objects that
              name no namespace go to {namespace}):
            </p>
            {review.manifests.map((m, i) => {
              const outcome = report?.objects[i];
              return (
                <details key={`${m.kind}/${m.metadata.name}`} open data-manifest={i}>
                  <summary>
                    {i + 1}. {m.kind} {m.metadata.name}
                    {outcome && (
                      <span
                        data-outcome={outcome.status}
                        className={
                          outcome.status === 'invalid' || outcome.status === 'failed' ? 'error' : 'muted'
                        }
                      >
                        {' '}
                        {outcome.status}
                        {outcome.message ? `: ${outcome.message}` : ''}
                      </span>
                    )}
                  </summary>
                  {outcome?.causes && (
                    <ul className="error">
                      {outcome.causes.map((c) => (
                        <li key={`${c.field}:${c.message}`}>
                          {c.field ? `${c.field}: ` : ''}
                          {c.message}
                        </li>
                      ))}
                    </ul>
                  )}
                  {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a long manifest scrolls, and a keyboard can scroll it only once it has focus (axe: scrollable-region-focusable). */}
                  <pre tabIndex={0}>{JSON.stringify(m, null, 2)}</pre>
                </details>
              );
            })}
            {createError && (
              <p role="alert" className="error">
                Creating failed: {createError}
              </p>
            )}
            {report && !report.ok && (
              <p role="alert" className="error">
                {report.phase === 'dry-run'
                  ? 'The API server refused the objects above; nothing was created.'
                  : 'Creation stopped at the first refusal; the objects marked created exist.'}
              </p>
            )}
            <p>
              <Button variant="secondary" isDisabled={busy} onClick={() => setStep(steps.length - 1)}>
                Back
              </Button>{' '}
              <Button
                variant="primary"
                isDisabled={busy || review.problems.length > 0}
                isLoading={busy}
                onClick={() => void create()}
              >
                Create
              </Button>
            </p>
          </div>
        )
      )}
    </div>
  );
}

function StepMount({ mount }: { mount(element: HTMLElement): () => void }) {
  const element = useRef<HTMLDivElement>(null);
  const mountRef = useRef(mount);
  mountRef.current = mount;
  const [failure, setFailure] = useState<Error | undefined>();
  if (failure) throw failure;
  useEffect(() => {
    if (!element.current) return;
    let unmount: (() => void) | undefined;
    try {
      unmount = mountRef.current(element.current);
    } catch (e) {
      setFailure(e instanceof Error ? e : new Error(String(e)));
    }
    return () => {
      try {
        unmount?.();
      } catch {
        // Ignore a failing clean-up.
      }
    };
  }, []);
  return <div ref={element} />;
}
