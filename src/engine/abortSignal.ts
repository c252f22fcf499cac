import * as Comlink from 'comlink';

/**
 * Lets an AbortSignal cross the worker boundary, as Squoosh's worker bridge
 * takes one first in every call: the page's signal becomes a MessagePort that
 * says "abort" once, and the worker hands its command a signal of its own that
 * aborts then. Registered on both sides (engine worker and page).
 */
export function transferAbortSignals(): void {
  Comlink.transferHandlers.set('abort-signal', {
    canHandle: (value): value is AbortSignal =>
      typeof AbortSignal !== 'undefined' && value instanceof AbortSignal,
    serialize(signal: AbortSignal) {
      const { port1, port2 } = new MessageChannel();
      const abort = () => {
        port1.postMessage('abort');
        port1.close();
      };
      if (signal.aborted) abort();
      else signal.addEventListener('abort', abort, { once: true });
      return [port2, [port2]];
    },
    deserialize(port: MessagePort) {
      const controller = new AbortController();
      port.onmessage = () => {
        controller.abort();
        port.close();
      };
      return controller.signal;
    },
  });
}
