import {
  type PlatformCallRecorder,
  PlatformFailure,
  type PlatformLimits,
  rememberSecretValue,
} from '@immutable-infra/core';
import {
  AccountSessions,
  accountTransportLimits,
  CredentialPool,
  credentialFingerprint,
  JsonTransport,
  PooledAccountSession,
  type TransportAccount,
} from '@immutable-infra/provider-kit';
import { child, envelope, type MoRef, parseXml, readMoRef, readValue, type SoapValue } from './soap-xml.js';
import { isSessionExpired, readSoapFault, VsphereFault } from './vsphere-faults.js';

/** vCenter's SOAP endpoint path. */
export const SDK_PATH = '/sdk';
const SESSION_COOKIE = 'vmware_soap_session';
// The vim25 release we write requests for; vCenter 7.0 U3 and later understand it.
const DEFAULT_API_VERSION = '8.0.1.0';
const SERVICE_INSTANCE: MoRef = { type: 'ServiceInstance', value: 'ServiceInstance' };

export interface VsphereTlsOptions {
  /** PEM of the CA (or CAs) that signed vCenter's certificate (the VMCA root, typically). */
  caCertificate?: string | undefined;
  /**
   * SHA-256 (or SHA-1, as vSphere manifests carry it) thumbprint of vCenter's own certificate (`AB:CD:...`):
   * the certificate is accepted when, and only when, it matches; no CA is needed then.
   */
  thumbprint?: string | undefined;
  /** Accept any certificate. Only for labs: anyone on the path can then take the session. */
  insecure?: boolean | undefined;
}

/** Who logs in where. */
export interface VsphereCredential extends VsphereTlsOptions {
  /** `https://vcenter.example.com` (a port is allowed; the path is always /sdk). */
  server: string;
  username: string;
  password: string;
  /** This account's request limits (from its Secret or the manager); the session options' otherwise. */
  limits?: PlatformLimits | undefined;
}

export interface VsphereSessionOptions {
  requestTimeoutMs?: number | undefined;
  /** Client-side rate limit; 20 requests per second with a burst of 40 by default. */
  qps?: number | undefined;
  burst?: number | undefined;
  /** Counts every vim25 call by method name, logins and logouts as 'Login' and 'Logout'. */
  recorder?: PlatformCallRecorder | undefined;
  /** How long a refused credential is not tried again (vCenter locks SSO accounts after failures). */
  loginBackoffMs?: number | undefined;
  now?: (() => number) | undefined;
}

/** The ServiceContent entries this client uses. */
export interface ServiceContent {
  rootFolder: MoRef;
  propertyCollector: MoRef;
  searchIndex: MoRef;
  sessionManager: MoRef;
  /** Where disks outside any VM are made, queried and deleted (persistent disks). */
  virtualDiskManager?: MoRef | undefined;
  fileManager?: MoRef | undefined;
  about: { apiVersion: string; fullName: string; instanceUuid?: string | undefined };
}

/** A logged-in session: the cookie and what RetrieveServiceContent said. */
export interface SoapSession {
  cookie: string;
  /** The transport the session was made on (the account's). */
  transport: JsonTransport;
  /** The session's key in SessionManager.sessionList (what TerminateSession takes). */
  key: string;
  content: ServiceContent;
}

export type VsphereAccount = TransportAccount<VsphereCredential>;

export type VspherePool = CredentialPool<VsphereAccount, SoapSession>;

const accountOf = (credential: VsphereCredential) => ({
  endpoint: credential.server,
  user: credential.username,
});

/** What else a session is made from: a changed password, TLS setting or limit needs a new one. */
const contentOf = (credential: VsphereCredential) =>
  credentialFingerprint([
    credential.password,
    credential.caCertificate ?? '',
    credential.thumbprint ?? '',
    credential.insecure === true,
    credential.limits ?? {},
  ]);

function sessionCookieOf(headers: Record<string, string>): string | undefined {
  const match = new RegExp(`${SESSION_COOKIE}=("[^"]*"|[^;,\\s]*)`).exec(headers['set-cookie'] ?? '');
  return match?.[1] || undefined;
}

/**
 * One SOAP call: the envelope out, the method's `returnval` (or the whole response element) back,
 * a SOAP fault thrown as a classified VsphereFault. Used by the session for every method.
 */
async function soapCall(
  transport: JsonTransport,
  apiVersion: string,
  method: string,
  self: MoRef,
  fields: Record<string, SoapValue>,
  cookie: string | undefined,
  signal?: AbortSignal,
): Promise<{ returnval: unknown; cookie: string | undefined }> {
  const operation = `${method}(${self.type})`;
  const answer = await transport.requestText({
    method: 'POST',
    path: SDK_PATH,
    bytes: { data: Buffer.from(envelope(method, self, fields)), contentType: 'text/xml; charset=utf-8' },
    headers: {
      accept: 'text/xml',
      soapaction: `urn:vim25/${apiVersion}`,
      ...(cookie ? { cookie: `${SESSION_COOKIE}=${cookie}` } : {}),
    },
    operation,
    signal,
  });
  let document: ReturnType<typeof parseXml>;
  try {
    document = parseXml(answer.text);
  } catch {
    throw new PlatformFailure('PlatformError', `${operation}: HTTP ${answer.status}: the answer is not XML`, {
      httpStatus: answer.status,
      operation,
    });
  }
  const body = child(child(document, 'Envelope'), 'Body');
  const fault = readSoapFault(body, operation, answer.status);
  if (fault) throw fault;
  if (answer.status < 200 || answer.status >= 300 || body === undefined)
    throw new PlatformFailure(
      'PlatformError',
      `${operation}: HTTP ${answer.status}: the answer is not a SOAP response`,
      { httpStatus: answer.status, operation },
    );
  const response = child(body, `${method}Response`);
  return {
    returnval: child(response, 'returnval'),
    cookie: sessionCookieOf(answer.headers) ?? cookie,
  };
}

function readServiceContent(node: unknown): ServiceContent {
  const need = (name: string): MoRef => {
    const moRef = readMoRef(child(node, name));
    if (!moRef)
      throw new VsphereFault('InvalidResponse', `RetrieveServiceContent: the answer has no ${name}`);
    return moRef;
  };
  const about = (readValue(child(node, 'about')) ?? {}) as Record<string, unknown>;
  return {
    rootFolder: need('rootFolder'),
    propertyCollector: need('propertyCollector'),
    searchIndex: need('searchIndex'),
    sessionManager: need('sessionManager'),
    virtualDiskManager: readMoRef(child(node, 'virtualDiskManager')),
    fileManager: readMoRef(child(node, 'fileManager')),
    about: {
      apiVersion: typeof about.apiVersion === 'string' ? about.apiVersion : DEFAULT_API_VERSION,
      fullName: typeof about.fullName === 'string' ? about.fullName : '',
      instanceUuid: typeof about.instanceUuid === 'string' ? about.instanceUuid : undefined,
    },
  };
}

async function login({ credential, transport }: VsphereAccount, signal?: AbortSignal): Promise<SoapSession> {
  const retrieved = await soapCall(
    transport,
    DEFAULT_API_VERSION,
    'RetrieveServiceContent',
    SERVICE_INSTANCE,
    {},
    undefined,
    signal,
  );
  const content = readServiceContent(retrieved.returnval);
  const loggedIn = await soapCall(
    transport,
    content.about.apiVersion,
    'Login',
    content.sessionManager,
    { userName: credential.username, password: credential.password },
    retrieved.cookie,
    signal,
  );
  if (!loggedIn.cookie)
    throw new VsphereFault('InvalidResponse', `Login: vCenter set no ${SESSION_COOKIE} cookie`);
  rememberSecretValue(loggedIn.cookie);
  const userSession = readValue(loggedIn.returnval) as { key?: unknown } | undefined;
  return {
    cookie: loggedIn.cookie,
    transport,
    key: typeof userSession?.key === 'string' ? userSession.key : '',
    content,
  };
}

/** Sessions shared by every VsphereSession given this pool: one login per account. */
export function vsphereSessionPool(options: VsphereSessionOptions = {}): VspherePool {
  const backoffMs = options.loginBackoffMs ?? 5 * 60_000;
  return new CredentialPool<VsphereAccount, SoapSession>({
    accountOf: ({ credential }) => accountOf(credential),
    fingerprintOf: ({ credential }) => contentOf(credential),
    login: (account, signal) => login(account, signal),
    // Best effort: vCenter expires an idle session anyway (30 minutes by default).
    logout: async ({ transport, content, cookie }) => {
      await soapCall(transport, content.about.apiVersion, 'Logout', content.sessionManager, {}, cookie);
    },
    isSessionExpired,
    // vCenter's default SSO lockout is 5 failures within 180 s: stay below it.
    loginBackoff: { maxRefusals: 3, windowMs: backoffMs, lockedMs: backoffMs },
    recorder: options.recorder,
    now: options.now,
  });
}

const REPLACED_SESSION_CLOSE_MS = 30_000;

/**
 * The sessions of a provider: one {@link VsphereSession} (one transport, one login) per vCenter and
 * account, shared by every reconcile. A credential whose password or TLS settings changed gets a
 * new session; the pool logs the replaced one out (over its transport) when the new one logs in,
 * and calls may still be under way on it: its connections close a little later.
 */
export class VsphereSessions {
  readonly pool: VspherePool;
  readonly #sessions: AccountSessions<VsphereCredential, VsphereSession>;

  constructor(readonly options: VsphereSessionOptions = {}) {
    const pool = vsphereSessionPool(options);
    this.pool = pool;
    this.#sessions = new AccountSessions({
      idOf: (credential) => JSON.stringify([credential.server, credential.username]),
      fingerprintOf: contentOf,
      open: (credential) => new VsphereSession(credential, options, pool),
      closeReplacedAfterMs: REPLACED_SESSION_CLOSE_MS,
    });
  }

  session(credential: VsphereCredential): VsphereSession {
    return this.#sessions.session(credential);
  }

  async close(): Promise<void> {
    await Promise.all(this.#sessions.drain().map((session) => session.close()));
    await this.pool.close();
  }
}

/**
 * One account's session on one vCenter, through the kit's credential pool: it logs in on first
 * use (RetrieveServiceContent, then SessionManager.Login; the `vmware_soap_session` cookie is the
 * session), shares that login among concurrent callers, logs in again once when vCenter answers
 * NotAuthenticated (the session expired or was terminated), and holds logins back after refusals.
 */
export class VsphereSession extends PooledAccountSession<VsphereCredential, SoapSession> {
  readonly server: string;
  readonly username: string;
  readonly #recorder: PlatformCallRecorder | undefined;

  /** Without a pool, the session has one of its own (a one-off connection test, say). */
  constructor(credential: VsphereCredential, options: VsphereSessionOptions = {}, pool?: VspherePool) {
    const transport = new JsonTransport({
      endpoint: credential.server,
      caBundle: credential.caCertificate,
      serverCertificateThumbprint: credential.thumbprint,
      insecureSkipTlsVerify: credential.insecure,
      requestTimeoutMs: options.requestTimeoutMs,
      ...accountTransportLimits(credential.limits, options),
      secrets: [credential.password],
    });
    super({ credential, transport }, pool, () => vsphereSessionPool(options));
    this.server = transport.origin;
    this.username = credential.username;
    this.#recorder = options.recorder;
  }

  /**
   * Calls a vim25 method with the session: `self` is the managed object it is called on, `fields`
   * its parameters in WSDL order. Returns the parsed `returnval` element.
   */
  call(
    method: string,
    self: MoRef | ((content: ServiceContent) => MoRef),
    fields: Record<string, SoapValue> = {},
    options: {
      signal?: AbortSignal | undefined;
      /**
       * Inspects the answer within the session: a NotAuthenticated it throws re-logs in and repeats
       * the call, as a NotAuthenticated fault does (a property read answers an expired session with
       * NotAuthenticated per property, not with a fault).
       */
      check?: ((returnval: unknown) => void) | undefined;
      /** Counts the call (the host's per-reconcile recorder); the session's own when absent. */
      recorder?: PlatformCallRecorder | undefined;
    } = {},
  ): Promise<unknown> {
    const { signal, check } = options;
    const recorder = options.recorder ?? this.#recorder;
    return this.withSession(async (session) => {
      const target = typeof self === 'function' ? self(session.content) : self;
      const send = () =>
        soapCall(
          this.transport,
          session.content.about.apiVersion,
          method,
          target,
          fields,
          session.cookie,
          signal,
        );
      const { returnval } = await (recorder ? recorder.record(method, send) : send());
      check?.(returnval);
      return returnval;
    }, signal);
  }

  /** The ServiceContent of the session (logging in when there is none yet). */
  async content(signal?: AbortSignal): Promise<ServiceContent> {
    return (await this.currentSession(signal)).content;
  }

  /** The session's key, as SessionManager lists it (what TerminateSession takes). */
  async sessionKey(signal?: AbortSignal): Promise<string> {
    return (await this.currentSession(signal)).key;
  }
}
