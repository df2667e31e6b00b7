import { z } from 'zod';
import { HcsError } from '../model/hcs-error.js';
import type { Route } from '../server/router.js';
import { fieldPath } from '../server/validation.js';
import type { SimContext } from './context.js';

const tokenSchema = z.object({
  auth: z.object({
    identity: z.object({
      methods: z.array(z.literal('password')).min(1),
      password: z.object({
        user: z.object({
          name: z.string().min(1),
          password: z.string().min(1),
          domain: z.object({ name: z.string().min(1) }).optional(),
        }),
      }),
    }),
    scope: z
      .object({
        project: z.object({ id: z.string().optional(), name: z.string().optional() }).optional(),
        domain: z.object({ name: z.string().optional(), id: z.string().optional() }).optional(),
      })
      .optional(),
  }),
});

/** The service catalog a token carries: every service at the simulator's one address. */
const CATALOG = [
  ['identity', 'iam'],
  ['compute', 'ecs'],
  ['volumev2', 'evs'],
  ['network', 'vpc'],
  ['image', 'ims'],
  ['elb', 'elb'],
] as const;

/** IAM: issue a token for a password (`POST /v3/auth/tokens`), list projects. */
export function iamRoutes(ctx: SimContext): Route[] {
  const { cloud } = ctx;
  const inventory = cloud.inventory;
  const project = () => ({
    id: cloud.projectId,
    name: inventory.project.name,
    domain_id: inventory.domainId,
    enabled: true,
    is_domain: false,
    parent_id: inventory.domainId,
    description: '',
  });
  return [
    {
      method: 'POST',
      pattern: '/v3/auth/tokens',
      service: 'iam',
      operation: 'iam.createToken',
      public: true,
      handle: ({ body }) => {
        const parsed = tokenSchema.safeParse(body);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new HcsError(
            400,
            '400',
            `Invalid input for field '${issue ? fieldPath(issue.path) : 'auth'}': ${issue?.message ?? 'invalid'}`,
          );
        }
        const { identity, scope } = parsed.data.auth;
        const user = identity.password.user;
        const issued = ctx.identity.login({
          user: user.name,
          password: user.password,
          domain: user.domain?.name,
          projectId: scope?.project?.id,
          projectName: scope?.project?.name,
        });
        const domain = { id: inventory.domainId, name: inventory.domain.name };
        return {
          status: 201,
          headers: { 'X-Subject-Token': issued.token },
          body: {
            token: {
              methods: ['password'],
              issued_at: new Date(issued.issuedAt).toISOString(),
              expires_at: new Date(issued.expiresAt).toISOString(),
              user: {
                id: ctx.identity.userId(issued.userName),
                name: issued.userName,
                domain,
                password_expires_at: '',
              },
              ...(issued.projectId
                ? { project: { id: issued.projectId, name: inventory.project.name, domain } }
                : { domain }),
              roles: [{ id: '0', name: 'te_admin' }],
              catalog: CATALOG.map(([type, name]) => ({
                type,
                name,
                id: `${name}-endpoints`,
                endpoints: [
                  {
                    id: `${name}-public`,
                    interface: 'public',
                    region: inventory.region,
                    region_id: inventory.region,
                    url: ctx.baseUrl(),
                  },
                ],
              })),
            },
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: '/v3/projects',
      service: 'iam',
      operation: 'iam.listProjects',
      handle: ({ query }) => {
        const name = query.get('name');
        const projects = [project()].filter((p) => !name || p.name === name);
        return {
          body: { projects, links: { self: `${ctx.baseUrl()}/v3/projects`, next: null, previous: null } },
        };
      },
    },
    {
      method: 'GET',
      pattern: '/v3/auth/projects',
      service: 'iam',
      operation: 'iam.listAuthProjects',
      handle: () => ({
        body: { projects: [project()], links: { self: `${ctx.baseUrl()}/v3/auth/projects` } },
      }),
    },
  ];
}
