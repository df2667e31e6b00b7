/// <reference lib="dom" />
import type { FieldProblem, StrictAnchorExport } from '@immutable-infra/core';
import {
  caBundleField,
  caBundleProblems,
  credentialFormExtension,
  credentialNameProblems,
  KEEP_STORED_VALUE as keep,
} from '@immutable-infra/ui-kit';
import { Thumbprint, VCENTER_SERVER, VCENTER_SERVER_MESSAGE } from '../../api/common.js';
import { VSPHERE_CLASS } from '../catalog.js';

/**
 * The vCenter credential's rules: a Secret name, a vCenter host (with :port
 * when not 443, no scheme, as `spec.server` takes it), a user and password,
 * and at most one way of trusting vCenter's certificate: a PEM CA bundle or
 * its thumbprint (none: the system's CAs). On update every key may stay empty
 * (the stored value is kept); what is typed must still be valid. Messages name
 * the problem, never the typed value.
 */
export function validateVsphereCredential(
  input: Readonly<Record<string, string>>,
  creating: boolean,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const { server = '', username = '', password = '', caBundle = '', thumbprint = '' } = input;
  if (creating) {
    problems.push(...credentialNameProblems(input.name ?? ''));
    if (!server) problems.push({ field: 'server', message: 'the vCenter server is required' });
    if (!username) problems.push({ field: 'username', message: 'the username is required' });
    if (!password) problems.push({ field: 'password', message: 'the password is required' });
  }
  if (server && !VCENTER_SERVER.test(server))
    problems.push({ field: 'server', message: VCENTER_SERVER_MESSAGE });
  problems.push(...caBundleProblems(caBundle));
  if (thumbprint) {
    const parsed = Thumbprint.safeParse(thumbprint);
    if (!parsed.success)
      problems.push({ field: 'thumbprint', message: parsed.error.issues[0]?.message ?? 'not a thumbprint' });
    else if (caBundle)
      problems.push({
        field: 'thumbprint',
        message: 'give the CA bundle or the thumbprint, not both (the thumbprint alone decides)',
      });
  }
  return problems;
}

export const credentialForm = credentialFormExtension({
  extension: 'vsphere.credential.form',
  className: VSPHERE_CLASS,
  noun: 'vCenter credential',
  validate: validateVsphereCredential,
  fields: [
    {
      key: 'server',
      label: 'vCenter server',
      create: {
        placeholder: 'vcenter.example.com',
        hint: 'Host name or address; add :port when not 443',
      },
      update: { placeholder: 'vcenter.example.com', ...keep },
    },
    {
      key: 'username',
      label: 'Username',
      create: { placeholder: 'administrator@vsphere.local' },
      update: keep,
    },
    { key: 'password', label: 'Password', control: 'password', update: keep },
    caBundleField(
      'The CA that signed vCenter’s certificate (the VMCA root); empty for the system’s CAs',
      keep,
    ),
    {
      key: 'thumbprint',
      label: 'Certificate thumbprint',
      create: {
        placeholder: 'AB:CD:…',
        hint: 'Instead of a CA bundle: SHA-256 or SHA-1 of vCenter’s certificate',
      },
      update: { placeholder: 'AB:CD:…', ...keep },
    },
  ],
}) satisfies StrictAnchorExport<'credential.form'>;
