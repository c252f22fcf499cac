/**
 * Browsers keep at most this many HTTP/1.1 connections to one server
 * (Chromium, Firefox and Safari alike), and an http:// address is always
 * HTTP/1.1: requests past this many wait in the browser. Over https:// a
 * server that speaks HTTP/2 takes them all on one connection.
 */
export const HTTP1_CONNECTIONS_PER_HOST = 6;

/** How many of `concurrency` requests to `baseURL` would wait in the browser rather than go out. */
export function requestsHeldBack(baseURL: string, concurrency: number): number {
  if (!/^http:\/\//i.test(baseURL.trim())) return 0;
  return Math.max(0, concurrency - HTTP1_CONNECTIONS_PER_HOST);
}
