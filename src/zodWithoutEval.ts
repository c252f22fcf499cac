/**
 * zod compiles object parsers with `new Function` when it may. The built page's
 * Content-Security-Policy allows no eval, so zod would fall back anyway, but only
 * after a probe the browser reports as a violation. Imported first by each entry
 * (the page and the engine worker), before anything parses.
 */
import { z } from 'zod';

z.config({ jitless: true });
