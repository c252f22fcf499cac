import { beforeEach, describe, expect, it } from 'vitest';
import { createRun } from '../../src/engine/db/runs';
import { db } from '../../src/engine/db/schema';
import { defaultRunSettings } from '../../src/engine/task';
import { clearDatabase } from './fixtures';

describe('a new run', () => {
  beforeEach(clearDatabase);

  it('keeps the run’s settings and nothing else the caller sent, such as an API key', async () => {
    const spec = {
      datasetId: 'prompts',
      taskId: 'text_generation',
      taskParams: {},
      settings: defaultRunSettings,
      provider: { provider: 'openai' as const, baseURL: 'http://127.0.0.1:1/v1', model: 'm' },
      sampling: { temperature: 0 },
      concurrency: 4,
      pricing: { inputPerMillion: 1, outputPerMillion: 2 },
      apiKey: 'sk-stray',
    };
    const run = await createRun(spec, 10);
    const stored = await db.runs.get(run.id);
    const { apiKey: _, ...kept } = spec;
    expect(stored).toMatchObject({ ...kept, status: 'running', counters: { total: 10 } });
    expect(stored).not.toHaveProperty('apiKey');
    expect(JSON.stringify(stored)).not.toContain('sk-stray');
  });
});
