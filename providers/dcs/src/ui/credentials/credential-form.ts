/// <reference lib="dom" />
import type {
  ConnectionTestResult,
  CredentialFormProps,
  FieldProblem,
  HostApi,
  StrictAnchorExport,
} from '@immutable-infra/core';
import {
  button,
  describeError,
  extensionRoot,
  formSummary,
  h,
  platformClient,
  selectField,
  showOutcome,
  showProblems,
  textField,
} from '@immutable-infra/ui-kit';
import { DcsCredentials } from '../../api/credentials.js';
import { DISPLAY_NAME_ANNOTATION } from '../catalog/labels.js';
import { isAlreadyExists } from '../catalog/resources.js';
import type { DcsPlatformOperations } from '../platform-operations.js';

const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface CredentialInput {
  name: string;
  displayName: string;
  endpoint: string;
  authUser: string;
  authKey: string;
  site: string;
  userType: string;
}

/**
 * The documented rules (name 1-63 lowercase alphanumerics and hyphens; an
 * http(s) endpoint; user, password and site required), then whatever the
 * Secret schema refuses. On update only the display name is required and an
 * empty password keeps the stored one.
 */
export function validateCredential(input: CredentialInput, creating: boolean): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (field: string, message: string) => {
    if (!problems.some((p) => p.field === field)) problems.push({ field, message });
  };
  if (creating) {
    if (!input.name) add('name', 'the name is required');
    else if (!NAME.test(input.name))
      add('name', '1-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit');
    if (!input.endpoint) add('endpoint', 'the DCS endpoint is required');
    else if (!/^https?:\/\//.test(input.endpoint)) add('endpoint', 'must start with http:// or https://');
    if (!input.authUser) add('authUser', 'the username is required');
    if (!input.authKey) add('authKey', 'the password is required');
    if (!input.site) add('site', 'the site is required (all resources must be in one site)');
    const parsed = DcsCredentials.safeParse({
      authUser: input.authUser,
      authKey: input.authKey,
      endpoint: input.endpoint,
      ...(input.site ? { site: input.site } : {}),
      ...(input.userType ? { userType: input.userType } : {}),
    });
    if (!parsed.success)
      for (const issue of parsed.error.issues) {
        const field = issue.path.join('.');
        // Never put the typed value in a message: name the field only.
        add(field, field === 'endpoint' ? 'not a valid http(s) URL' : `${field} is invalid`);
      }
  } else if (input.endpoint && !/^https?:\/\/[^/]+/.test(input.endpoint)) {
    add('endpoint', 'must start with http:// or https://');
  }
  return problems;
}

function secretPath(namespace: string, name?: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets${name ? `/${encodeURIComponent(name)}` : ''}`;
}

/** Runs the host's connection test and renders its verdict into `slot`. */
export async function runConnectionTest(api: HostApi, namespace: string, name: string, slot: HTMLElement) {
  showOutcome(slot, undefined, 'Testing connection…');
  try {
    const result = await platformClient<DcsPlatformOperations>(api, { namespace, name }).testConnection();
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
    return { ok: false, reason, message: describeError(error) } satisfies ConnectionTestResult;
  }
}

export const credentialForm = {
  mount(element: unknown, props: CredentialFormProps): () => void {
    const { root, unmount } = extensionRoot(element, 'dcs.credential.form', { className: 'dcs-ext' });
    const creating = props.secretName === undefined;
    const name = textField('Name', 'name', props.secretName ?? '', { readOnly: !creating });
    const displayName = textField('Display name', 'displayName', '');
    const endpoint = textField('DCS endpoint', 'endpoint', '', {
      placeholder: 'https://dcs.example.com:7443',
      hint: creating ? 'The DCS REST API, usually port 7443' : 'Leave empty to keep the stored endpoint',
    });
    const authUser = textField('Username', 'authUser', '', creating ? {} : { hint: 'Leave empty to keep' });
    const authKey = textField('Password', 'authKey', '', {
      type: 'password',
      ...(creating ? {} : { hint: 'Leave empty to keep the stored password' }),
    });
    const site = textField('Site', 'site', '', {
      placeholder: 'e.g. EC1C108C',
      ...(creating ? {} : { hint: 'Leave empty to keep' }),
    });
    const userType = selectField(
      'User type',
      'userType',
      [
        { value: 'interconnect', label: 'Interface interconnection user' },
        { value: 'domain', label: 'Domain user' },
      ],
      creating ? 'interconnect' : '',
      { placeholder: creating ? '— choose —' : '(keep)' },
    );
    const result = h('div', { data: { connectionResult: '' }, attrs: { role: 'status' } });
    const summary = formSummary();
    let busy = false;

    const read = (): CredentialInput => ({
      name: name.input.value.trim(),
      displayName: displayName.input.value.trim(),
      endpoint: endpoint.input.value.trim(),
      authUser: authUser.input.value.trim(),
      authKey: authKey.input.value,
      site: site.input.value.trim(),
      userType: userType.select.value,
    });

    const save = async () => {
      if (busy) return;
      const input = read();
      if (showProblems(root, validateCredential(input, creating)) > 0) return;
      busy = true;
      try {
        const values: Record<string, string> = {};
        for (const key of ['endpoint', 'authUser', 'authKey', 'site', 'userType'] as const)
          if (input[key]) values[key] = input[key];
        const annotations = input.displayName ? { [DISPLAY_NAME_ANNOTATION]: input.displayName } : undefined;
        if (creating) {
          await props.api.kubernetes({
            method: 'POST',
            path: secretPath(props.namespace),
            body: {
              apiVersion: 'v1',
              kind: 'Secret',
              type: 'Opaque',
              metadata: {
                name: input.name,
                namespace: props.namespace,
                ...(annotations ? { annotations } : {}),
              },
              stringData: values,
            },
          });
        } else {
          // A merge patch writes only what was typed; stored values are never read back.
          await props.api.kubernetes({
            method: 'PATCH',
            path: secretPath(props.namespace, input.name),
            body: {
              metadata: { annotations: { [DISPLAY_NAME_ANNOTATION]: input.displayName || null } },
              ...(Object.keys(values).length > 0 ? { stringData: values } : {}),
            },
          });
        }
        const verdict = await runConnectionTest(props.api, props.namespace, input.name, result);
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
          isAlreadyExists(error)
            ? { field: 'name', message: `a Secret named ${input.name} already exists` }
            : { field: '(form)', message: describeError(error) },
        ]);
      } finally {
        busy = false;
      }
    };

    root.append(
      h('h2', {
        text: creating ? 'Create DCS cloud credential' : `Update DCS cloud credential ${props.secretName}`,
      }),
      name.row,
      displayName.row,
      endpoint.row,
      authUser.row,
      authKey.row,
      site.row,
      userType.row,
      summary,
      h(
        'div',
        {},
        button(creating ? 'Create' : 'Update', () => void save(), { primary: true, action: 'save' }),
        creating
          ? null
          : button(
              'Test connection',
              () => void runConnectionTest(props.api, props.namespace, name.input.value, result),
              {
                action: 'test-connection',
              },
            ),
        button('Cancel', () => props.onCancel(), { action: 'cancel' }),
      ),
      result,
    );

    if (!creating)
      props.api
        .kubernetes<{ metadata: { annotations?: Record<string, string> } }>({
          method: 'GET',
          path: secretPath(props.namespace, props.secretName),
        })
        .then((secret) => {
          displayName.input.value = secret.metadata.annotations?.[DISPLAY_NAME_ANNOTATION] ?? '';
        })
        .catch((error: unknown) => showProblems(root, [{ field: '(form)', message: describeError(error) }]));
    return unmount;
  },
} satisfies StrictAnchorExport<'credential.form'>;
