/**
 * What POST /api/manifests answers, per object and as a whole. A module of
 * types only, so the browser app can import it without the server's dependencies.
 */
export interface ObjectReport {
  index: number;
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  status: 'valid' | 'invalid' | 'created' | 'failed' | 'not attempted';
  message?: string;
  /** The fields the API server named (schema, CEL rules, webhooks). */
  causes?: { field?: string; message: string }[];
}

export interface ApplyReport {
  /** `dry-run`: nothing was created; `create`: objects were created in order up to the first failure. */
  phase: 'dry-run' | 'create';
  ok: boolean;
  objects: ObjectReport[];
}
