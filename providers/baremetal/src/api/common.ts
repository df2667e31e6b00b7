import { providerKindBase } from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';

export const base = providerKindBase('baremetal');

export const BAREMETAL_API_VERSION = 'infrastructure.cluster.x-k8s.io/v1beta1';

/** A reference by name to an object in the same namespace (the documented `{ name }` shape). */
export const LocalNameRef = z.object({ name: z.string().min(1).max(253) });
