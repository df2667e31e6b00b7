import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This package's folder (dist/ or src/ is one level down): ensure.sh and the go.mod files travel with it. */
export const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
