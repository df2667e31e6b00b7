import { Component, type ReactNode, useEffect, useRef, useState } from 'react';
import { api, type ExtensionInfo } from './api.ts';

interface Props {
  anchor: string;
  provider: string;
  namespace: string;
  clusterName: string;
  safeMode: boolean;
}

/**
 * Renders every loadable extension registered for an anchor, each in its own
 * error boundary; gated ones say why (both versions); safe mode loads none.
 */
export function ExtensionSlot(props: Props) {
  const [extensions, setExtensions] = useState<ExtensionInfo[] | undefined>();
  useEffect(() => {
    if (!props.safeMode) void api<ExtensionInfo[]>('GET', '/api/extensions').then(setExtensions);
  }, [props.safeMode]);
  if (props.safeMode) return <p className="muted">Safe mode: extensions are not loaded.</p>;
  if (!extensions) return <p>Loading extensions…</p>;
  const relevant = extensions.filter(
    (e) => !e.manifest || e.manifest.extensions.some((x) => x.anchor === props.anchor),
  );
  if (relevant.length === 0) return <p className="muted">No extensions for this page.</p>;
  return (
    <div>
      {relevant.map((extension) =>
        extension.load && extension.manifest && extension.bundleUrl ? (
          extension.manifest.extensions
            .filter((x) => x.anchor === props.anchor)
            .map((x) => (
              <section key={x.id} data-extension={x.id}>
                <h2>{x.title}</h2>
                <ExtensionBoundary name={x.title}>
                  <Mounted url={extension.bundleUrl as string} exportName={x.export} props={props} />
                </ExtensionBoundary>
              </section>
            ))
        ) : (
          <p key={extension.id} className="muted" data-extension-gated={extension.id}>
            Not loaded: {extension.reason}
          </p>
        ),
      )}
    </div>
  );
}

class ExtensionBoundary extends Component<{ name: string; children: ReactNode }, { error?: string }> {
  override state: { error?: string } = {};
  static getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  override render() {
    if (this.state.error) {
      return (
        <p role="alert" className="error">
          The extension {this.props.name} failed: {this.state.error}
        </p>
      );
    }
    return this.props.children;
  }
}

function Mounted({ url, exportName, props }: { url: string; exportName: string; props: Props }) {
  const element = useRef<HTMLDivElement>(null);
  const [failure, setFailure] = useState<Error | undefined>();
  if (failure) throw failure;
  useEffect(() => {
    let unmount: (() => void) | undefined;
    let cancelled = false;
    import(/* @vite-ignore */ url)
      .then((module: Record<string, { mount?: (el: HTMLElement, p: unknown) => () => void }>) => {
        const extension = module[exportName];
        if (cancelled || !element.current) return;
        if (typeof extension?.mount !== 'function') throw new Error(`${exportName} has no mount function`);
        unmount = extension.mount(element.current, {
          namespace: props.namespace,
          clusterName: props.clusterName,
        });
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
  }, [url, exportName, props.namespace, props.clusterName]);
  return <div ref={element} />;
}
