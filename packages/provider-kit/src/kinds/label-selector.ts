import { z } from 'zod';

/**
 * A Kubernetes label selector as a field of a kind (metav1.LabelSelector), atomic as upstream has
 * it: the kit's `labelSelectorQuery` and `labelSelectorMatches` read what it holds.
 */
export const LabelSelectorSchema = z
  .object({
    matchLabels: z.record(z.string(), z.string()).optional(),
    matchExpressions: z
      .array(
        z.object({
          key: z.string(),
          operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
          values: z.array(z.string()).optional(),
        }),
      )
      .optional(),
  })
  .meta({ 'x-kubernetes-map-type': 'atomic' });
