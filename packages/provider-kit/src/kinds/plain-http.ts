import { type ConditionInput, falseCondition, trueCondition } from '@immutable-infra/core';
import { z } from 'zod';

/**
 * The credential Secret key by which a user accepts a platform endpoint over plain HTTP. Without
 * it an `http://` endpoint is refused: the password, the access keys' signatures and the session
 * tokens would cross the network unencrypted, which should be a choice, not a typo.
 */
export const PLAIN_HTTP_CONSENT_KEY = 'allowPlainHTTP';

/** The value of `allowPlainHTTP`: `true` or `false` in any case (surrounding space ignored); absent or empty is false. */
export const PlainHttpConsent = z
  .string()
  .optional()
  .transform((value) => value?.trim().toLowerCase() || 'false')
  .pipe(z.enum(['true', 'false']))
  .transform((value) => value === 'true');

/** Why a plain-HTTP endpoint was refused, after the key that holds it; never a value. */
export const PLAIN_HTTP_REFUSED = `uses plain http://, which sends the credential unencrypted: use https://, or set ${PLAIN_HTTP_CONSENT_KEY}: "true" in the Secret to accept that`;

/** What the condition and the UI's warning say of a credential that accepted plain HTTP. */
export const PLAIN_HTTP_WARNING = `plain HTTP is allowed (${PLAIN_HTTP_CONSENT_KEY}): the credential and session tokens cross the network unencrypted`;

/**
 * A refinement for a credential schema: an endpoint that is plain HTTP without the consent key is
 * a problem of the key `endpointKey` (its message is ours, so `parseCredentialData` reports it).
 * `isPlainHttp` must not throw on bad input: zod runs refinements even after a field failed.
 */
export function refusePlainHttpWithoutConsent<Credentials extends { allowPlainHTTP: boolean }>(
  endpointKey: string,
  isPlainHttp: (credentials: Credentials) => boolean,
) {
  return (credentials: Credentials, ctx: z.RefinementCtx): void => {
    if (isPlainHttp(credentials) && !credentials.allowPlainHTTP)
      ctx.addIssue({ code: 'custom', path: [endpointKey], message: PLAIN_HTTP_REFUSED });
  };
}

/** The condition that repeats, on the object that uses a credential, whether its connection is encrypted. */
export const SECURE_CONNECTION_CONDITION = 'SecureConnection';

/** `SecureConnection`: True over HTTPS; False with a warning when the credential accepted plain HTTP. */
export function secureConnectionCondition(plainHttp: boolean): ConditionInput {
  return plainHttp
    ? falseCondition(SECURE_CONNECTION_CONDITION, 'PlainHTTPAllowed', PLAIN_HTTP_WARNING, 'Warning')
    : trueCondition(SECURE_CONNECTION_CONDITION, 'HTTPS');
}
