import { defineKind, INFRASTRUCTURE_GROUP, type PrinterColumn } from '@immutable-infra/core';
import { z } from 'zod';

/**
 * What every kind of a provider shares: Cluster API's infrastructure group, namespaced, listed
 * under `kubectl get cluster-api` and under the platform's own category, and one API version
 * (v1beta1) that implements both Cluster API contracts.
 */
export function providerKindBase<const Platform extends string>(platform: Platform) {
  return {
    group: INFRASTRUCTURE_GROUP,
    scope: 'Namespaced',
    categories: ['cluster-api', platform],
    contract: { v1beta1: ['v1beta1'], v1beta2: ['v1beta1'] },
  } as const;
}

/** The `kubectl get` columns Cluster API users expect on infrastructure kinds, written once. */
export const printerColumns = {
  /** The owning Cluster, from the label Cluster API sets. */
  cluster: {
    name: 'Cluster',
    type: 'string',
    jsonPath: ".metadata.labels['cluster\\.x-k8s\\.io/cluster-name']",
  },
  ready: { name: 'Ready', type: 'boolean', jsonPath: '.status.ready' },
  controlPlaneEndpoint: { name: 'Endpoint', type: 'string', jsonPath: '.spec.controlPlaneEndpoint.host' },
  providerID: { name: 'ProviderID', type: 'string', jsonPath: '.spec.providerID' },
  age: { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
} as const satisfies Record<string, PrinterColumn>;

/**
 * The machine template kind of a machine kind, in the shape Cluster API's contract requires
 * (`spec.template.spec` is the machine's spec, `spec.template.metadata` its labels and
 * annotations). `printerColumns` come before the age column, which every kind ends with.
 */
export function machineTemplateKind<
  const Base extends ReturnType<typeof providerKindBase>,
  const Spec extends z.ZodType,
>(template: {
  base: Base;
  /** The machine kind the template stamps out, e.g. `DCSMachine`; named in the field's description. */
  machineKind: string;
  /** `<machineKind>Template` unless given, as Cluster API's providers name them. */
  kind?: string;
  /** The kind in lower case with an `s`, unless given. */
  plural?: string;
  /** `kubectl get` short names, as the platform's documentation spells them (`hcsmt`). */
  shortNames?: readonly string[];
  machineSpec: Spec;
  printerColumns: readonly PrinterColumn[];
}) {
  const kind = template.kind ?? `${template.machineKind}Template`;
  return defineKind({
    ...template.base,
    kind,
    plural: template.plural ?? `${kind.toLowerCase()}s`,
    ...(template.shortNames ? { shortNames: template.shortNames } : {}),
    role: 'InfraMachineTemplate',
    versions: [
      {
        name: 'v1beta1',
        storage: true,
        spec: z.object({
          template: z.object({
            metadata: z
              .object({
                labels: z.record(z.string(), z.string()).optional(),
                annotations: z.record(z.string(), z.string()).optional(),
              })
              .optional()
              .describe(`Labels and annotations for the ${template.machineKind}s made from this template.`),
            spec: template.machineSpec,
          }),
        }),
        status: z.object({}),
        printerColumns: [...template.printerColumns, printerColumns.age],
      },
    ],
  });
}

/** A credential Secret's data checked against its schema: the value, or problems that name keys. */
export type CredentialDataParse<Credentials> =
  | { ok: true; credentials: Credentials }
  | { ok: false; problems: string[] };

/**
 * Validates a credential Secret's data without ever echoing a value: a problem names the key
 * and says whether it is missing or invalid, since the value may be the key itself. A custom
 * refinement's message (written by the provider, naming no value) follows its key instead.
 */
export function parseCredentialData<Schema extends z.ZodType>(
  schema: Schema,
  data: Record<string, string> | undefined,
): CredentialDataParse<z.output<Schema>> {
  const result = schema.safeParse(data ?? {});
  if (result.success) return { ok: true, credentials: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => {
      const key = issue.path.join('.') || '(secret)';
      if (issue.code === 'invalid_type' && issue.input === undefined) return `${key} is missing`;
      // A refinement's message is the provider's own words, which name no value; zod's may quote it.
      return issue.code === 'custom' ? `${key} ${issue.message}` : `${key} is invalid`;
    }),
  };
}

/**
 * The status field where an object records when it asked its platform to create each of its
 * things (the provider kit's `createOnce`): written before the request, so a lost answer or a
 * crash never leads to a second create while the platform has not listed the first.
 */
export const createRequestedAtField = z
  .record(z.string(), z.string())
  .optional()
  .describe(
    'When this object last asked the platform to create each of its things (by key, an RFC 3339 time); a thing not listed yet is waited for, not asked for again.',
  );

/**
 * The CEL rule, for a list of objects, that no two items have the same `key` (items without it are
 * not compared), refused as "<label> must be unique" on the list: slot hostnames, disk names and
 * mount paths. The key's values need a maxLength for the rule to fit the API server's cost budget.
 */
export function uniqueItemsRule(key: string, label: string) {
  return {
    rule: `self.all(a, !has(a.${key}) || self.exists_one(b, has(b.${key}) && b.${key} == a.${key}))`,
    message: `${label} must be unique`,
    reason: 'FieldValueInvalid',
  } as const;
}
