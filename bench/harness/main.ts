// Puts the app's real engine worker, and a worker for the baselines it is
// compared with, on `window.bench` for the Playwright benchmarks.
import { wrap } from 'comlink';
import type { EngineAPI } from '../../src/engine/worker';
import type { BaselineAPI } from './baseline';

const engine = wrap<EngineAPI>(
  new Worker(new URL('../../src/engine/worker.ts', import.meta.url), { type: 'module' }),
);
const baseline = wrap<BaselineAPI>(
  new Worker(new URL('./baseline.ts', import.meta.url), { type: 'module' }),
);
(window as unknown as { bench: unknown }).bench = { engine, baseline };
