import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DcsError } from '../model/dcs-error.js';
import type { Platform } from '../model/platform.js';
import type { UploadRecord } from '../model/records.js';
import { uploadView } from '../model/wire-views.js';
import { paginate } from '../server/pagination.js';
import type { Route } from '../server/router.js';
import { parseBody } from '../server/validation.js';
import type { SimContext } from './context.js';

const applyUploadBody = z.object({
  fileName: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[^/\\]+$/, 'must be a file name without a path'),
  fileSize: z.number().int().nonnegative(),
});

/** A file is busy while some VM's CD-ROM holds it. */
function isAttached(platform: Platform, upload: UploadRecord): boolean {
  return [...platform.vms.values()].some((vm) => vm.cdromFile === upload.filePath);
}

/**
 * The modelled two-step ISO upload: applyUpload reserves a file on a datastore and names the URI
 * to PUT the bytes to. The simulator keeps what it received (size, SHA-256 and the bytes, which only a
 * simulated guest reads: see `bootMedia`).
 */
export function uploadRoutes(ctx: SimContext): Route[] {
  const { platform } = ctx;
  const uploadById = (id: string | undefined) => {
    const upload = id === undefined ? undefined : platform.uploads.get(id);
    if (!upload) throw DcsError.notFound(`upload ${id}`);
    return upload;
  };
  return [
    {
      method: 'POST',
      pattern: '/service/sites/:site/datastores/:datastore/action/applyUpload',
      handle: ({ params, body }) => {
        const datastore = platform.inventory.datastores.find((d) => d.id === params.datastore);
        if (!datastore) throw DcsError.notFound(`datastore ${params.datastore}`);
        const request = parseBody(applyUploadBody, body);
        const datastoreUrn = platform.address.urnOf('datastores', datastore.id);
        // Applying again for the same file answers the same upload, so a client can resume.
        let upload = [...platform.uploads.values()].find(
          (u) => u.datastoreUrn === datastoreUrn && u.fileName === request.fileName,
        );
        if (upload && !upload.complete) upload.expectedSize = request.fileSize;
        upload ??= platform.newUpload({
          fileName: request.fileName,
          filePath: `[${datastore.name}] iso/${request.fileName}`,
          datastoreUrn,
          expectedSize: request.fileSize,
          sha256: undefined,
          complete: false,
        });
        return { body: { uploadUri: upload.uri, filePath: upload.filePath } };
      },
    },
    {
      method: 'PUT',
      pattern: '/service/sites/:site/uploads/:upload',
      streamsBody: true,
      handle: async ({ params, req }) => {
        const upload = uploadById(params.upload);
        if (isAttached(platform, upload)) throw DcsError.busy(`file ${upload.filePath}`);
        const hash = createHash('sha256');
        let size = 0;
        const chunks: Buffer[] = [];
        for await (const chunk of req as AsyncIterable<Buffer>) {
          size += chunk.length;
          hash.update(chunk);
          chunks.push(chunk);
        }
        if (size !== upload.expectedSize)
          throw DcsError.invalid(
            'size',
            `received ${size} bytes but applyUpload announced ${upload.expectedSize}`,
          );
        upload.sha256 = hash.digest('hex');
        upload.bytes = Buffer.concat(chunks);
        upload.complete = true;
        return { body: { filePath: upload.filePath, size, sha256: upload.sha256 } };
      },
    },
    {
      method: 'GET',
      pattern: '/service/sites/:site/uploads',
      handle: ({ query }) => {
        const fileName = query.get('fileName');
        const uploads = [...platform.uploads.values()].filter(
          (u) => fileName === null || u.fileName === fileName,
        );
        const { total, page } = paginate(uploads, query);
        return { body: { total, uploads: page.map(uploadView) } };
      },
    },
    {
      method: 'GET',
      pattern: '/service/sites/:site/uploads/:upload',
      handle: ({ params }) => ({ body: uploadView(uploadById(params.upload)) }),
    },
    {
      method: 'DELETE',
      pattern: '/service/sites/:site/uploads/:upload',
      handle: ({ params }) => {
        const upload = uploadById(params.upload);
        if (isAttached(platform, upload)) throw DcsError.busy(`file ${upload.filePath}`);
        platform.uploads.delete(upload.id);
        return { body: {} };
      },
    },
  ];
}
