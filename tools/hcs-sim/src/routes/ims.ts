import { imageView } from '../model/wire-views.js';
import type { Route } from '../server/router.js';
import type { SimContext } from './context.js';

/** IMS image list (no project in the path: the caller's credentials name it). */
export function imsRoutes(ctx: SimContext): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v2/cloudimages',
      service: 'ims',
      operation: 'ims.listImages',
      handle: ({ query }) => {
        const name = query.get('name');
        const id = query.get('id');
        const images = ctx.cloud.inventory.images.filter(
          (i) => (!name || i.name === name) && (!id || i.id === id),
        );
        return { body: { images: images.map(imageView) } };
      },
    },
  ];
}
