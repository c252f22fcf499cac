import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { test } from 'vitest';
import { importRows } from '../src/engine/db/datasets';
import { createRun, storeResults } from '../src/engine/db/runs';
import { createOpenAIModel } from '../src/engine/llm/openai';
import { executeRun } from '../src/engine/run/runner';
import { defaultRunSettings } from '../src/engine/task';
import { startTestServer } from '../tests/server/openaiServer';

test('scratch', async () => {
  const server = await startTestServer({ latencyMs: 100 });
  const rows = 6400;
  const ds = await importRows({ name: 'p', source: 'b' }, (sink) =>
    sink.add(Array.from({ length: rows }, (_, i) => ({ instruction: `prompt ${i}` }))),
  );
  const run = await createRun(
    {
      datasetId: ds.id,
      taskId: 'text_generation',
      taskParams: {},
      settings: defaultRunSettings,
      provider: { provider: 'openai', baseURL: server.url, model: 'm' },
      sampling: { temperature: 0 },
      concurrency: 64,
    },
    rows,
  );
  // store cost
  const fake = Array.from({ length: 64 }, (_, i) => ({
    runId: 'x',
    rowIndex: i,
    generation: 0,
    status: 'done' as const,
    formatFailed: false,
    outputs: { generation: 'hello there' },
    modelName: 'm',
    metadata: {
      statistics_text_generation: { input_tokens: 1, output_tokens: 2 },
      raw_output_text_generation: 'hello there',
      raw_input_text_generation: [{ role: 'user', content: 'prompt 1' }],
    },
  }));
  let t = performance.now();
  for (let i = 0; i < 10; i++)
    await storeResults(
      run.id,
      fake.map((f) => ({ ...f, runId: run.id, rowIndex: f.rowIndex + i * 64 + 100000 })),
    );
  console.log('storeResults(64) ms', (performance.now() - t) / 10);
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const ctrl = new AbortController();
  let arrivals = 0;
  let inflight = 0;
  let sum = 0;
  let samples = 0;
  server.setOptions({
    latencyMs: () => {
      arrivals++;
      inflight++;
      setTimeout(() => inflight--, 100);
      return 100;
    },
  });
  const iv = setInterval(() => {
    sum += inflight;
    samples++;
  }, 10);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  t = performance.now();
  await executeRun(run, createOpenAIModel({ baseURL: server.url, model: 'm' }), ctrl.signal);
  clearInterval(iv);
  const { profile } = await session.post('Profiler.stop');
  writeFileSync('/tmp/run.cpuprofile', JSON.stringify(profile));
  console.log(
    's',
    (performance.now() - t) / 1000,
    'mean inflight',
    sum / samples,
    'loop delay p50/p99/max ms',
    h.percentile(50) / 1e6,
    h.percentile(99) / 1e6,
    h.max / 1e6,
  );
  await server.close();
});
