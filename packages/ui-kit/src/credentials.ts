/// <reference lib="dom" />
/**
 * The credential screens every provider has in the same shape: a list of the
 * namespace's credential Secrets with the clusters using them, and a form that
 * writes such a Secret and then asks the platform-proxy's `testConnection`
 * for a verdict. What differs per provider (the Secret's keys, their rules,
 * which clusters name which Secret) comes in through the spec.
 */
import type {
  ConnectionTestResult,
  CredentialFormProps,
  FieldProblem,
  HostApi,
  ResourceListProps,
} from '@immutable-infra/core';
import { button, describeError, extensionRoot, h, showOutcome } from './elements.js';
import {
  type Choice,
  checkboxField,
  type FieldOptions,
  formSummary,
  selectField,
  showErrorAt,
  showProblems,
  textAreaField,
  textField,
} from './fields.js';
import { platformClient } from './platform-client.js';
import { CREATOR_ANNOTATION, DISPLAY_NAME_ANNOTATION, infrastructurePath } from './platform-objects.js';
import { mountResourceList } from './resource-list.js';
import { KIT_CLASSES } from './styles.js';

/** A Secret as the list reads it: names and annotations, and the data's keys (values are never shown). */
export interface CredentialSecret {
  metadata: {
    name: string;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    resourceVersion?: string;
  };
  data?: Record<string, string>;
}

/** The core API path of a namespace's Secrets, or of one of them. */
export function secretsPath(namespace: string, name?: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets${name ? `/${encodeURIComponent(name)}` : ''}`;
}

/** Whether a failed create was refused because the name is taken (HTTP 409). */
export function isAlreadyExists(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as { code?: unknown; status?: unknown; statusCode?: unknown; reason?: unknown };
  return e.code === 409 || e.status === 409 || e.statusCode === 409 || e.reason === 'AlreadyExists';
}

/**
 * The problem a failed write shows: a create refused because the name is
 * taken shows `taken` next to the name field (on an update a 409 is a
 * conflicting change, not a name), anything else goes to the form's summary.
 */
export function writeFailureProblem(error: unknown, creating: boolean, taken: string): FieldProblem {
  return creating && isAlreadyExists(error)
    ? { field: 'name', message: taken }
    : { field: '(form)', message: describeError(error) };
}

/** The namespace's Secrets that hold every one of `keys` (a provider's credential Secrets). */
export async function listCredentialSecrets<Secret extends CredentialSecret = CredentialSecret>(
  api: Pick<HostApi, 'kubernetes'>,
  namespace: string,
  keys: readonly string[],
): Promise<Secret[]> {
  const list = await api.kubernetes<{ items?: Secret[] }>({
    method: 'GET',
    path: secretsPath(namespace),
  });
  return (list.items ?? []).filter((secret) => keys.every((key) => key in (secret.data ?? {})));
}

/**
 * Runs the platform-proxy's `testConnection` with one credential and renders
 * the verdict into `slot` (`data-result` is `ok` or the failure's reason). A
 * call the host refuses becomes a failed verdict too, so the caller always
 * gets one.
 */
export async function runConnectionTest(
  api: Pick<HostApi, 'platform'>,
  credential: { namespace: string; name: string },
  slot: HTMLElement,
): Promise<ConnectionTestResult> {
  showOutcome(slot, undefined, 'Testing connection…');
  try {
    const result = (await platformClient<{
      testConnection: () => Promise<ConnectionTestResult>;
    }>(api, credential).testConnection()) as ConnectionTestResult;
    showOutcome(
      slot,
      result.ok,
      result.ok ? `Connection OK: ${result.message}` : `${result.reason ?? 'Failed'}: ${result.message}`,
    );
    slot.dataset.result = result.ok ? 'ok' : (result.reason ?? 'failed');
    return result;
  } catch (error) {
    const reason = (error as { reason?: string }).reason ?? 'Failed';
    showOutcome(slot, false, `${reason}: ${describeError(error)}`);
    slot.dataset.result = reason;
    return { ok: false, reason, message: describeError(error) };
  }
}

/** Annotations a credential list shows and a credential form writes. */
export interface CredentialAnnotations {
  displayName: string;
  /** Who created the Secret, as the platform records it (shown when present). */
  creator?: string;
}

export interface CredentialListSpec {
  extension: string;
  className?: string;
  title: string;
  /** The platform's name in the Type column. */
  platform: string;
  empty: string;
  /** The Secret keys every credential of this provider has. */
  keys: readonly string[];
  annotations: CredentialAnnotations;
  /** The API path of the provider's cluster objects in the namespace. */
  clustersPath: string;
  /** The Secret a cluster object uses, if any. */
  secretOf(cluster: { spec?: Record<string, unknown> }): string | undefined;
}

/**
 * The provider's credential Secrets, each with the clusters that use it, a
 * "Test" button running the connection test in its row, and update and
 * delete; a credential in use is not deleted.
 */
export function mountCredentialList(
  element: unknown,
  props: ResourceListProps,
  spec: CredentialListSpec,
): () => void {
  type Row = { secret: CredentialSecret; users: string[] };
  return mountResourceList<Row>(element, props, {
    extension: spec.extension,
    ...(spec.className ? { className: spec.className } : {}),
    title: spec.title,
    createLabel: 'Create cloud credential',
    columns: ['Name', 'Display name', 'Type', 'Used by clusters', 'Created', 'Creator', ''],
    empty: spec.empty,
    noun: 'credential',
    load: async () => {
      const [secrets, clusters] = await Promise.all([
        listCredentialSecrets(props.api, props.namespace, spec.keys),
        props.api.kubernetes<{ items?: { metadata: { name: string }; spec?: Record<string, unknown> }[] }>({
          method: 'GET',
          path: spec.clustersPath,
        }),
      ]);
      return secrets.map((secret) => ({
        secret,
        users: (clusters.items ?? [])
          .filter((cluster) => spec.secretOf(cluster) === secret.metadata.name)
          .map((cluster) => cluster.metadata.name),
      }));
    },
    row: ({ secret, users }, actions) => {
      const name = secret.metadata.name;
      const status = h('span', { data: { connectionResult: name } });
      const annotations = secret.metadata.annotations ?? {};
      return [
        h('span', { text: name, data: { name } }),
        annotations[spec.annotations.displayName] ?? '',
        spec.platform,
        users.join(', ') || '—',
        secret.metadata.creationTimestamp ?? '',
        (spec.annotations.creator && annotations[spec.annotations.creator]) || '—',
        h(
          'span',
          {},
          button(
            'Test',
            () => void runConnectionTest(props.api, { namespace: props.namespace, name }, status),
            { action: `test:${name}` },
          ),
          actions.update(name),
          actions.delete(name, () =>
            users.length > 0
              ? `${name} is used by ${users.join(', ')}; delete those clusters first`
              : undefined,
          ),
          status,
        ),
      ];
    },
    deletePath: (name) => secretsPath(props.namespace, name),
    deletedNotice: (name) => `Credential ${name} deleted`,
  });
}

/** A `credential.list` extension: what `mountCredentialList` needs, with the product's defaults. */
export interface CredentialListExtensionSpec
  extends Omit<CredentialListSpec, 'annotations' | 'clustersPath'> {
  /** The product's display name and creator annotations unless given. */
  annotations?: CredentialAnnotations;
  /** The plural of the provider's infrastructure cluster kind, e.g. `hcsclusters`: the clusters that may use a credential. */
  clusterPlural: string;
}

/**
 * The `credential.list` export of a provider: its credential Secrets with the
 * infrastructure clusters of the namespace that use them (see `mountCredentialList`).
 */
export function credentialListExtension(spec: CredentialListExtensionSpec): {
  mount(element: unknown, props: ResourceListProps): () => void;
} {
  const { clusterPlural, annotations, ...list } = spec;
  return {
    mount: (element, props) =>
      mountCredentialList(element, props, {
        ...list,
        annotations: annotations ?? { displayName: DISPLAY_NAME_ANNOTATION, creator: CREATOR_ANNOTATION },
        clustersPath: infrastructurePath(props.namespace, clusterPlural),
      }),
  };
}

/** One Secret key of a credential form. */
export interface CredentialField {
  /** The Secret key, also the field's problem path. */
  key: string;
  label: string;
  /**
   * `password` is never trimmed; `textarea` for PEM bundles; `select` offers `choices`; `checkbox`
   * writes `"true"` when ticked and nothing otherwise (on update: keeps the stored value).
   */
  control?: 'text' | 'password' | 'textarea' | 'select' | 'checkbox';
  choices?: Choice[];
  /** The value a new credential starts with (a select's default). */
  initial?: string;
  /** Options when creating, and when updating (where empty keeps the stored value). */
  create?: FieldOptions;
  update?: FieldOptions;
}

export interface CredentialFormSpec {
  extension: string;
  className?: string;
  /** `Create <noun>` / `Update <noun> <name>`. */
  noun: string;
  displayNameAnnotation: string;
  fields: readonly CredentialField[];
  /** Problems of the typed values (`name`, `displayName` and each field's key), each named by its path. */
  validate(input: Readonly<Record<string, string>>, creating: boolean): FieldProblem[];
  /** What the typed values risk without being wrong (plain HTTP accepted), shown live above the buttons. */
  warnings?(input: Readonly<Record<string, string>>, creating: boolean): string[];
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** A CA bundle field's problem: empty is fine (the system's CAs), else one or more PEM certificates. */
export function caBundleProblems(value: string, field = 'caBundle'): FieldProblem[] {
  return value && !PEM_CERTIFICATE.test(value)
    ? [{ field, message: 'one or more PEM certificates (-----BEGIN CERTIFICATE-----)' }]
    : [];
}

const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The Secret name rule (a DNS label): problems for `name`, none when it is fine. */
export function credentialNameProblems(name: string): FieldProblem[] {
  if (!name) return [{ field: 'name', message: 'the name is required' }];
  if (!NAME.test(name))
    return [
      {
        field: 'name',
        message: '1-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit',
      },
    ];
  return [];
}

/**
 * A credential form: name and display name, then the provider's keys. Saving
 * creates the Secret (or merge-patches only what was typed: stored values are
 * never read back), then runs the connection test and tells the user its
 * verdict; updating also offers "Test connection" on its own.
 */
export function mountCredentialForm(
  element: unknown,
  props: CredentialFormProps,
  spec: CredentialFormSpec,
): () => void {
  const { root, unmount } = extensionRoot(
    element,
    spec.extension,
    spec.className ? { className: spec.className } : {},
  );
  const creating = props.secretName === undefined;
  const name = textField('Name', 'name', props.secretName ?? '', { readOnly: !creating });
  const displayName = textField('Display name', 'displayName', '');
  const controls = spec.fields.map((field) => {
    const options = (creating ? field.create : field.update) ?? {};
    const initial = creating ? (field.initial ?? '') : '';
    if (field.control === 'select') {
      const select = selectField(field.label, field.key, field.choices ?? [], initial, options);
      return { field, row: select.row, read: () => select.select.value };
    }
    if (field.control === 'textarea') {
      const area = textAreaField(field.label, field.key, initial, options);
      return { field, row: area.row, read: () => area.input.value.trim() };
    }
    if (field.control === 'checkbox') {
      const box = checkboxField(field.label, field.key, initial === 'true', options);
      return { field, row: box.row, read: box.read };
    }
    const password = field.control === 'password';
    const text = textField(field.label, field.key, initial, {
      ...options,
      ...(password ? { type: 'password' } : {}),
    });
    return { field, row: text.row, read: () => (password ? text.input.value : text.input.value.trim()) };
  });
  const result = h('div', { data: { connectionResult: '' }, attrs: { role: 'status' } });
  const summary = formSummary();
  // The live region wraps the list: a role on the <ul> itself would take away its list semantics.
  const warnings = h('ul', { className: KIT_CLASSES.warning, data: { warnings: '' } });
  const warningsRegion = h('div', { attrs: { role: 'status' } }, warnings);
  let busy = false;

  const read = () => ({
    name: name.input.value.trim(),
    displayName: displayName.input.value.trim(),
    values: Object.fromEntries(controls.map((c) => [c.field.key, c.read()])),
  });

  const showWarnings = () => {
    if (!spec.warnings) return;
    const input = read();
    const lines = spec.warnings(
      { ...input.values, name: input.name, displayName: input.displayName },
      creating,
    );
    warnings.replaceChildren(...lines.map((line) => h('li', { text: line })));
  };

  const save = async () => {
    if (busy) return;
    const input = read();
    const problems = spec.validate(
      { ...input.values, name: input.name, displayName: input.displayName },
      creating,
    );
    if (showProblems(root, problems) > 0) return;
    busy = true;
    try {
      const values = Object.fromEntries(Object.entries(input.values).filter(([, value]) => value !== ''));
      if (creating) {
        await props.api.kubernetes({
          method: 'POST',
          path: secretsPath(props.namespace),
          body: {
            apiVersion: 'v1',
            kind: 'Secret',
            type: 'Opaque',
            metadata: {
              name: input.name,
              namespace: props.namespace,
              ...(input.displayName
                ? { annotations: { [spec.displayNameAnnotation]: input.displayName } }
                : {}),
            },
            stringData: values,
          },
        });
      } else {
        await props.api.kubernetes({
          method: 'PATCH',
          path: secretsPath(props.namespace, input.name),
          body: {
            metadata: { annotations: { [spec.displayNameAnnotation]: input.displayName || null } },
            ...(Object.keys(values).length > 0 ? { stringData: values } : {}),
          },
        });
      }
      const verdict = await runConnectionTest(
        props.api,
        { namespace: props.namespace, name: input.name },
        result,
      );
      props.api.notify(
        verdict.ok
          ? { kind: 'success', text: `Credential ${input.name} saved; connection OK` }
          : {
              kind: 'error',
              text: `Credential ${input.name} saved, but the connection test failed: ${verdict.message}`,
            },
      );
      props.onSaved(input.name);
    } catch (error) {
      showProblems(root, [
        writeFailureProblem(error, creating, `a Secret named ${input.name} already exists`),
      ]);
    } finally {
      busy = false;
    }
  };

  root.append(
    h('h2', {
      text: creating ? `Create ${spec.noun}` : `Update ${spec.noun} ${props.secretName}`,
    }),
    name.row,
    displayName.row,
    ...controls.map((c) => c.row),
    warningsRegion,
    summary,
    h(
      'div',
      {},
      button(creating ? 'Create' : 'Update', () => void save(), { primary: true, action: 'save' }),
      creating
        ? null
        : button(
            'Test connection',
            () =>
              void runConnectionTest(
                props.api,
                { namespace: props.namespace, name: name.input.value },
                result,
              ),
            { action: 'test-connection' },
          ),
      button('Cancel', () => props.onCancel(), { action: 'cancel' }),
    ),
    result,
  );

  root.addEventListener('input', showWarnings);
  root.addEventListener('change', showWarnings);
  showWarnings();

  if (!creating) {
    // The stored display name arrives after the form is shown: what the user typed by then wins,
    // else a slow read would put the old name back under their edit and save it.
    let typed = false;
    displayName.input.addEventListener('input', () => {
      typed = true;
    });
    props.api
      .kubernetes<{ metadata: { annotations?: Record<string, string> } }>({
        method: 'GET',
        path: secretsPath(props.namespace, props.secretName),
      })
      .then((secret) => {
        if (!typed) displayName.input.value = secret.metadata.annotations?.[spec.displayNameAnnotation] ?? '';
      })
      .catch((error: unknown) => showErrorAt(root, '(form)', error));
  }
  return unmount;
}

/** What a credential form's field offers on update, where leaving it empty keeps the Secret's value. */
export const KEEP_STORED_VALUE: FieldOptions = { hint: 'Leave empty to keep the stored value' };

/**
 * The `credential.form` export of a provider (see `mountCredentialForm`); the
 * display name goes to the product's annotation unless the spec names another.
 */
export function credentialFormExtension(
  spec: Omit<CredentialFormSpec, 'displayNameAnnotation'> & { displayNameAnnotation?: string },
): { mount(element: unknown, props: CredentialFormProps): () => void } {
  const form: CredentialFormSpec = { displayNameAnnotation: DISPLAY_NAME_ANNOTATION, ...spec };
  return { mount: (element, props) => mountCredentialForm(element, props, form) };
}

/** Collects a credential's problems: the first one of each field (what to fix first), never the typed value. */
export function credentialProblemCollector(): {
  problems: FieldProblem[];
  add(field: string, message: string): void;
  addAll(found: readonly FieldProblem[]): void;
} {
  const problems: FieldProblem[] = [];
  const add = (field: string, message: string) => {
    if (!problems.some((p) => p.field === field)) problems.push({ field, message });
  };
  const addAll = (found: readonly FieldProblem[]) => {
    for (const p of found) add(p.field, p.message);
  };
  return { problems, add, addAll };
}

/**
 * A credential form's `validate` from the provider's own rules: the Secret name first (when
 * creating), then what `own` reports of the provider's keys, then the optional CA bundle; the
 * first problem of each field, never the typed value.
 */
export function credentialValidator<
  Input extends { name?: string | undefined; caBundle?: string | undefined },
>(
  own: (
    input: Input,
    creating: boolean,
    report: Omit<ReturnType<typeof credentialProblemCollector>, 'problems'>,
  ) => void,
): (input: Input, creating: boolean) => FieldProblem[] {
  return (input, creating) => {
    const { problems, add, addAll } = credentialProblemCollector();
    if (creating) addAll(credentialNameProblems(input.name ?? ''));
    own(input, creating, { add, addAll });
    addAll(caBundleProblems(input.caBundle ?? ''));
    return problems;
  };
}

/** The optional PEM CA bundle of a credential: `createHint` says whose certificates it signed. */
export function caBundleField(createHint: string, update: FieldOptions): CredentialField {
  return {
    key: 'caBundle',
    label: 'CA bundle (PEM)',
    control: 'textarea',
    create: { hint: createHint },
    update,
  };
}

/** The "Allow plain HTTP" checkbox: the user's consent to a secret crossing the network unencrypted. */
export function allowPlainHttpField(createHint: string, updateHint: string): CredentialField {
  return {
    key: 'allowPlainHTTP',
    label: 'Allow plain HTTP',
    control: 'checkbox',
    create: { hint: createHint },
    update: { hint: updateHint },
  };
}
