import { isPlatformFailure, PlatformFailure, type PlatformFailureKind } from '@immutable-infra/core';
import { failureClassifier } from '@immutable-infra/provider-kit';
import { child, list, readValue, xsiTypeOf } from './soap-xml.js';

/**
 * vim25 fault types (the `xsi:type` of a SOAP fault's detail, or of a task's `info.error.fault`)
 * and the failure kind each one is. A fault not listed is PlatformError: vSphere answered, and the
 * message says what it said.
 */
const FAULT_KINDS: Readonly<Record<string, PlatformFailureKind>> = {
  InvalidLogin: 'LoginRefused',
  NotAuthenticated: 'LoginRefused',
  // An SSO account that is locked or whose password expired (vCenter answers with these).
  UserLocked: 'AccountLocked',
  PasswordExpired: 'LoginRefused',
  ManagedObjectNotFound: 'NotFound',
  NotFound: 'NotFound',
  FileNotFound: 'NotFound',
  DuplicateName: 'Conflict',
  AlreadyExists: 'Conflict',
  FileAlreadyExists: 'Conflict',
  ConcurrentAccess: 'Conflict',
  TaskInProgress: 'Conflict',
  InvalidPowerState: 'Conflict',
  InvalidState: 'Conflict',
  InsufficientResourcesFault: 'QuotaExceeded',
  InsufficientHostCapacityFault: 'QuotaExceeded',
  InsufficientMemoryResourcesFault: 'QuotaExceeded',
  InsufficientCpuResourcesFault: 'QuotaExceeded',
  NotEnoughLicenses: 'QuotaExceeded',
  NoDiskSpace: 'QuotaExceeded',
  OutOfBounds: 'QuotaExceeded',
  RequestCanceled: 'PlatformError',
  HostNotConnected: 'Unreachable',
  HostCommunication: 'Unreachable',
  NoHost: 'Unreachable',
};

/** Faults that no retry fixes: the template or folder named is missing, the spec is invalid. */
const PERMANENT_FAULTS = new Set([
  'ManagedObjectNotFound',
  'NotFound',
  'FileNotFound',
  'InvalidArgument',
  'InvalidRequest',
  'InvalidProperty',
  'InvalidType',
  'InvalidName',
  'NotSupported',
  'NoPermission',
  'InvalidDatastorePath',
]);

const faultKindOf = failureClassifier({ codes: FAULT_KINDS });

export function vsphereFailureKind(faultType: string | undefined): PlatformFailureKind {
  return faultKindOf({ code: faultType });
}

export function isPermanentFault(faultType: string | undefined): boolean {
  return faultType !== undefined && PERMANENT_FAULTS.has(faultType);
}

/** A vSphere fault: kind from the fault type, which is also the failure's platformCode. */
export class VsphereFault extends PlatformFailure {
  override readonly name = 'VsphereFault';
  constructor(
    readonly faultType: string,
    message: string,
    details: { httpStatus?: number; operation?: string; cause?: unknown } = {},
  ) {
    super(vsphereFailureKind(faultType), message, { ...details, platformCode: faultType });
  }
}

/** Whether an error is vSphere saying the session is gone (expired, logged out, terminated). */
export function isSessionExpired(error: unknown): boolean {
  return isPlatformFailure(error) && error.details.platformCode === 'NotAuthenticated';
}

/** Whether an error is vSphere saying the object does not exist. */
export function isNotFound(error: unknown): boolean {
  return isPlatformFailure(error) && error.kind === 'NotFound';
}

/** The fault type of a fault's detail element: its `xsi:type`, or its name less `Fault`. */
function faultTypeOf(detail: unknown): { type: string | undefined; fields: unknown } {
  if (!detail || typeof detail !== 'object') return { type: undefined, fields: undefined };
  for (const [key, value] of Object.entries(detail as Record<string, unknown>)) {
    if (key.startsWith('@') || key === '#text') continue;
    const first = list(value)[0];
    const xsiType =
      first && typeof first === 'object' ? xsiTypeOf(first as Record<string, unknown>) : undefined;
    const local = key.includes(':') ? key.slice(key.indexOf(':') + 1) : key;
    const type = typeof xsiType === 'string' ? xsiType : local.replace(/Fault$/, '');
    return { type, fields: readValue(first) };
  }
  return { type: undefined, fields: undefined };
}

/** The object a ManagedObjectNotFound names, for the message. */
function objectNamed(fields: unknown): string | undefined {
  const obj = (fields as { obj?: unknown } | undefined)?.obj;
  if (obj && typeof obj === 'object' && 'value' in obj) {
    const { type, value } = obj as { type?: string; value?: string };
    return `${type ?? 'object'} ${value ?? ''}`.trim();
  }
  return undefined;
}

/** Reads a SOAP fault (`soapenv:Fault`) into a VsphereFault; undefined when the body holds none. */
export function readSoapFault(
  body: unknown,
  operation: string,
  httpStatus: number,
): VsphereFault | undefined {
  const fault = child(body, 'Fault');
  if (fault === undefined) return undefined;
  const faultString = readValue(child(fault, 'faultstring'));
  const { type, fields } = faultTypeOf(child(fault, 'detail'));
  const faultType = type ?? 'SoapFault';
  const words = typeof faultString === 'string' && faultString.trim() ? faultString.trim() : faultType;
  const named = faultType === 'ManagedObjectNotFound' ? objectNamed(fields) : undefined;
  const message = `${operation}: ${faultType}${named ? ` (${named})` : ''}: ${words}`;
  return new VsphereFault(faultType, message, { httpStatus, operation });
}

/** A task's `info.error` (a LocalizedMethodFault) as its fault type and words. */
export function readTaskError(error: unknown): { faultType: string; message: string } {
  const fields = (error ?? {}) as { fault?: unknown; localizedMessage?: unknown };
  const fault = fields.fault as { _type?: unknown } | undefined;
  const faultType = typeof fault?._type === 'string' ? fault._type : 'TaskFailed';
  const localized = typeof fields.localizedMessage === 'string' ? fields.localizedMessage.trim() : '';
  return { faultType, message: localized && localized !== faultType ? localized : faultType };
}
