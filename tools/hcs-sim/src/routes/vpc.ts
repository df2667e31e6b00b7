import { HcsError } from '../model/hcs-error.js';
import { securityGroupView, subnetView, vpcView } from '../model/wire-views.js';
import type { Route } from '../server/router.js';
import type { SimContext } from './context.js';

/** VPC v1 reads: VPCs, subnets, security groups (the provider uses what the inventory has). */
export function vpcRoutes(ctx: SimContext): Route[] {
  const { cloud } = ctx;
  const notFound = (what: string, id: string) =>
    new HcsError(404, 'VPC.1002', `The ${what} ${id} does not exist.`);
  const subnets = () => cloud.subnets().map((s) => subnetView(s, cloud.addressesOf(s.id).gatewayIp));
  const groups = () =>
    cloud.inventory.vpcs.flatMap((vpc) => vpc.securityGroups.map((g) => securityGroupView(vpc.id, g)));
  return [
    {
      method: 'GET',
      pattern: '/v1/:project/vpcs',
      service: 'vpc',
      operation: 'vpc.listVpcs',
      handle: ({ query }) => {
        const id = query.get('id');
        return { body: { vpcs: cloud.inventory.vpcs.filter((v) => !id || v.id === id).map(vpcView) } };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/:project/vpcs/:vpc',
      service: 'vpc',
      operation: 'vpc.showVpc',
      handle: ({ params }) => {
        const vpc = cloud.vpc(params.vpc ?? '');
        if (!vpc) throw notFound('VPC', params.vpc ?? '');
        return { body: { vpc: vpcView(vpc) } };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/:project/subnets',
      service: 'vpc',
      operation: 'vpc.listSubnets',
      handle: ({ query }) => {
        const vpcId = query.get('vpc_id');
        return { body: { subnets: subnets().filter((s) => !vpcId || s.vpc_id === vpcId) } };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/:project/subnets/:subnet',
      service: 'vpc',
      operation: 'vpc.showSubnet',
      handle: ({ params }) => {
        const subnet = subnets().find((s) => s.id === params.subnet);
        if (!subnet) throw notFound('subnet', params.subnet ?? '');
        return { body: { subnet } };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/:project/security-groups',
      service: 'vpc',
      operation: 'vpc.listSecurityGroups',
      handle: ({ query }) => {
        const vpcId = query.get('vpc_id');
        return { body: { security_groups: groups().filter((g) => !vpcId || g.vpc_id === vpcId) } };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/:project/security-groups/:group',
      service: 'vpc',
      operation: 'vpc.showSecurityGroup',
      handle: ({ params }) => {
        const group = groups().find((g) => g.id === params.group);
        if (!group) throw notFound('security group', params.group ?? '');
        return { body: { security_group: group } };
      },
    },
  ];
}
