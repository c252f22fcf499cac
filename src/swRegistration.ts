/**
 * Registers the service worker of the built app (src/sw.ts). On a host that does
 * not send the isolation headers, the page the person opened came without them:
 * once the worker controls the page, a reload brings the page through it, with
 * them. The reload happens only before the person has touched the page, so it
 * never costs them what they were doing; then isolation comes with the next visit.
 */
const RELOADED_KEY = 'retort:reloaded-for-isolation';

export function registerServiceWorker(): void {
  // The dev server registers none: hot reload and a precache of the build do not mix.
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;

  let touched = false;
  for (const type of ['pointerdown', 'keydown', 'dragenter'])
    addEventListener(type, () => (touched = true), { capture: true, once: true });

  navigator.serviceWorker.addEventListener('controllerchange', () => {
    // Once per tab: if the reload did not isolate the page, another one will not either.
    // (window.: a browser without crossOriginIsolated reads undefined rather than throwing.)
    if (window.crossOriginIsolated || touched || sessionStorage.getItem(RELOADED_KEY)) return;
    sessionStorage.setItem(RELOADED_KEY, 'yes');
    location.reload();
  });

  const base = import.meta.env.BASE_URL;
  addEventListener('load', () => {
    navigator.serviceWorker.register(`${base}sw.js`, { scope: base }).catch((error: unknown) => {
      // The app works without it; only offline use and the isolation fallback are lost.
      console.warn('The service worker could not be registered:', error);
    });
  });
}
