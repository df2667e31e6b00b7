import { Button, Nav, NavItem, NavList, PageSection, TextInput, Title } from '@patternfly/react-core';
import { useState } from 'react';
import { Extension, safeMode, useExtensions } from './ExtensionSlot.tsx';
import type { AnchorEntry } from './extensions.ts';
import { entriesFor } from './extensions.ts';
import { LoadingState, NothingHere, SafeModeState } from './states.tsx';
import { notify } from './toasts.ts';

export const INFRASTRUCTURE_KINDS = {
  credentials: {
    title: 'Credentials',
    list: 'credential.list',
    form: 'credential.form',
    nameProp: 'secretName',
  },
  'ip-pools': { title: 'IP pools', list: 'ip-pool.list', form: 'ip-pool.form', nameProp: 'name' },
  'machine-templates': {
    title: 'Machine templates',
    list: 'machine-template.list',
    form: 'machine-template.form',
    nameProp: 'name',
  },
} as const;
export type InfrastructureKind = keyof typeof INFRASTRUCTURE_KINDS;

export function NamespacePicker({ namespace, onChange }: { namespace: string; onChange(ns: string): void }) {
  const [value, setValue] = useState(namespace);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onChange(value.trim());
      }}
    >
      <span className="ii-inline-field">
        <label htmlFor="namespace-picker">Namespace</label>
        <TextInput
          id="namespace-picker"
          aria-label="Namespace"
          value={value}
          onChange={(_event, v) => setValue(v)}
        />
      </span>{' '}
      <Button type="submit" variant="secondary">
        Show
      </Button>
    </form>
  );
}

/**
 * Credentials, IP pools or machine templates: every provider's list anchor,
 * and its form anchor when the list asks to create or edit.
 */
export function Infrastructure({ kind, namespace }: { kind: InfrastructureKind; namespace: string }) {
  const extensions = useExtensions();
  const spec = INFRASTRUCTURE_KINDS[kind];
  return (
    <PageSection>
      <Title headingLevel="h1">Infrastructure: {spec.title}</Title>
      <Nav variant="horizontal-subnav" aria-label="Infrastructure kinds" className="subnav">
        <NavList>
          {(Object.keys(INFRASTRUCTURE_KINDS) as InfrastructureKind[]).map((k) => (
            <NavItem
              key={k}
              itemId={k}
              to={`#/infrastructure/${k}/${encodeURIComponent(namespace)}`}
              isActive={k === kind}
            >
              {INFRASTRUCTURE_KINDS[k].title}
            </NavItem>
          ))}
        </NavList>
      </Nav>
      <NamespacePicker
        namespace={namespace}
        onChange={(ns) => {
          window.location.hash = `#/infrastructure/${kind}/${encodeURIComponent(ns)}`;
        }}
      />
      {safeMode() ? (
        <SafeModeState>
          {`Safe mode: extensions are not loaded, so providers cannot show their ${spec.title}.`}
        </SafeModeState>
      ) : !extensions ? (
        <LoadingState what="extensions" />
      ) : entriesFor(extensions, spec.list).length === 0 ? (
        <NothingHere title={`No ${spec.title.toLowerCase()}`}>
          {`No installed provider offers ${spec.title.toLowerCase()}.`}
        </NothingHere>
      ) : (
        entriesFor(extensions, spec.list).map((list) => (
          <ProviderResources
            key={`${list.extension.id}/${list.entry.id}/${namespace}`}
            list={list}
            form={entriesFor(extensions, spec.form).find((f) => f.extension.id === list.extension.id)}
            nameProp={spec.nameProp}
            namespace={namespace}
          />
        ))
      )}
    </PageSection>
  );
}

function ProviderResources({
  list,
  form,
  nameProp,
  namespace,
}: {
  list: AnchorEntry;
  form: AnchorEntry | undefined;
  nameProp: string;
  namespace: string;
}) {
  const [editing, setEditing] = useState<{ name?: string } | undefined>();
  const [generation, setGeneration] = useState(0);
  const back = () => {
    setEditing(undefined);
    setGeneration((g) => g + 1);
  };
  return (
    <section
      className="ii-card"
      data-extension={list.entry.id}
      data-provider={list.extension.manifest?.provider}
    >
      <Title headingLevel="h2">{list.entry.title}</Title>
      {editing === undefined ? (
        <Extension
          entry={list}
          mountKey={`${namespace}/${generation}`}
          props={{
            namespace,
            create: () => setEditing({}),
            edit: (name: string) => setEditing({ name }),
          }}
        />
      ) : form ? (
        <div data-extension={form.entry.id}>
          <h3>
            {editing.name ? `Edit ${editing.name}` : 'New'} ({form.entry.title})
          </h3>
          <Extension
            entry={form}
            mountKey={`${namespace}/${editing.name ?? ''}`}
            props={{
              namespace,
              ...(editing.name ? { [nameProp]: editing.name } : {}),
              onSaved: (name: string) => {
                notify('success', `Saved ${name}`);
                back();
              },
              onCancel: back,
            }}
          />
        </div>
      ) : (
        <p role="alert" className="error">
          {list.extension.id} has no form for this.{' '}
          <Button variant="link" onClick={back}>
            Back
          </Button>
        </p>
      )}
    </section>
  );
}
