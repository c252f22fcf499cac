import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { judge } from '../../src/engine/db/results';
import { db, type Run } from '../../src/engine/db/schema';
import { EngineError, type EngineErrorData, toErrorData } from '../../src/engine/errors';
import type { HubAccess } from '../../src/engine/hub/access';
import { DATA_FILE, type PushProgress, type PushRequest, pushRun } from '../../src/engine/hub/push';
import { hubRecipe } from '../../src/engine/hub/recipe';
import { exportRun } from '../../src/engine/io/exportRun';
import { createOpenAIModel } from '../../src/engine/llm/openai';
import { readRecipe, recipeText } from '../../src/recipes/read';
import { type Derivation, recipeOfRun } from '../../src/recipes/steps';
import { HUB_TOKENS, type HubServer, startHubServer } from '../server/hubServer';
import { startTestServer, type TestServer } from '../server/openaiServer';
import {
  boundRun,
  clearDatabase,
  prompts,
  runWith,
  storeDataset,
  textGenerationRun,
} from './fixtures';

/** retort-recipe.json of a run, as the push writes it. */
const recipeFileOfRun = (run: Run, made: readonly Derivation[], shape: 'rows' | 'dpo') =>
  recipeText(recipeOfRun(run, made, shape), 'The recipe of this run');

/**
 * Push to Hub against the loopback fake of the Hub: a run made against the
 * loopback model server, judged by a person, leaves as one commit of a
 * Parquet file holding exactly the exported rows, a card whose front matter
 * parses, and the run's recipe, which opens again by the dataset's id. A
 * token that may not write, or a name that is not the person's, is refused in
 * words that say what to do, with nothing pushed.
 */
let hub: HubServer;
let server: TestServer;
beforeAll(async () => {
  [hub, server] = await Promise.all([startHubServer(), startTestServer()]);
});
afterAll(() => Promise.all([hub.close(), server.close()]));
beforeEach(async () => {
  await clearDatabase();
  hub.requests.length = 0;
});

const as = (token?: string): HubAccess => ({ endpoint: hub.url, token });
const push = (run: Run, request: Partial<PushRequest> & { repo: string }, token?: string) =>
  boundRun(run.id).then((bound) =>
    pushRun(as(token ?? HUB_TOKENS.aliceWrite), bound, {
      private: false,
      license: 'cc-by-4.0',
      ...request,
    }),
  );

/** A completed Text generation run of 6 rows; row 0 rated good, row 1 edited, row 2 deleted. */
async function judgedRun(): Promise<Run> {
  const datasetId = await storeDataset(prompts(6), 'seed prompts');
  const run = await textGenerationRun(datasetId, { baseURL: server.url });
  const model = createOpenAIModel({ baseURL: server.url, model: 'test-model' });
  expect(await runWith(run, model, new AbortController().signal)).toBe('completed');
  const key = (rowIndex: number) => [{ rowIndex, generation: 0 }];
  await judge(run.id, key(0), { rating: 'good', comment: 'fine' });
  await judge(run.id, key(1), { edits: { generation: 'Edited by hand.' } });
  await judge(run.id, key(2), { deleted: true });
  return (await db.runs.get(run.id))!;
}

const file = (repo: string, path: string) => hub.repos.get(repo)?.files.get(path);
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

async function failure(command: Promise<unknown>): Promise<EngineErrorData> {
  const error = await command.then(
    () => new Error('it succeeded'),
    (thrown: unknown) => thrown,
  );
  if (!EngineError.isInstance(error)) throw error;
  return toErrorData(error);
}

/** Requests that would have written something to the Hub. */
const writes = () => hub.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');

describe('a pushed run', () => {
  it('is a Parquet file of exactly the exported rows, a card, and its recipe, in a new repository', async () => {
    const run = await judgedRun();
    const progress: PushProgress[] = [];
    const bound = await boundRun(run.id);
    const recipe = recipeFileOfRun(run, [], 'rows');
    const pushed = await pushRun(
      as(HUB_TOKENS.aliceWrite),
      bound,
      { repo: 'alice/seed-prompts', private: false, license: 'cc-by-4.0', recipe },
      (p) => progress.push(p),
    );
    expect(pushed).toEqual({
      url: `${hub.url}/datasets/alice/seed-prompts`,
      created: true,
      rows: 5,
      skipped: '1 row was left out: 1 deleted.',
    });

    // The same bytes as Export Parquet, and the rows of Export JSONL.
    const exported = await exportRun(bound, { format: 'parquet' });
    const data = file('alice/seed-prompts', DATA_FILE)!;
    expect(data).toEqual(new Uint8Array(await exported.file.arrayBuffer()));
    const jsonl = await exportRun(bound, { format: 'jsonl' });
    const rows = (await jsonl.file.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(await parquetReadObjects({ file: data.buffer as ArrayBuffer })).toEqual(rows);
    expect(rows.map((r) => [r.instruction, r.generation, r.rating])).toEqual([
      ['prompt 0', '[test-model] echo: prompt 0', 'good'],
      ['prompt 1', 'Edited by hand.', null],
      ['prompt 3', '[test-model] echo: prompt 3', null],
      ['prompt 4', '[test-model] echo: prompt 4', null],
      ['prompt 5', '[test-model] echo: prompt 5', null],
    ]);

    const card = text(file('alice/seed-prompts', 'README.md'));
    const [, yaml, prose] = card.split(/^---$/m);
    expect(parse(yaml)).toEqual({
      license: 'cc-by-4.0',
      task_categories: ['text-generation'],
      tags: ['synthetic', 'distilabel', 'retort'],
      size_categories: ['n<1K'],
      configs: [{ config_name: 'default', data_files: [{ split: 'train', path: 'data/train-*' }] }],
      dataset_info: {
        features: Object.keys(rows[0]).map((name) => ({
          name,
          dtype: name === 'instruction' || name === 'generation' ? 'string' : expect.any(String),
        })),
        splits: [{ name: 'train', num_examples: 5 }],
        download_size: data.length,
      },
    });
    expect(prose).toContain('load_dataset("alice/seed-prompts", split="train")');
    expect(prose).toContain('Text generation (`text_generation`)');
    expect(prose).toContain('`test-model` through an OpenAI-compatible API');
    expect(prose).toContain('6 generations asked for: 6 answered, 0 failed');
    expect(prose).toContain('1 rated good, 1 edited, 1 deleted (left out)');
    expect(prose).toContain('[user]\nprompt 0');

    const pushedRecipe = text(file('alice/seed-prompts', 'retort-recipe.json'));
    expect(pushedRecipe).toBe(recipe);
    expect(readRecipe(pushedRecipe, 'the pushed recipe').steps).toMatchObject([
      { kind: 'run', task: { id: 'text_generation' }, provider: { model: 'test-model' } },
    ]);
    // No token anywhere but in the requests' headers.
    for (const bytes of hub.repos.get('alice/seed-prompts')!.files.values()) {
      expect(text(bytes)).not.toContain('hf_');
    }

    expect(progress[0]).toEqual({ step: 'export', rows: expect.any(Number) });
    expect(progress).toContainEqual({ step: 'upload', path: DATA_FILE, fraction: 1 });
    expect(progress.at(-1)).toEqual({ step: 'commit' });
    expect(hub.repos.get('alice/seed-prompts')!.private).toBe(false);
  });

  it('makes a private repository private, and pushes again into it', async () => {
    const run = await judgedRun();
    expect((await push(run, { repo: 'alice/secret', private: true })).created).toBe(true);
    expect(hub.repos.get('alice/secret')!.private).toBe(true);
    const again = await push(run, { repo: 'alice/secret', license: 'mit' });
    expect(again.created).toBe(false);
    expect(hub.repos.get('alice/secret')!.private).toBe(true);
    expect(text(file('alice/secret', 'README.md'))).toMatch(/^license: mit$/m);
  });

  it('carries the recipe of the runs that made its dataset, then its own', async () => {
    const run = await judgedRun();
    const runOf = (model: string): Run => ({ ...run, provider: { ...run.provider, model } });
    const made = [
      { from: { kind: 'combine' as const, runIds: ['a', 'b'] }, runs: [runOf('a'), runOf('b')] },
    ];
    const recipe = readRecipe(recipeFileOfRun(runOf('judge'), made, 'dpo'), 'the recipe');
    expect(recipe).toMatchObject({
      export: { as: 'dpo' },
      steps: [
        { kind: 'run', provider: { model: 'a' } },
        { kind: 'run', provider: { model: 'b' } },
        { kind: 'combine', runs: [1, 2] },
        { kind: 'run', provider: { model: 'judge' } },
      ],
    });
  });

  it('is cancelled with nothing committed', async () => {
    const run = await judgedRun();
    const cancel = new AbortController();
    const request = { repo: 'alice/cancelled', private: false, license: 'mit' };
    const pushing = pushRun(
      as(HUB_TOKENS.aliceWrite),
      await boundRun(run.id),
      request,
      (progress) => progress.step === 'export' && cancel.abort(),
      cancel.signal,
    );
    await expect(pushing).rejects.toThrow();
    expect(hub.repos.has('alice/cancelled')).toBe(false);
    expect(writes()).toEqual([]);
  });

  it('opens again by the dataset id, with the token for a private one', async () => {
    const run = await judgedRun();
    const recipe = recipeFileOfRun(run, [], 'rows');
    await push(run, { repo: 'alice/private-recipe', private: true, recipe });
    expect(await hubRecipe(as(HUB_TOKENS.alice), 'alice/private-recipe')).toEqual({
      text: recipe,
      name: 'alice/private-recipe/retort-recipe.json',
    });
    expect((await failure(hubRecipe(as(), 'alice/private-recipe'))).message).toMatch(
      /There is no dataset "alice\/private-recipe" on .*, or it is private: then enter a token/,
    );
    await push(run, { repo: 'alice/no-recipe' });
    expect((await failure(hubRecipe(as(), 'alice/no-recipe'))).message).toBe(
      'The dataset “alice/no-recipe” has no retort-recipe.json: it was not pushed from Retort, or was pushed without its recipe.',
    );
  });
});

describe('a push the Hub refuses', () => {
  it('says a token the Hub does not know is refused, and pushes nothing', async () => {
    const run = await judgedRun();
    const error = await failure(push(run, { repo: 'alice/x' }, HUB_TOKENS.unknown));
    expect(error).toMatchObject({ status: 401 });
    expect(error.message).toMatch(/^The Hub refused the token \(HTTP 401\)/);
    expect(writes()).toEqual([]);
    expect(hub.repos.has('alice/x')).toBe(false);
  });

  it('says a read token cannot push, and pushes nothing', async () => {
    const run = await judgedRun();
    const error = await failure(push(run, { repo: 'alice/x' }, HUB_TOKENS.alice));
    expect(error.message).toBe(
      `This is a read token of alice: pushing needs a write token (or a fine-grained one that may write to the repository). Make one at ${hub.url}/settings/tokens.`,
    );
    expect(writes()).toEqual([]);
  });

  it('asks for a token when there is none', async () => {
    const run = await judgedRun();
    const bound = await boundRun(run.id);
    const request = { repo: 'alice/x', private: false, license: 'mit' };
    expect((await failure(pushRun(as(), bound, request))).message).toMatch(
      /^Pushing to the Hub needs a write token/,
    );
  });

  it('says a name of another account cannot be written, and changes nothing there', async () => {
    const run = await judgedRun();
    const error = await failure(push(run, { repo: 'retort/instructions' }));
    expect(error).toMatchObject({ kind: 'input', status: 403 });
    expect(error.message).toMatch(
      /^This token may not write to “retort\/instructions”: the name “retort” is another account’s/,
    );
    expect(writes().map((r) => r.path)).toEqual(['/api/repos/create']);
  });

  it('refuses a repository name that is not owner/name before asking the Hub', async () => {
    const run = await judgedRun();
    expect((await failure(push(run, { repo: 'just-a-name' }))).message).toMatch(
      /^"just-a-name" is no dataset id/,
    );
    expect(hub.requests).toEqual([]);
  });

  it('says when the Hub cannot be reached', async () => {
    const run = await judgedRun();
    const bound = await boundRun(run.id);
    const request = { repo: 'alice/x', private: false, license: 'mit' };
    const access = { endpoint: 'http://127.0.0.1:9', token: HUB_TOKENS.aliceWrite };
    expect(await failure(pushRun(access, bound, request))).toMatchObject({
      kind: 'network',
      message: 'Could not reach http://127.0.0.1:9 — check the Hub address and your connection.',
    });
  });
});
