// Stopgap until the app's UI loads GGUF models: exposes the harness worker to
// the Playwright test as `window.harness`.
import { wrap } from 'comlink';
import type { HarnessApi } from './worker';

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
(window as unknown as { harness: unknown }).harness = wrap<HarnessApi>(worker);
