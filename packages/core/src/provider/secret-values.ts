/**
 * The credential values this process has read (passwords, keys, session tokens), so that whatever
 * writes text an operator or a browser reads (logs, Events, conditions, errors) can mask them by
 * value, wherever they turn up: in a message, a URL, an error a library built.
 *
 * One set per process, shared by every copy of core that is loaded (the host's and each
 * provider's may differ): it lives on `globalThis` under a registered symbol.
 */
const REGISTRY = Symbol.for('@immutable-infra/core/secret-values');

// Shorter values would mask ordinary words and numbers; no real key or token is this short.
const MIN_LENGTH = 6;
// Session tokens are re-issued for as long as the process runs; the oldest are forgotten past this.
const MAX_VALUES = 10_000;

function registry(): Set<string> {
  const holder = globalThis as { [REGISTRY]?: Set<string> };
  holder[REGISTRY] ??= new Set<string>();
  return holder[REGISTRY];
}

/** Remembers a secret value (from a Secret, a login answer, an auth header) to mask it everywhere. */
export function rememberSecretValue(value: string | undefined): void {
  if (!value || value.length < MIN_LENGTH) return;
  const values = registry();
  values.add(value);
  if (values.size > MAX_VALUES) values.delete(values.values().next().value as string);
}

/** Every secret value remembered so far, in the order first seen. */
export function rememberedSecretValues(): ReadonlySet<string> {
  return registry();
}

/**
 * Whether a field, header or Secret key of this name holds a secret: passwords, keys, tokens,
 * `Authorization` and the platforms' auth headers (`X-Auth-Key`, `X-Auth-Token`). Names that only
 * end like one (`mask`, `task`, `disk`) or name a reference (`credentialSecretRef`) do not.
 */
export function isSecretName(name: string): boolean {
  const normalised = name.toLowerCase().replace(/[-_.\s]/g, '');
  return (
    SECRET_NAMES.has(normalised) ||
    /(password|passwd|secret|token|privatekey|apikey|secretkey|accesskey|authkey)$/.test(normalised)
  );
}

// Not `key` or `credential`: in logs those name a queue key or a Secret reference; values read
// from Secrets are masked by value whatever field carries them.
const SECRET_NAMES = new Set(['pass', 'sk', 'ak', 'authorization', 'cookie', 'setcookie']);
