/// <reference lib="dom" />
import type { ResourceListProps } from '@immutable-infra/core';
import { CREATOR_ANNOTATION, DISPLAY_NAME_ANNOTATION } from '../catalog/labels.js';
import { basePath, type KubeObject, listCredentials, listObjects } from '../catalog/resources.js';
import { button, describeError, extensionRoot, h, table } from '../dom/elements.js';
import { runConnectionTest } from './credential-form.js';

/** DCS credentials with the clusters that use them; a credential in use is not deleted. */
export const credentialList = {
  mount(element: unknown, props: ResourceListProps): () => void {
    const { root, unmount } = extensionRoot(element, 'dcs.credential.list');
    const body = h('div', {});
    const message = h('div', { className: 'dcs-error', attrs: { role: 'alert' } });
    let disposed = false;

    const render = async () => {
      try {
        const [secrets, clusters] = await Promise.all([
          listCredentials(props.api, props.namespace),
          listObjects<KubeObject<{ credentialSecretRef?: { name?: string } }>>(
            props.api,
            basePath(props.namespace, 'dcsclusters'),
          ),
        ]);
        if (disposed) return;
        const rows = secrets.map((secret) => {
          const name = secret.metadata.name;
          const users = clusters
            .filter((c) => c.spec?.credentialSecretRef?.name === name)
            .map((c) => c.metadata.name);
          const status = h('span', { data: { connectionResult: name } });
          return [
            h('span', { text: name, data: { name } }),
            secret.metadata.annotations?.[DISPLAY_NAME_ANNOTATION] ?? '',
            'Huawei DCS',
            users.join(', ') || '—',
            secret.metadata.creationTimestamp ?? '',
            secret.metadata.annotations?.[CREATOR_ANNOTATION] ?? '—',
            h(
              'span',
              {},
              button('Test', () => void runConnectionTest(props.api, props.namespace, name, status), {
                action: `test:${name}`,
              }),
              button('Update', () => props.edit(name), { action: `edit:${name}` }),
              button('Delete', () => void remove(name, users), { action: `delete:${name}` }),
              status,
            ),
          ];
        });
        body.replaceChildren(
          table(
            ['Name', 'Display name', 'Type', 'Used by clusters', 'Created', 'Creator', ''],
            rows,
            'No DCS credentials yet.',
          ),
        );
      } catch (error) {
        message.textContent = describeError(error);
      }
    };

    const remove = async (name: string, users: string[]) => {
      if (users.length > 0) {
        message.textContent = `${name} is used by ${users.join(', ')}; delete those clusters first`;
        return;
      }
      if (!globalThis.confirm(`Delete credential ${name}?`)) return;
      try {
        await props.api.kubernetes({
          method: 'DELETE',
          path: `/api/v1/namespaces/${encodeURIComponent(props.namespace)}/secrets/${encodeURIComponent(name)}`,
        });
        props.api.notify({ kind: 'success', text: `Credential ${name} deleted` });
        await render();
      } catch (error) {
        message.textContent = describeError(error);
      }
    };

    root.append(
      h('h2', { text: 'DCS cloud credentials' }),
      button('Create cloud credential', () => props.create(), { primary: true, action: 'create' }),
      message,
      body,
    );
    void render();
    return () => {
      disposed = true;
      unmount();
    };
  },
};
