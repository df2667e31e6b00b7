/// <reference lib="dom" />
import type { FieldProblem, StrictAnchorExport } from '@immutable-infra/core';
import { PLAIN_HTTP_WARNING } from '@immutable-infra/provider-kit/kinds';
import {
  allowPlainHttpField,
  caBundleField,
  credentialFormExtension,
  credentialValidator,
  KEEP_STORED_VALUE as keep,
  namedChoices,
} from '@immutable-infra/ui-kit';
import { HcsCredentials } from '../../api/credentials.js';
import { HCS_CLASS } from '../catalog.js';
import { HCS_CREDENTIAL_KEYS } from './credential-keys.js';

const REQUIRED: Record<(typeof HCS_CREDENTIAL_KEYS)[number], string> = {
  accessKey: 'the access key (AK) is required',
  secretKey: 'the secret key (SK) is required',
  projectID: 'the project ID is required',
  region: 'the region is required',
  externalGlobalDomain: 'the external global domain is required',
};

const DOMAIN_MESSAGE = 'a domain name, optionally with :port, without a scheme or a path';
const PLAIN_HTTP_MESSAGE =
  'http sends the access key unencrypted: choose https, or tick "Allow plain HTTP" to accept that';

/**
 * The HCS credential's rules: a Secret name and the five documented keys
 * (access key, secret key, project ID, region, external global domain), the
 * endpoint scheme (`http` only with "Allow plain HTTP" ticked) and an
 * optional PEM CA bundle. On update every key may stay empty (the stored
 * value is kept); what is typed must still be valid. Messages name the field,
 * never the typed value.
 */
export const validateHcsCredential: (
  input: Readonly<Record<string, string>>,
  creating: boolean,
) => FieldProblem[] = credentialValidator<Readonly<Record<string, string>>>((input, creating, { add }) => {
  if (creating) {
    for (const key of HCS_CREDENTIAL_KEYS) if (!input[key]) add(key, REQUIRED[key]);
  }
  const domain = input.externalGlobalDomain ?? '';
  if (domain && !HcsCredentials.shape.externalGlobalDomain.safeParse(domain).success)
    add('externalGlobalDomain', DOMAIN_MESSAGE);
  if (input.schema === 'http' && input.allowPlainHTTP !== 'true') add('schema', PLAIN_HTTP_MESSAGE);
});

/** What the form warns of while the user types: plain HTTP accepted. */
export function hcsCredentialWarnings(input: Readonly<Record<string, string>>): string[] {
  return input.schema === 'http' && input.allowPlainHTTP === 'true' ? [`${PLAIN_HTTP_WARNING}.`] : [];
}

export const credentialForm = credentialFormExtension({
  extension: 'hcs.credential.form',
  className: HCS_CLASS,
  noun: 'HCS cloud credential',
  validate: validateHcsCredential,
  warnings: hcsCredentialWarnings,
  fields: [
    { key: 'accessKey', label: 'Access key (AK)', update: keep },
    { key: 'secretKey', label: 'Secret key (SK)', control: 'password', update: keep },
    {
      key: 'projectID',
      label: 'Project ID',
      create: { hint: 'The ID of the HCS project the clusters are created in' },
      update: keep,
    },
    {
      key: 'region',
      label: 'Region',
      create: { placeholder: 'cn-global-1' },
      update: { placeholder: 'cn-global-1', ...keep },
    },
    {
      key: 'externalGlobalDomain',
      label: 'External global domain',
      create: {
        placeholder: 'hcs.example.com',
        hint: 'Services are reached at {service}.{region}.{this domain}; add :port when not the default',
      },
      update: { placeholder: 'hcs.example.com', ...keep },
    },
    {
      key: 'schema',
      label: 'Endpoint scheme',
      control: 'select',
      choices: namedChoices(['https', 'http']),
      initial: 'https',
      create: { noEmptyChoice: true },
      update: { placeholder: '(keep the stored scheme)' },
    },
    allowPlainHttpField(
      'Needed for http: the access key then crosses the network unencrypted',
      'Unticked keeps the stored value',
    ),
    caBundleField('The CA that signed the platform’s certificates; empty for the system’s CAs', keep),
  ],
}) satisfies StrictAnchorExport<'credential.form'>;
