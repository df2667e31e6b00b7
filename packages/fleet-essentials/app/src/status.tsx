import {
  Label,
  type LabelProps,
  Progress,
  ProgressMeasureLocation,
  ProgressVariant,
} from '@patternfly/react-core';
import CheckCircleIcon from '@patternfly/react-icons/dist/esm/icons/check-circle-icon';
import ExclamationCircleIcon from '@patternfly/react-icons/dist/esm/icons/exclamation-circle-icon';
import ExclamationTriangleIcon from '@patternfly/react-icons/dist/esm/icons/exclamation-triangle-icon';
import InProgressIcon from '@patternfly/react-icons/dist/esm/icons/in-progress-icon';
import OutlinedQuestionCircleIcon from '@patternfly/react-icons/dist/esm/icons/outlined-question-circle-icon';
import PendingIcon from '@patternfly/react-icons/dist/esm/icons/pending-icon';
import type { ReactElement } from 'react';

type Look = { color: NonNullable<LabelProps['color']>; icon: ReactElement };

/** Each Cluster API phase (and a condition's status) with its colour and icon, as in the OpenShift console. */
const LOOKS: Record<string, Look> = {
  Provisioned: { color: 'green', icon: <CheckCircleIcon /> },
  Running: { color: 'green', icon: <CheckCircleIcon /> },
  True: { color: 'green', icon: <CheckCircleIcon /> },
  Provisioning: { color: 'blue', icon: <InProgressIcon /> },
  Pending: { color: 'grey', icon: <PendingIcon /> },
  Deleting: { color: 'orange', icon: <ExclamationTriangleIcon /> },
  False: { color: 'orange', icon: <ExclamationTriangleIcon /> },
  Failed: { color: 'red', icon: <ExclamationCircleIcon /> },
};
const UNKNOWN: Look = { color: 'grey', icon: <OutlinedQuestionCircleIcon /> };

/** A phase or status as a coloured label with an icon; the text stays the word itself. */
export function StatusLabel({ status }: { status: string | undefined }) {
  const look = LOOKS[status ?? ''] ?? UNKNOWN;
  return (
    <Label color={look.color} icon={look.icon} isCompact data-status={status ?? 'Unknown'}>
      {status ?? 'Unknown'}
    </Label>
  );
}

/**
 * Machines ready of desired, as a bar (a create, scale or rollout under way) with
 * the count as its measure; full and green once every machine is ready.
 */
export function ReadyProgress({
  ready,
  desired,
  label,
  showMeasure = true,
}: {
  ready: number;
  desired: number;
  /** The accessible name, e.g. "Workers of alpha ready". */
  label: string;
  /** Off where the count is already printed next to the bar. */
  showMeasure?: boolean;
}) {
  const value = desired === 0 ? 100 : Math.min(100, Math.round((ready / desired) * 100));
  return (
    <Progress
      value={value}
      label={`${ready}/${desired}`}
      valueText={`${ready} of ${desired} ready`}
      aria-label={label}
      size="sm"
      measureLocation={showMeasure ? ProgressMeasureLocation.outside : ProgressMeasureLocation.none}
      {...(ready >= desired ? { variant: ProgressVariant.success } : {})}
      hideStatusIcon
      className="ii-ready-progress"
    />
  );
}
