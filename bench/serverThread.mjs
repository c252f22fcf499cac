/**
 * The loopback test server in a thread of its own, as a real server is a
 * process of its own: sharing the benchmark's event loop, its work would
 * delay the client's and be counted against the scheduler. Plain JS because a
 * worker thread does not get Vitest's TypeScript transform; Vite loads the
 * server module instead.
 *
 * Messages in: { latencies: number[] } (milliseconds per row, the row read
 * from the prompt `prompt <row>`). Out: { url } once listening, { ok } after
 * each update.
 */
import { parentPort } from 'node:worker_threads';
import { runnerImport } from 'vite';

const { module } = await runnerImport(
  new URL('../tests/server/openaiServer.ts', import.meta.url).pathname,
  { configFile: false, logLevel: 'error' },
);

let latencies = [];
const rowOf = (request) => Number(request.body.messages.at(-1).content.split(' ')[1]);
const server = await module.startTestServer({
  latencyMs: (request) => latencies[rowOf(request)] ?? 0,
});
parentPort.on('message', (message) => {
  latencies = message.latencies;
  parentPort.postMessage({ ok: true });
});
parentPort.postMessage({ url: server.url });
