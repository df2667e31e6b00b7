import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  type DeclaredPlatformOperation,
  defineExtensions,
  extensionManifest,
  type NodeColumnsExtension,
  type NodePoolActionProps,
  type PlatformClient,
  type ResourceListProps,
  validateWithSchema,
} from '../src/index.js';

const bundle = {
  credentialList: { mount: (_element: unknown, _props: ResourceListProps) => () => {} },
  nodePoolUpgrade: { mount: (_element: unknown, _props: NodePoolActionProps) => () => {} },
  nodeColumns: { columns: [] } as NodeColumnsExtension,
};

describe('defineExtensions and extensionManifest', () => {
  const definition = defineExtensions<typeof bundle>({
    provider: 'example',
    anchorApi: '^1.0.0',
    bundle: 'dist/ui/extension.js',
    platformProxy: 'dist/ui/platform-proxy.js',
    extensions: [
      { anchor: 'credential.list', id: 'example.credentials', title: 'Example', export: 'credentialList' },
      { anchor: 'node.columns', id: 'example.columns', title: 'Example', export: 'nodeColumns', order: 2 },
      { anchor: 'node-pool.action', id: 'example.upgrade', title: 'Upgrade', export: 'nodePoolUpgrade' },
    ],
  });

  it('writes the manifest the host reads, in its field order', () => {
    const manifest = extensionManifest(definition, { name: '@example/provider', version: '1.2.3' });
    expect(JSON.stringify(manifest)).toBe(
      JSON.stringify({
        name: '@example/provider',
        version: '1.2.3',
        provider: 'example',
        anchorApi: '^1.0.0',
        bundle: 'dist/ui/extension.js',
        platformProxy: 'dist/ui/platform-proxy.js',
        extensions: [
          {
            anchor: 'credential.list',
            id: 'example.credentials',
            title: 'Example',
            export: 'credentialList',
          },
          {
            anchor: 'node.columns',
            id: 'example.columns',
            title: 'Example',
            export: 'nodeColumns',
            order: 2,
          },
          { anchor: 'node-pool.action', id: 'example.upgrade', title: 'Upgrade', export: 'nodePoolUpgrade' },
        ],
      }),
    );
  });

  it('refuses what the host would refuse, and repeated ids', () => {
    expect(() =>
      extensionManifest({ ...definition, bundle: '../outside.js' }, { name: 'p', version: '1.0.0' }),
    ).toThrow(/bundle: a relative path/);
    expect(() =>
      extensionManifest(
        { ...definition, extensions: [...definition.extensions, ...definition.extensions] },
        { name: 'p', version: '1.0.0' },
      ),
    ).toThrow('repeats the id example.credentials, example.columns, example.upgrade');
  });

  it('type-checks each export against its anchor', () => {
    defineExtensions<typeof bundle>({
      provider: 'example',
      anchorApi: '^1.0.0',
      bundle: 'b.js',
      extensions: [
        // @ts-expect-error node columns are data, not a mountable credential list
        { anchor: 'credential.list', id: 'a', title: 'A', export: 'nodeColumns' },
        // @ts-expect-error a node pool action's props are not a cluster tab's
        { anchor: 'cluster.detail.tab', id: 'b', title: 'B', export: 'nodePoolUpgrade' },
        // @ts-expect-error not an export of the bundle
        { anchor: 'credential.list', id: 'c', title: 'C', export: 'credentialLists' },
      ],
    });
  });
});

describe('declared platform operations', () => {
  const listHosts = Object.assign(async () => [{ name: 'host-1' }], {
    params: z.object({ cluster: z.string().optional() }),
    result: z.array(z.object({ name: z.string() })),
  }) satisfies DeclaredPlatformOperation;
  const listPorts = Object.assign(async () => [], {
    params: z.object({ dvSwitch: z.string().min(1), vlans: z.array(z.number()).optional() }),
    result: z.array(z.object({ name: z.string(), vlanId: z.number().optional() })),
  }) satisfies DeclaredPlatformOperation;
  const legacy = async () => ({ ok: true as const });

  it('give the browser client their params and results as types', () => {
    type Client = PlatformClient<{
      listHosts: typeof listHosts;
      listPorts: typeof listPorts;
      legacy: typeof legacy;
    }>;
    expectTypeOf<Parameters<Client['listHosts']>>().toEqualTypeOf<
      [params?: { cluster?: string | undefined }]
    >();
    expectTypeOf<ReturnType<Client['listHosts']>>().toEqualTypeOf<Promise<{ name: string }[]>>();
    expectTypeOf<Parameters<Client['listPorts']>[0]>().toEqualTypeOf<{
      dvSwitch: string;
      vlans?: number[] | undefined;
    }>();
    expectTypeOf<ReturnType<Client['legacy']>>().toEqualTypeOf<Promise<{ ok: true }>>();
  });

  it('are validated through the Standard Schema interface, naming the field', async () => {
    expect(await validateWithSchema(listPorts.params, { dvSwitch: 'DVS-Business' })).toEqual({
      ok: true,
      value: { dvSwitch: 'DVS-Business' },
    });
    const wrong = await validateWithSchema(listPorts.params, { dvSwitch: 7, vlans: [1, 'two'] });
    expect(wrong).toMatchObject({ ok: false, field: 'dvSwitch' });
    expect(wrong.ok === false && wrong.message).toMatch(/^dvSwitch: .*string.*; vlans\.1: .*number/);
    expect(await validateWithSchema(listHosts.result, 'hosts')).toMatchObject({ ok: false, field: '' });
  });
});
