import { DcsError } from '../model/dcs-error.js';
import type { Platform } from '../model/platform.js';
import { byName, paginate } from '../server/pagination.js';
import type { Route } from '../server/router.js';
import type { SimContext } from './context.js';

/** The read-only inventory: site, hosts, datastores and their clusters, folders, DV switches and port groups. */
export function inventoryRoutes(ctx: SimContext): Route[] {
  const { platform } = ctx;
  const { address, inventory } = platform;
  const site = { urn: address.urn, uri: address.uri, name: inventory.site.name, status: 'normal' };
  return [
    { method: 'GET', pattern: '/service/sites', handle: () => ({ body: { sites: [site] } }) },
    { method: 'GET', pattern: '/service/sites/:site', handle: () => ({ body: site }) },
    {
      method: 'GET',
      pattern: '/service/sites/:site/hosts',
      handle: ({ query }) => {
        const scope = query.get('scope');
        const cluster = scope ? platform.cluster(scope) : undefined;
        if (scope && !cluster) throw DcsError.invalid('scope', `${scope} is not a cluster of this site`);
        const hosts = byName(inventory.hosts, query)
          .filter((h) => !cluster || h.clusterId === cluster.id)
          .map((h) => ({
            urn: address.urnOf('hosts', h.id),
            uri: address.uriOf('hosts', h.id),
            name: h.name,
            clusterUrn: address.urnOf('clusters', h.clusterId),
            clusterName: inventory.clusters.find((c) => c.id === h.clusterId)?.name ?? '',
            status: 'normal',
          }));
        const { total, page } = paginate(hosts, query);
        return { body: { total, hosts: page } };
      },
    },
    {
      method: 'GET',
      pattern: '/service/sites/:site/datastores',
      handle: ({ query }) => {
        const reachable = scopeClusterId(platform, query.get('scope'));
        const datastores = byName(inventory.datastores, query)
          .filter((d) => reachable === undefined || !d.clusterIds || d.clusterIds.includes(reachable))
          .map((d) => {
            const freeSizeGB = platform.freeSizeGB(d);
            return {
              urn: address.urnOf('datastores', d.id),
              uri: address.uriOf('datastores', d.id),
              name: d.name,
              status: 'NORMAL',
              storageType: d.storageType,
              capacityGB: d.capacityGB,
              freeSizeGB,
              usedSizeGB: d.capacityGB - freeSizeGB,
            };
          });
        const { total, page } = paginate(datastores, query);
        return { body: { total, datastores: page } };
      },
    },
    {
      method: 'GET',
      pattern: '/service/sites/:site/datastoreclusters',
      handle: ({ query }) => {
        const groups = byName(inventory.datastoreClusters, query).map((g) => ({
          urn: address.urnOf('datastoreclusters', g.id),
          uri: address.uriOf('datastoreclusters', g.id),
          name: g.name,
          datastores: g.datastoreIds.map((id) => address.urnOf('datastores', id)),
        }));
        const { total, page } = paginate(groups, query);
        return { body: { total, datastoreClusters: page } };
      },
    },
    {
      method: 'GET',
      pattern: '/service/sites/:site/folders',
      handle: ({ query }) => {
        const folders = byName(inventory.folders, query).map((f) => ({
          urn: address.urnOf('folders', f.id),
          uri: address.uriOf('folders', f.id),
          name: f.name,
        }));
        const { total, page } = paginate(folders, query);
        return { body: { total, folders: page } };
      },
    },
    {
      method: 'GET',
      pattern: '/service/sites/:site/dvswitchs',
      handle: () => ({
        body: {
          dvSwitchs: inventory.dvSwitches.map((d) => ({
            urn: address.urnOf('dvswitchs', d.id),
            uri: address.uriOf('dvswitchs', d.id),
            name: d.name,
            portGroupNum: d.portGroups.length,
          })),
        },
      }),
    },
    {
      method: 'GET',
      pattern: '/service/sites/:site/dvswitchs/:dvswitch/portgroups',
      handle: ({ params, query }) => {
        const dvSwitch = inventory.dvSwitches.find((d) => d.id === params.dvswitch);
        if (!dvSwitch) throw DcsError.notFound(`DV switch ${params.dvswitch}`);
        const portGroups = byName(dvSwitch.portGroups, query, 'portGroupName').map((p) => ({
          urn: address.portGroupUrn(dvSwitch.id, p.id),
          uri: address.portGroupUri(dvSwitch.id, p.id),
          name: p.name,
          vlanId: p.vlanId,
        }));
        const { total, page } = paginate(portGroups, query);
        return { body: { total, portGroups: page } };
      },
    },
  ];
}

/** The cluster a `scope` (cluster or host URN) narrows datastores to; undefined without a scope. */
function scopeClusterId(platform: Platform, scope: string | null): string | undefined {
  if (!scope) return undefined;
  const clusterId = platform.cluster(scope)?.id ?? platform.host(scope)?.clusterId;
  if (clusterId === undefined)
    throw DcsError.invalid('scope', `${scope} is not a cluster or host of this site`);
  return clusterId;
}
