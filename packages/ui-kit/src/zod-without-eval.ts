import { z } from 'zod';

/**
 * Imported first by an extension's browser bundle, before any schema is
 * built (`import '@immutable-infra/ui-kit/zod-without-eval'`): zod would
 * otherwise probe `new Function` to compile fast parsers, which a host's
 * Content-Security-Policy without 'unsafe-eval' (Fleet Essentials sends one)
 * reports as a violation in the console. Parsing works the same without it.
 * A subpath of its own, with zod an optional peer, so the kit's main entry
 * stays free of zod for extensions that do not use it.
 */
z.config({ jitless: true });
