import { defineKind, type KindObject } from '@immutable-infra/core';
import { printerColumns } from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';
import { AddressesFromPool, DhcpOverrides, vsphereKindBase } from './common.js';

const FailureDomainLevel = z.object({
  name: z.string().min(1).describe('Tag naming this region or zone, attached to the vSphere object.'),
  type: z.enum(['Datacenter', 'ComputeCluster', 'HostGroup']).describe('The vSphere object the tag is on.'),
  tagCategory: z
    .string()
    .min(1)
    .describe('Tag category, e.g. k8s-region or k8s-zone; the CPI reads the same.'),
  autoConfigure: z.boolean().optional().describe('Create the category and tag and attach it when missing.'),
});

export const VSphereFailureDomainSpec = z.object({
  region: FailureDomainLevel,
  zone: FailureDomainLevel,
  topology: z.object({
    datacenter: z.string().min(1),
    computeCluster: z.string().optional(),
    hosts: z
      .object({ vmGroupName: z.string().min(1), hostGroupName: z.string().min(1) })
      .optional()
      .describe('VM/host group pair placing VMs on some hosts of the compute cluster.'),
    datastore: z.string().optional(),
    networks: z
      .array(z.string().min(1))
      .optional()
      .describe("Networks replacing the machines' NIC networks, in order."),
    networkConfigurations: z
      .array(
        z.object({
          networkName: z.string().min(1),
          dhcp4: z.boolean().optional(),
          dhcp6: z.boolean().optional(),
          dhcp4Overrides: DhcpOverrides.optional(),
          dhcp6Overrides: DhcpOverrides.optional(),
          nameservers: z.array(z.string()).optional(),
          searchDomains: z.array(z.string()).optional(),
          addressesFromPools: z.array(AddressesFromPool).optional(),
        }),
      )
      .optional(),
  }),
});

export const VSphereFailureDomain = defineKind({
  ...vsphereKindBase,
  scope: 'Cluster',
  kind: 'VSphereFailureDomain',
  plural: 'vspherefailuredomains',
  role: 'Other',
  versions: [
    {
      name: 'v1beta1',
      storage: true,
      spec: VSphereFailureDomainSpec.meta({
        'x-kubernetes-validations': [
          {
            rule: "self.zone.type != 'HostGroup' || has(self.topology.hosts)",
            message: 'a HostGroup zone needs topology.hosts',
            fieldPath: '.topology.hosts',
            reason: 'FieldValueRequired',
          },
          {
            rule: "!(self.zone.type in ['ComputeCluster', 'HostGroup']) || has(self.topology.computeCluster)",
            message: 'a ComputeCluster or HostGroup zone needs topology.computeCluster',
            fieldPath: '.topology.computeCluster',
            reason: 'FieldValueRequired',
          },
          {
            rule: '!has(self.topology.networks) || !has(self.topology.networkConfigurations)',
            message: 'set topology.networks or topology.networkConfigurations, not both',
            fieldPath: '.topology.networkConfigurations',
            reason: 'FieldValueInvalid',
          },
        ],
      }),
      status: z.object({}),
      printerColumns: [
        { name: 'Region', type: 'string', jsonPath: '.spec.region.name' },
        { name: 'Zone', type: 'string', jsonPath: '.spec.zone.name' },
        { name: 'Datacenter', type: 'string', jsonPath: '.spec.topology.datacenter' },
        printerColumns.age,
      ],
    },
  ],
});

export type VSphereFailureDomainObject = KindObject<(typeof VSphereFailureDomain.versions)[0]>;
