import { z } from 'zod';

/**
 * Imported first by the browser bundle, before any schema is built: zod would
 * otherwise probe `new Function` to compile fast parsers, which a host's
 * Content-Security-Policy without 'unsafe-eval' (Fleet Essentials sends one)
 * reports as a violation in the console. Parsing works the same without it.
 */
z.config({ jitless: true });
