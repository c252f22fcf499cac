// Puts the app's real engine worker, and a worker for the baselines it is
// compared with, on `window.bench` for the Playwright benchmarks; and, when a
// benchmark asks, the app itself, over the same IndexedDB.
import { wrap } from 'comlink';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import type { EngineAPI } from '../../src/engine/worker';
import type { BaselineAPI } from './baseline';

const engine = wrap<EngineAPI>(
  new Worker(new URL('../../src/engine/worker.ts', import.meta.url), { type: 'module' }),
);
const baseline = wrap<BaselineAPI>(
  new Worker(new URL('./baseline.ts', import.meta.url), { type: 'module' }),
);

/** Mounts the app below the harness (only the review benchmark does: it reads IndexedDB live). */
async function mountApp(): Promise<void> {
  const [{ App }] = await Promise.all([
    import('../../src/components/App'),
    import('../../src/styles.css'),
  ]);
  createRoot(document.getElementById('app')!).render(createElement(App));
}

(window as unknown as { bench: unknown }).bench = { engine, baseline, mountApp };
