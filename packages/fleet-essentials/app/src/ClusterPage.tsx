import {
  Alert,
  AlertActionCloseButton,
  Breadcrumb,
  BreadcrumbItem,
  Button,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  EmptyState,
  EmptyStateBody,
  Flex,
  FlexItem,
  Form,
  FormGroup,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  PageSection,
  Spinner,
  Tab,
  Tabs,
  TabTitleText,
  TextInput,
  Title,
} from '@patternfly/react-core';
import CubesIcon from '@patternfly/react-icons/dist/esm/icons/cubes-icon';
import ExclamationCircleIcon from '@patternfly/react-icons/dist/esm/icons/exclamation-circle-icon';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type ClusterDetail } from './api.ts';
import { EventsTimeline } from './EventsTimeline.tsx';
import { Extension, ExtensionSlot, useExtensions } from './ExtensionSlot.tsx';
import { entriesFor } from './extensions.ts';
import { HealthChecks } from './HealthChecks.tsx';
import { NodePools } from './NodePools.tsx';
import { NodesTable } from './NodesTable.tsx';
import { clusterPath, queryKeys, useCluster } from './query.ts';
import { ReadyProgress, StatusLabel } from './status.tsx';
import { notify } from './toasts.ts';
import { Upgrade } from './Upgrade.tsx';

const TABS = ['Overview', 'Nodes', 'Node Pools', 'Upgrade', 'Health Checks', 'Events', 'Extensions'] as const;
type TabName = (typeof TABS)[number];
/** PatternFly builds the tab's element ids from its key, and an id has no spaces. */
const tabKey = (tab: string) => tab.toLowerCase().replace(' ', '-');

/** The tab a key moves to from `tab`: arrows (wrapping), Home and End; undefined for other keys. */
function tabAfterKey(tab: TabName, key: string): TabName | undefined {
  const at = TABS.indexOf(tab);
  const index =
    key === 'ArrowRight'
      ? (at + 1) % TABS.length
      : key === 'ArrowLeft'
        ? (at + TABS.length - 1) % TABS.length
        : key === 'Home'
          ? 0
          : key === 'End'
            ? TABS.length - 1
            : undefined;
  return index === undefined ? undefined : TABS[index];
}

export function ClusterPage({ namespace, name }: { namespace: string; name: string }) {
  const client = useQueryClient();
  const [tab, setTab] = useState<(typeof TABS)[number]>('Overview');
  const [actionError, setActionError] = useState<string | undefined>();
  const [confirming, setConfirming] = useState(false);
  const [action, setAction] = useState<string | undefined>();
  const extensions = useExtensions();
  const { data: detail, error, gone, notYet } = useCluster(namespace, name);
  const refresh = () => void client.invalidateQueries({ queryKey: queryKeys.cluster(namespace, name) });
  const destroy = useMutation({
    mutationFn: () => api('DELETE', clusterPath(namespace, name)),
    onSuccess: () => {
      notify('info', `Deleting ${name}: its machines and platform resources go first.`);
      refresh();
    },
    onError: (e) => setActionError(e.message),
  });

  const breadcrumb = (
    <Breadcrumb>
      <BreadcrumbItem to="#/clusters">Clusters</BreadcrumbItem>
      <BreadcrumbItem>{namespace}</BreadcrumbItem>
      <BreadcrumbItem isActive>{name}</BreadcrumbItem>
    </Breadcrumb>
  );

  if (gone)
    return (
      <PageSection>
        {breadcrumb}
        <EmptyState titleText="Deleted" headingLevel="h1" icon={CubesIcon}>
          <EmptyStateBody role="status">Cluster {name} has been deleted.</EmptyStateBody>
        </EmptyState>
      </PageSection>
    );
  if (!detail)
    return (
      <PageSection>
        {breadcrumb}
        {notYet ? (
          <EmptyState titleText={`Waiting for ${name}`} headingLevel="h1" icon={Spinner}>
            <EmptyStateBody role="status">Waiting for cluster {name} to appear…</EmptyStateBody>
          </EmptyState>
        ) : error ? (
          <EmptyState
            titleText={`Cannot show ${name}`}
            headingLevel="h1"
            icon={ExclamationCircleIcon}
            status="danger"
          >
            <EmptyStateBody className="error">{error.message}</EmptyStateBody>
          </EmptyState>
        ) : (
          <EmptyState titleText={`Loading ${name}`} headingLevel="h1" icon={Spinner} />
        )}
      </PageSection>
    );
  const actions = extensions ? entriesFor(extensions, 'cluster.action', detail.row.provider) : [];
  const openAction = actions.find((a) => a.entry.id === action);
  const deleting = detail.deletionTimestamp !== undefined;

  return (
    <>
      <PageSection>
        {breadcrumb}
        <Flex alignItems={{ default: 'alignItemsCenter' }} className="ii-page-title">
          <FlexItem>
            <Title headingLevel="h1">
              {name} <span className="muted">{namespace}</span>
            </Title>
          </FlexItem>
          <FlexItem>
            <StatusLabel status={deleting ? 'Deleting' : detail.row.phase} />
          </FlexItem>
          <FlexItem align={{ default: 'alignRight' }}>
            <Flex gap={{ default: 'gapSm' }}>
              {actions.map((a) => (
                <Button
                  key={a.entry.id}
                  variant="secondary"
                  data-cluster-action={a.entry.id}
                  onClick={() => setAction(a.entry.id)}
                >
                  {a.entry.title}
                </Button>
              ))}
              {detail.kubeconfigReadable && (
                // A plain link: the session cookie goes with it, and the server reads the Secret as the user.
                <Button
                  component="a"
                  variant="secondary"
                  href={`/api/clusters/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/kubeconfig`}
                  download={`${name}.kubeconfig`}
                >
                  Download kubeconfig
                </Button>
              )}
              <Button variant="danger" onClick={() => setConfirming(true)} isDisabled={deleting}>
                Destroy
              </Button>
            </Flex>
          </FlexItem>
        </Flex>
        <p className="muted">
          {detail.row.provider} · Kubernetes {detail.row.kubernetesVersion}
        </p>
        {openAction && (
          <div className="panel" role="dialog" aria-label={openAction.entry.title}>
            <Extension
              entry={openAction}
              mountKey={`${namespace}/${name}`}
              props={{
                namespace,
                clusterName: name,
                done: () => {
                  setAction(undefined);
                  refresh();
                },
              }}
            />
          </div>
        )}
        {actionError && (
          <Alert
            variant="danger"
            isInline
            title={actionError}
            role="alert"
            className="error"
            actionClose={<AlertActionCloseButton onClose={() => setActionError(undefined)} />}
          />
        )}
        {deleting && (
          <Alert variant="warning" isInline title="Deleting">
            <p role="status">
              Deleting since {detail.deletionTimestamp}; held by{' '}
              {detail.finalizers.length > 0
                ? detail.finalizers.join(', ')
                : 'nothing: it will be gone shortly'}
              .
            </p>
          </Alert>
        )}
        <DestroyModal
          isOpen={confirming}
          name={name}
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            setActionError(undefined);
            destroy.mutate();
          }}
        />
      </PageSection>
      <PageSection>
        <Tabs
          activeKey={tabKey(tab)}
          onSelect={(_event, key) => setTab(TABS.find((t) => tabKey(t) === key) ?? 'Overview')}
          onKeyDown={(event) => {
            const next = tabAfterKey(tab, event.key);
            if (!next || (event.target as HTMLElement).getAttribute('role') !== 'tab') return;
            event.preventDefault();
            setTab(next);
            // The WAI-ARIA tabs pattern: the arrow keys move the selection and the focus together.
            requestAnimationFrame(() => document.getElementById(`pf-tab-${tabKey(next)}-cluster`)?.focus());
          }}
          aria-label="Cluster sections"
          mountOnEnter
          unmountOnExit
        >
          {TABS.map((t) => (
            <Tab key={t} id="cluster" eventKey={tabKey(t)} title={<TabTitleText>{t}</TabTitleText>}>
              <div className="ii-tab-body">
                <TabBody
                  tab={t}
                  namespace={namespace}
                  name={name}
                  detail={detail}
                  refresh={refresh}
                  onError={setActionError}
                />
              </div>
            </Tab>
          ))}
        </Tabs>
      </PageSection>
    </>
  );
}

/** Changes whenever the cluster's page data does (the event stream refreshed it): tabs that read more read again. */
const pageVersion = (detail: ClusterDetail) =>
  `${detail.row.phase}/${detail.machines.map((m) => `${m.name}:${m.phase}`).join(',')}/${detail.conditions
    .map((c) => `${c.type}=${c.status}`)
    .join(',')}`;

function TabBody({
  tab,
  namespace,
  name,
  detail,
  refresh,
  onError,
}: {
  tab: (typeof TABS)[number];
  namespace: string;
  name: string;
  detail: ClusterDetail;
  refresh(): void;
  onError(message: string): void;
}) {
  switch (tab) {
    case 'Overview':
      return <Overview detail={detail} />;
    case 'Nodes':
      return <NodesTable namespace={namespace} name={name} detail={detail} />;
    case 'Node Pools':
      return (
        <NodePools
          namespace={namespace}
          clusterName={name}
          detail={detail}
          onChanged={refresh}
          onError={onError}
        />
      );
    case 'Upgrade':
      return <Upgrade namespace={namespace} name={name} detail={detail} onChanged={refresh} />;
    case 'Health Checks':
      return <HealthChecks namespace={namespace} name={name} detail={detail} version={pageVersion(detail)} />;
    case 'Events':
      return <EventsTimeline namespace={namespace} name={name} version={pageVersion(detail)} />;
    case 'Extensions':
      return (
        <ExtensionSlot
          anchor="cluster.detail.tab"
          provider={detail.row.provider}
          props={{ namespace, clusterName: name }}
          mountKey={`${namespace}/${name}`}
        />
      );
  }
}

function Overview({ detail }: { detail: ClusterDetail }) {
  const waiting = detail.row.waitingFor;
  return (
    <div>
      <DescriptionList isHorizontal isCompact className="ii-overview">
        <DescriptionListGroup>
          <DescriptionListTerm>Control plane</DescriptionListTerm>
          <DescriptionListDescription>
            <ReadyProgress
              ready={detail.row.controlPlane.ready}
              desired={detail.row.controlPlane.desired}
              label="Control plane machines ready"
            />
          </DescriptionListDescription>
        </DescriptionListGroup>
        <DescriptionListGroup>
          <DescriptionListTerm>Workers</DescriptionListTerm>
          <DescriptionListDescription>
            <ReadyProgress
              ready={detail.row.workers.ready}
              desired={detail.row.workers.desired}
              label="Worker machines ready"
            />
          </DescriptionListDescription>
        </DescriptionListGroup>
      </DescriptionList>
      <p className="muted">
        Control plane {detail.row.controlPlane.ready}/{detail.row.controlPlane.desired} ready · workers{' '}
        {detail.row.workers.ready}/{detail.row.workers.desired} ready
      </p>
      {waiting ? (
        <Alert variant="info" isInline title={`Waiting for ${waiting.condition}`}>
          <p role="status">
            Waiting for <strong>{waiting.condition}</strong>
            {waiting.reason ? ` (${waiting.reason})` : ''}
            {waiting.message ? `: ${waiting.message}` : ''}
          </p>
        </Alert>
      ) : (
        <p role="status">Nothing pending.</p>
      )}
      <Table aria-label="Conditions" variant="compact" role="table">
        <Thead>
          <Tr>
            <Th>Condition</Th>
            <Th>Status</Th>
            <Th>Reason</Th>
            <Th>Message</Th>
          </Tr>
        </Thead>
        <Tbody>
          {detail.conditions.map((c) => (
            <Tr key={c.type}>
              <Td dataLabel="Condition">{c.type}</Td>
              <Td dataLabel="Status">
                <StatusLabel status={c.status} />
              </Td>
              <Td dataLabel="Reason">{c.reason}</Td>
              <Td dataLabel="Message">{c.message}</Td>
            </Tr>
          ))}
        </Tbody>
      </Table>
    </div>
  );
}

function DestroyModal({
  isOpen,
  name,
  onCancel,
  onConfirm,
}: {
  isOpen: boolean;
  name: string;
  onCancel(): void;
  onConfirm(): void;
}) {
  const [typed, setTyped] = useState('');
  return (
    <Modal isOpen={isOpen} onClose={onCancel} variant="small" aria-labelledby="destroy-title">
      <ModalHeader title={`Destroy ${name}?`} titleIconVariant="danger" labelId="destroy-title" />
      <ModalBody>
        <p>
          Destroying <strong>{name}</strong> deletes every machine and its platform resources. Type the
          cluster name to confirm.
        </p>
        <Form
          onSubmit={(e) => {
            e.preventDefault();
            if (typed === name) onConfirm();
          }}
        >
          <FormGroup label="Cluster name" fieldId="destroy-confirm">
            <TextInput
              id="destroy-confirm"
              aria-label="Cluster name to confirm"
              value={typed}
              onChange={(_event, value) => setTyped(value)}
            />
          </FormGroup>
        </Form>
      </ModalBody>
      <ModalFooter>
        <Button variant="danger" isDisabled={typed !== name} onClick={onConfirm}>
          Destroy {name}
        </Button>
        <Button variant="link" onClick={onCancel}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}
