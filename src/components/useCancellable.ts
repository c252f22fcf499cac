import { useRef, useState } from 'react';

/**
 * A long engine command the person can cancel (an import, an export, a
 * derived dataset): `start` gives it an AbortSignal that crosses to the worker,
 * `cancel` aborts it. A cancelled command resolves with `cancelled: true`
 * instead of throwing; any other failure is thrown.
 */
export function useCancellable() {
  const controller = useRef<AbortController | null>(null);
  const [busy, setBusy] = useState(false);

  async function start<T>(
    command: (signal: AbortSignal) => Promise<T>,
  ): Promise<{ cancelled: false; value: T } | { cancelled: true }> {
    const current = new AbortController();
    controller.current = current;
    setBusy(true);
    try {
      return { cancelled: false, value: await command(current.signal) };
    } catch (error) {
      if (current.signal.aborted) return { cancelled: true };
      throw error;
    } finally {
      if (controller.current === current) controller.current = null;
      setBusy(false);
    }
  }

  return { busy, start, cancel: () => controller.current?.abort() };
}
