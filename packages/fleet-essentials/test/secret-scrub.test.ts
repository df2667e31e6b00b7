import { describe, expect, it } from 'vitest';
import {
  containsAny,
  credentialForms,
  isSecretsPath,
  redact,
  scrubSecrets,
  secretValuesOf,
} from '../src/server/secret-scrub.js';

describe('keeping Secret values from the browser', () => {
  it('empties Secrets wherever they appear: alone, in a SecretList, in a mixed List, and kind-less on a secrets path', () => {
    const secret = {
      kind: 'Secret',
      metadata: { name: 's' },
      data: { a: 'c2VjcmV0' },
      stringData: { b: 'x' },
    };
    expect(scrubSecrets(secret)).toEqual({
      kind: 'Secret',
      metadata: { name: 's' },
      data: { a: '' },
      stringData: { b: '' },
    });
    expect(
      scrubSecrets({ kind: 'SecretList', items: [{ metadata: { name: 's' }, data: { a: 'c2VjcmV0' } }] }),
    ).toEqual({
      kind: 'SecretList',
      items: [{ metadata: { name: 's' }, data: { a: '' } }],
    });
    expect(
      scrubSecrets({
        kind: 'List',
        items: [secret, { kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'kept' } }],
      }),
    ).toEqual({
      kind: 'List',
      items: [
        { kind: 'Secret', metadata: { name: 's' }, data: { a: '' }, stringData: { b: '' } },
        { kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'kept' } },
      ],
    });
    expect(scrubSecrets({ metadata: { name: 's' }, data: { a: 'c2VjcmV0' } }, true)).toEqual({
      metadata: { name: 's' },
      data: { a: '' },
    });
    // A ConfigMap keeps its data; only Secrets are emptied.
    expect(scrubSecrets({ kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'kept' } })).toMatchObject({
      data: { a: 'kept' },
    });
  });

  it('drops the last-applied copy kubectl keeps in an annotation', () => {
    const scrubbed = scrubSecrets({
      kind: 'Secret',
      metadata: {
        name: 's',
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"a":"c2VjcmV0"}}',
          keep: 'me',
        },
      },
    }) as { metadata: { annotations: Record<string, string> } };
    expect(scrubbed.metadata.annotations).toEqual({ keep: 'me' });
  });

  it('knows the secrets paths, and finds and removes a value in its plain, base64, URL and JSON forms', () => {
    expect(isSecretsPath('/api/v1/namespaces/a/secrets/b')).toBe(true);
    expect(isSecretsPath('/api/v1/secrets?limit=1')).toBe(true);
    expect(isSecretsPath('/api/v1/namespaces/a/configmaps')).toBe(false);
    const forms = credentialForms(['pa ss"word', 'abc']);
    expect(forms).toContain('pa ss"word');
    expect(forms).toContain(Buffer.from('pa ss"word').toString('base64'));
    expect(forms).toContain('pa%20ss%22word');
    expect(forms).toContain('pa ss\\"word');
    // Too short to be told apart from ordinary words.
    expect(forms.some((f) => f.includes('abc'))).toBe(false);
    // A flag's word (allowPlainHTTP: "true") is no secret: a result's own `true` is not one.
    expect(credentialForms(['true', 'FALSE', 'pa ss"word']).some((f) => /^(true|false)$/i.test(f))).toBe(
      false,
    );
    expect(containsAny(JSON.stringify({ ok: true }), credentialForms(['true']))).toBe(false);
    expect(redact('login pa%20ss%22word failed', forms)).toBe('login [redacted] failed');
    expect(containsAny(JSON.stringify({ p: 'pa ss"word' }), forms)).toBe(true);
    expect(secretValuesOf({ kind: 'Secret', data: { a: 'c2VjcmV0' }, stringData: { b: 'plain' } })).toEqual([
      'plain',
      'c2VjcmV0',
      'secret',
    ]);
  });
});
