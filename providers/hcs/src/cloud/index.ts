// The kit's lookup, still offered here: embedders and the demo give it to createHcsProvider.
export { fixedAddressLookup } from '@immutable-infra/provider-kit';
export { type RequestToSign, SIGNING_ALGORITHM, sdkDate, signRequest } from './aksk-signer.js';
export { HcsClient, type HcsClientOptions, type HcsCloud, type HcsSender } from './hcs-client.js';
export {
  credentialFromSecret,
  type HcsAccount,
  type HcsConnections,
  hcsConnections,
  hcsCredentialSecret,
} from './hcs-connections.js';
export { type HcsRegion, type HcsService, serviceEndpoint } from './hcs-endpoints.js';
export {
  describeHcsFailure,
  hcsFailureKind,
  hcsFailureReason,
  interpretJob,
  readHcsErrorAnswer,
  readObsErrorAnswer,
} from './hcs-failures.js';
export {
  type HcsCredential,
  HcsHttp,
  type HcsHttpOptions,
  type HcsRequest,
  type HcsResponse,
  type ObjectRequest,
  type ObsBucketRef,
} from './hcs-http.js';
export type * from './hcs-types.js';
export { encodeObjectKey, presignObsGet, signObsRequest } from './obs-signer.js';
