import { defineKind, type KindObject } from '@immutable-infra/core';
import { printerColumns } from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';
import { vsphereKindBase } from './common.js';
import { VSphereClusterSpec } from './vsphere-cluster.js';

/** A VSphereCluster spec for ClusterClass topologies to stamp out. */
export const VSphereClusterTemplate = defineKind({
  ...vsphereKindBase,
  kind: 'VSphereClusterTemplate',
  plural: 'vsphereclustertemplates',
  role: 'InfraClusterTemplate',
  versions: [
    {
      name: 'v1beta1',
      storage: true,
      spec: z.object({ template: z.object({ spec: VSphereClusterSpec }) }),
      status: z.object({}),
      printerColumns: [
        { name: 'Server', type: 'string', jsonPath: '.spec.template.spec.server' },
        printerColumns.age,
      ],
    },
  ],
});

export type VSphereClusterTemplateObject = KindObject<(typeof VSphereClusterTemplate.versions)[0]>;
