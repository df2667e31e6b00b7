/** Where the HCS extension's objects live in the API, and the annotations it reads and writes. */
import { infrastructurePath } from '@immutable-infra/ui-kit';

export { CREATOR_ANNOTATION, DISPLAY_NAME_ANNOTATION } from '@immutable-infra/ui-kit';

/** The apiVersion of the HCS kinds, as a manifest writes it. */
export const HCS_API_VERSION = 'infrastructure.cluster.x-k8s.io/v1beta1';

/** The API path of a namespace's objects of an HCS kind (`plural`), or of one of them. */
export const hcsPath = infrastructurePath;

/** The class on every HCS extension root, next to the kit's: a hook for the host's styles and for tests. */
export const HCS_CLASS = 'hcs-ext';
