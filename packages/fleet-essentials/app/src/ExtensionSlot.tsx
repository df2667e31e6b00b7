import type { HostApi } from '@immutable-infra/core';
import { Alert, Spinner } from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import { Component, type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import type { ExtensionInfo } from './api.ts';
import { type AnchorEntry, entriesFor, exportOf, extensionRegistry } from './extensions.ts';
import { createHostApi } from './host-api.ts';
import { queryKeys } from './query.ts';
import { NothingHere, SafeModeState } from './states.tsx';

export const safeMode = () => new URLSearchParams(window.location.search).has('safe-mode');

/** The registry, or undefined while it loads; empty in safe mode (and when it cannot be read). */
export function useExtensions(): ExtensionInfo[] | undefined {
  const { data } = useQuery({
    queryKey: queryKeys.extensions,
    queryFn: () => extensionRegistry().catch(() => []),
    enabled: !safeMode(),
    staleTime: Number.POSITIVE_INFINITY,
  });
  return safeMode() ? [] : data;
}

const apis = new Map<string, HostApi>();
/** One HostApi per extension, so its platform calls reach its own provider's proxy only. */
export function hostApiFor(extensionId: string): HostApi {
  let hostApi = apis.get(extensionId);
  if (!hostApi) {
    hostApi = createHostApi(extensionId);
    apis.set(extensionId, hostApi);
  }
  return hostApi;
}

interface MountProps {
  entry: AnchorEntry;
  /** The anchor's props without `api`; the host adds the extension's own HostApi. */
  props: Record<string, unknown>;
  /** Re-mount when this changes (props are otherwise read once, at mount). */
  mountKey: string;
}

/** One extension's mount, inside its own error boundary, so its failure stays in its box. */
export function Extension(props: MountProps) {
  return (
    <ExtensionBoundary name={props.entry.entry.title}>
      <Mounted {...props} />
    </ExtensionBoundary>
  );
}

/**
 * Every loadable extension registered for an anchor, each in its own error
 * boundary; gated ones say why (both versions), and manifest entries the
 * host skipped are listed; safe mode loads none.
 */
export function ExtensionSlot({
  anchor,
  provider,
  props,
  mountKey,
  showGated = true,
}: {
  anchor: string;
  provider?: string;
  props: Record<string, unknown>;
  mountKey: string;
  showGated?: boolean;
}) {
  const extensions = useExtensions();
  if (safeMode()) return <SafeModeState>Safe mode: extensions are not loaded.</SafeModeState>;
  if (!extensions) return <Spinner size="md" aria-label="Loading extensions" />;
  const entries = entriesFor(extensions, anchor, provider);
  const gated = showGated
    ? extensions.filter(
        (e) =>
          !e.load &&
          (!e.manifest ||
            ((provider === undefined || e.manifest.provider === provider) &&
              e.manifest.extensions.some((x) => x.anchor === anchor))),
      )
    : [];
  // Skipped entries name anchors this host does not know, so they belong to no slot: each slot
  // showing gate reasons names them for its provider's extensions, loaded or not.
  const noted = showGated
    ? extensions.filter(
        (e) => (e.notes?.length ?? 0) > 0 && (provider === undefined || e.manifest?.provider === provider),
      )
    : [];
  if (entries.length === 0 && gated.length === 0 && noted.length === 0)
    return <NothingHere title="No extensions">No extensions for this page.</NothingHere>;
  return (
    <div>
      {noted.map((extension) => (
        <Alert
          key={extension.id}
          variant="info"
          isInline
          isPlain
          title={`${extension.id}: some entries are not shown by this Fleet Essentials`}
          data-extension-notes={extension.id}
        >
          <ul>
            {extension.notes?.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        </Alert>
      ))}
      {entries.map((entry) => (
        <section
          key={`${entry.extension.id}/${entry.entry.id}`}
          className="ii-card"
          data-extension={entry.entry.id}
        >
          <h2>{entry.entry.title}</h2>
          <Extension entry={entry} props={props} mountKey={mountKey} />
        </section>
      ))}
      {gated.map((extension) => (
        <p key={extension.id} className="muted" data-extension-gated={extension.id}>
          Not loaded: {extension.reason}
        </p>
      ))}
    </div>
  );
}

export class ExtensionBoundary extends Component<{ name: string; children: ReactNode }, { error?: string }> {
  override state: { error?: string } = {};
  static getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  override render() {
    if (this.state.error) {
      return (
        <Alert
          variant="danger"
          isInline
          isPlain
          role="alert"
          className="error"
          title={`The extension ${this.props.name} failed: ${this.state.error}`}
        />
      );
    }
    return this.props.children;
  }
}

function Mounted({ entry, props, mountKey }: MountProps) {
  const element = useRef<HTMLDivElement>(null);
  const latest = useRef(props);
  latest.current = props;
  const entryRef = useRef(entry);
  entryRef.current = entry;
  const entryKey = `${entry.extension.id}/${entry.entry.id}`;
  const [failure, setFailure] = useState<Error | undefined>();
  const hostApi = useMemo(() => hostApiFor(entry.extension.id), [entry.extension.id]);
  if (failure) throw failure;
  // biome-ignore lint/correctness/useExhaustiveDependencies: entryKey and mountKey stand for the entry and props on purpose.
  useEffect(() => {
    let unmount: (() => void) | undefined;
    let cancelled = false;
    const current = entryRef.current;
    exportOf<{ mount?: (el: HTMLElement, p: unknown) => () => void }>(current)
      .then((extension) => {
        if (cancelled || !element.current) return;
        if (typeof extension?.mount !== 'function')
          throw new Error(`${current.entry.export} has no mount function`);
        unmount = extension.mount(element.current, { ...latest.current, api: hostApi });
      })
      .catch((error: unknown) => setFailure(error instanceof Error ? error : new Error(String(error))));
    return () => {
      cancelled = true;
      try {
        unmount?.();
      } catch {
        // An extension failing to clean up must not take the page down.
      }
    };
  }, [entryKey, hostApi, mountKey]);
  return <div ref={element} />;
}
