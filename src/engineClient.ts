import * as Comlink from 'comlink';
import { transferAbortSignals } from './engine/abortSignal';
import { EngineError } from './engine/errors';
import type { EngineAPI } from './engine/worker';

type Unwrapped = {
  [K in keyof EngineAPI]: (
    ...args: Parameters<EngineAPI[K]>
  ) => Promise<Extract<Awaited<ReturnType<EngineAPI[K]>>, { ok: true }>['value']>;
};

const worker = new Worker(new URL('./engine/worker.ts', import.meta.url), {
  type: 'module',
  name: 'retort-engine',
});
transferAbortSignals();
const remote = Comlink.wrap<EngineAPI>(worker);

/**
 * The engine worker's API as ordinary async functions: a failure reported by
 * the worker as data is thrown here again as an EngineError.
 */
export const engine = new Proxy({} as Unwrapped, {
  get:
    (_, name: string) =>
    async (...args: unknown[]) => {
      const call = remote[name as keyof EngineAPI] as unknown as (
        ...a: unknown[]
      ) => Promise<{ ok: boolean; value?: unknown; error?: never }>;
      const outcome = await call(...args);
      if (!outcome.ok) throw new EngineError(outcome.error!);
      return outcome.value;
    },
});

/** For callbacks the worker calls back (progress). */
export const callback = Comlink.proxy;
