import { EmptyState, EmptyStateBody, Spinner } from '@patternfly/react-core';
import CubesIcon from '@patternfly/react-icons/dist/esm/icons/cubes-icon';
import LockIcon from '@patternfly/react-icons/dist/esm/icons/lock-icon';

/** Nothing to show here, and why (no provider offers it, nothing created yet). */
export function NothingHere({ title, children }: { title: string; children: string }) {
  return (
    <EmptyState titleText={title} headingLevel="h2" icon={CubesIcon} variant="sm">
      <EmptyStateBody className="muted">{children}</EmptyStateBody>
    </EmptyState>
  );
}

/** Safe mode (`?safe-mode=1`): no extension is loaded, so this part of the page is empty. */
export function SafeModeState({ children }: { children: string }) {
  return (
    <EmptyState titleText="Safe mode" headingLevel="h2" icon={LockIcon} variant="sm">
      <EmptyStateBody className="muted">{children}</EmptyStateBody>
    </EmptyState>
  );
}

export function LoadingState({ what }: { what: string }) {
  return <EmptyState titleText={`Loading ${what}`} headingLevel="h2" icon={Spinner} variant="xs" />;
}
