/// <reference lib="webworker" />
/**
 * The app's one service worker. It precaches the built app (the list is put in
 * self.__WB_MANIFEST at build), so the app loads with the network off after one
 * visit, and it serves every same-origin response with the cross-origin
 * isolation headers, so llama.cpp gets its threads even from a host that cannot
 * send them (src/swRegistration.ts reloads the page once to take them).
 * Cross-origin requests never pass through it.
 */
import { clientsClaim, type WorkboxPlugin } from 'workbox-core';
import {
  addPlugins,
  cleanupOutdatedCaches,
  createHandlerBoundToURL,
  precacheAndRoute,
} from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope;

const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** The response as it came, plus any isolation header the host left out. */
function withIsolation(response: Response): Response {
  const missing = Object.entries(isolationHeaders).filter(([name]) => !response.headers.has(name));
  // An opaque or error response cannot be rebuilt; nothing isolated needs one anyway.
  if (missing.length === 0 || response.status === 0) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of missing) headers.set(name, value);
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

const isolate: WorkboxPlugin = {
  handlerWillRespond: async ({ response }) => withIsolation(response),
};

// A new version takes over at once: the app keeps its data in IndexedDB, not in the page.
self.skipWaiting();
clientsClaim();

addPlugins([isolate]);
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html')));
// What is not precached (a GGUF served beside the app, say) comes from the network, isolated too.
registerRoute(
  ({ url }) => url.origin === self.location.origin,
  async ({ request }) => withIsolation(await fetch(request)),
);
