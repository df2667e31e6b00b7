/// <reference lib="dom" />
import type { FieldProblem, StrictAnchorExport } from '@immutable-infra/core';
import { PLAIN_HTTP_WARNING } from '@immutable-infra/provider-kit/kinds';
import {
  allowPlainHttpField,
  caBundleField,
  credentialFormExtension,
  credentialValidator,
} from '@immutable-infra/ui-kit';
import { DcsCredentials, isPlainHttpEndpoint } from '../../api/credentials.js';

export interface CredentialInput {
  name: string;
  displayName: string;
  endpoint: string;
  authUser: string;
  authKey: string;
  site: string;
  userType: string;
  /** `'true'` when the user accepts a plain http:// endpoint. */
  allowPlainHTTP?: string;
  /** PEM of the CA that signed the VRM's certificate; empty for the system's CAs. */
  caBundle?: string;
}

/**
 * The documented rules (name 1-63 lowercase alphanumerics and hyphens; an
 * http(s) endpoint; user, password and site required), then whatever the
 * Secret schema refuses. A plain http:// endpoint needs "Allow plain HTTP"
 * ticked. On update only the display name is required and an empty password
 * keeps the stored one.
 */
export const validateCredential: (input: CredentialInput, creating: boolean) => FieldProblem[] =
  credentialValidator<CredentialInput>((input, creating, { add }) => {
    if (creating) {
      if (!input.endpoint) add('endpoint', 'the DCS endpoint is required');
      else if (!/^https?:\/\//.test(input.endpoint)) add('endpoint', 'must start with http:// or https://');
      else if (isPlainHttpEndpoint(input.endpoint) && input.allowPlainHTTP !== 'true')
        add(
          'endpoint',
          'plain http:// sends the password unencrypted: use https://, or tick "Allow plain HTTP" to accept that',
        );
      if (!input.authUser) add('authUser', 'the username is required');
      if (!input.authKey) add('authKey', 'the password is required');
      if (!input.site) add('site', 'the site is required (all resources must be in one site)');
      const parsed = DcsCredentials.safeParse({
        authUser: input.authUser,
        authKey: input.authKey,
        endpoint: input.endpoint,
        ...(input.site ? { site: input.site } : {}),
        ...(input.userType ? { userType: input.userType } : {}),
        ...(input.allowPlainHTTP ? { allowPlainHTTP: input.allowPlainHTTP } : {}),
      });
      if (!parsed.success)
        for (const issue of parsed.error.issues) {
          const field = issue.path.join('.');
          // Never put the typed value in a message: name the field only.
          add(field, field === 'endpoint' ? 'not a valid http(s) URL' : `${field} is invalid`);
        }
    } else if (input.endpoint && !/^https?:\/\/[^/]+/.test(input.endpoint)) {
      add('endpoint', 'must start with http:// or https://');
    }
  });

/** What the form warns of while the user types: a plain http:// endpoint. */
export function credentialWarnings(input: Pick<CredentialInput, 'endpoint'>): string[] {
  return isPlainHttpEndpoint(input.endpoint) ? [`The endpoint is http://: ${PLAIN_HTTP_WARNING}.`] : [];
}

const keep = (hint: string) => ({ update: { hint } });

export const credentialForm = credentialFormExtension({
  extension: 'dcs.credential.form',
  className: 'dcs-ext',
  noun: 'DCS cloud credential',
  fields: [
    {
      key: 'endpoint',
      label: 'DCS endpoint',
      create: {
        placeholder: 'https://dcs.example.com:7443',
        hint: 'The DCS REST API, usually port 7443',
      },
      update: {
        placeholder: 'https://dcs.example.com:7443',
        hint: 'Leave empty to keep the stored endpoint',
      },
    },
    { key: 'authUser', label: 'Username', ...keep('Leave empty to keep') },
    {
      key: 'authKey',
      label: 'Password',
      control: 'password',
      ...keep('Leave empty to keep the stored password'),
    },
    {
      key: 'site',
      label: 'Site',
      create: { placeholder: 'e.g. EC1C108C' },
      update: { placeholder: 'e.g. EC1C108C', hint: 'Leave empty to keep' },
    },
    allowPlainHttpField(
      'Only for an http:// endpoint: the password then crosses the network unencrypted',
      'Tick to accept an http:// endpoint; unticked keeps the stored choice',
    ),
    caBundleField('The CA that signed the VRM’s certificate; empty for the system’s CAs', {
      hint: 'Leave empty to keep the stored CA bundle',
    }),
    {
      key: 'userType',
      label: 'User type',
      control: 'select',
      choices: [
        { value: 'interconnect', label: 'Interface interconnection user' },
        { value: 'domain', label: 'Domain user' },
      ],
      initial: 'interconnect',
      create: { placeholder: '— choose —' },
      update: { placeholder: '(keep)' },
    },
  ],
  validate: (input, creating) =>
    validateCredential(
      {
        name: input.name ?? '',
        displayName: input.displayName ?? '',
        endpoint: input.endpoint ?? '',
        authUser: input.authUser ?? '',
        authKey: input.authKey ?? '',
        site: input.site ?? '',
        userType: input.userType ?? '',
        allowPlainHTTP: input.allowPlainHTTP ?? '',
        caBundle: input.caBundle ?? '',
      },
      creating,
    ),
  warnings: (input) => credentialWarnings({ endpoint: input.endpoint ?? '' }),
}) satisfies StrictAnchorExport<'credential.form'>;
