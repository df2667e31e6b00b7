/// <reference lib="dom" />
import type { ResourceListProps, StrictAnchorExport } from '@immutable-infra/core';
import { button, h, mountResourceList } from '@immutable-infra/ui-kit';
import { CREATOR_ANNOTATION, DISPLAY_NAME_ANNOTATION } from '../catalog/labels.js';
import { basePath, type KubeObject, listCredentials, listObjects } from '../catalog/resources.js';
import { runConnectionTest } from './credential-form.js';

/** A credential Secret with the clusters that use it. */
type Credential = { secret: KubeObject; users: string[] };

/** DCS credentials with the clusters that use them; a credential in use is not deleted. */
export const credentialList = {
  mount(element: unknown, props: ResourceListProps): () => void {
    return mountResourceList<Credential>(element, props, {
      extension: 'dcs.credential.list',
      className: 'dcs-ext',
      title: 'DCS cloud credentials',
      createLabel: 'Create cloud credential',
      columns: ['Name', 'Display name', 'Type', 'Used by clusters', 'Created', 'Creator', ''],
      empty: 'No DCS credentials yet.',
      noun: 'credential',
      load: async () => {
        const [secrets, clusters] = await Promise.all([
          listCredentials(props.api, props.namespace),
          listObjects<KubeObject<{ credentialSecretRef?: { name?: string } }>>(
            props.api,
            basePath(props.namespace, 'dcsclusters'),
          ),
        ]);
        return secrets.map((secret) => ({
          secret,
          users: clusters
            .filter((c) => c.spec?.credentialSecretRef?.name === secret.metadata.name)
            .map((c) => c.metadata.name),
        }));
      },
      row: ({ secret, users }, actions) => {
        const name = secret.metadata.name;
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
      deletePath: (name) =>
        `/api/v1/namespaces/${encodeURIComponent(props.namespace)}/secrets/${encodeURIComponent(name)}`,
      deletedNotice: (name) => `Credential ${name} deleted`,
    });
  },
} satisfies StrictAnchorExport<'credential.list'>;
