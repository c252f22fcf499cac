import { beforeEach, describe, expect, it } from 'vitest';
import { setAside, sweepOrphanPages } from '../../src/engine/db/datasets';
import { deleteUndoably, undoDelete } from '../../src/engine/db/deletions';
import { judge, markForRegeneration, storeResults } from '../../src/engine/db/results';
import { createRun, setRunStatus } from '../../src/engine/db/runs';
import { db, type Result } from '../../src/engine/db/schema';
import { decodeLine, encodeLine } from '../../src/engine/io/backupCodec';
import { backUp, restore } from '../../src/engine/io/backupFile';
import { defaultRunSettings, type Row } from '../../src/engine/task';
import { clearDatabase, prompts, storeDataset, storedResults } from './fixtures';

/**
 * Back up everything, then restore: every table comes back exactly, a file
 * cut short, damaged or of a newer version stores nothing, and a restore next
 * to the same data adds copies under new ids instead of replacing anything.
 */
beforeEach(clearDatabase);

const TABLES = ['datasets', 'rowPages', 'runs', 'resultPages', 'resultMeta'] as const;

/** Every record of every table, as IndexedDB hands them back, in key order. */
async function everything() {
  return Object.fromEntries(
    await Promise.all(TABLES.map(async (name) => [name, await db.table(name).toArray()])),
  );
}

const answer = (runId: string, rowIndex: number, generation: number, text: string): Result => ({
  runId,
  rowIndex,
  generation,
  status: 'done',
  formatFailed: false,
  outputs: { generation: text },
  modelName: 'model-a',
  metadata: {
    raw_output_text_generation: text,
    statistics_text_generation: { input_tokens: 4, output_tokens: 2 },
  },
  finishReason: { unified: 'stop', raw: 'stop' },
  at: 1_700_000_000_000 + rowIndex,
});

/** Rows with what plain JSON cannot hold, or holds only with care. */
const awkwardRows: Row[] = [
  JSON.parse('{"__proto__": "a column", "constructor": 1, "text": "\\u0000starts with NUL"}'),
  { __proto__: null, text: 'no prototype', nested: { list: [1, null, 'x'] } } as unknown as Row,
  { text: 'numbers', nan: Number.NaN, minusZero: -0, big: Number.POSITIVE_INFINITY },
  { text: 'bytes', blob: new Uint8Array([0, 1, 254, 255]) },
  { text: 'Café, 日本語 🍵' },
];

/** Two datasets (one over three pages) and two runs: failures, every kind of judgement, a history, few-shot. */
async function storeEverything() {
  const small = await storeDataset(awkwardRows, 'awkward');
  const large = await storeDataset(prompts(2_500), 'large');
  const spec = (datasetId: string, numGenerations: number) => ({
    datasetId,
    taskId: 'text_generation',
    taskParams: {},
    settings: { ...defaultRunSettings, numGenerations },
    provider: { provider: 'openai' as const, baseURL: 'http://127.0.0.1:1/v1', model: 'model-a' },
    sampling: { temperature: 0 },
    concurrency: 2,
  });
  const judged = await createRun(spec(large, 2), 5_000);
  const results = [0, 1, 1_200, 2_499].flatMap((row) =>
    [0, 1].map((g) => answer(judged.id, row, g, `answer ${row}.${g}`)),
  );
  results[3] = { ...results[3], status: 'failed', outputs: {}, error: 'HTTP 500', at: undefined };
  await storeResults(judged.id, results);
  await judge(judged.id, [{ rowIndex: 0, generation: 0 }], {
    rating: 'good',
    comment: 'Clear.',
    edits: { generation: 'an edit' },
  });
  await judge(judged.id, [{ rowIndex: 1_200, generation: 1 }], { rating: 'bad', deleted: true });
  await markForRegeneration(judged.id, [{ rowIndex: 0, generation: 1 }]);
  await storeResults(judged.id, [answer(judged.id, 0, 1, 'a second answer')]);
  await markForRegeneration(judged.id, [{ rowIndex: 2_499, generation: 0 }]);

  const fewShot = await createRun(
    {
      ...spec(small, 1),
      settings: { ...defaultRunSettings, fewShot: { fromRunId: judged.id, count: 2 } },
    },
    4,
  );
  await storeResults(fewShot.id, [answer(fewShot.id, 0, 0, 'one')]);
  for (const run of [judged, fewShot]) await setRunStatus(run.id, 'completed');
  // As if made from the judged run's results (run/derive.ts).
  await db.datasets.update(small, { derivedFrom: { kind: 'results', runId: judged.id } });
  return { small, large, judged: judged.id, fewShot: fewShot.id };
}

async function backupFile(name = 'backup.jsonl'): Promise<File> {
  const { file } = await backUp();
  return new File([file], name);
}

describe('a backup', () => {
  it('restores every table exactly, judgements and history included, after the store is wiped', async () => {
    const { judged } = await storeEverything();
    const before = await everything();
    expect((await storedResults(judged))[1].history).toHaveLength(1);
    const file = await backupFile();

    await clearDatabase();
    const progress: number[] = [];
    const summary = await restore(file, (bytes) => progress.push(bytes));

    expect(await everything()).toStrictEqual(before);
    expect(summary).toEqual({ datasetIds: expect.any(Array), runs: 2, renamed: 0 });
    expect(summary.datasetIds.sort()).toEqual(
      before.datasets.map((d: { id: string }) => d.id).sort(),
    );
    expect(progress.at(-1)).toBe(file.size);
  });

  it('names its format and database version first, counts its records last, and holds no key', async () => {
    await storeEverything();
    const lines = (await (await backupFile()).text()).trim().split('\n');
    expect(JSON.parse(lines[0])).toEqual({
      retort: 'backup',
      format: 1,
      schema: db.verno,
      created: expect.any(Number),
    });
    expect(JSON.parse(lines.at(-1)!)).toEqual({
      end: { datasets: 2, runs: 2, rowPages: 4, resultPages: 4, resultMeta: 4 },
    });
    expect(lines.join('\n')).not.toMatch(/apiKey|api_key|authorization|bearer/i);
  });

  it('reads a gzipped backup', async () => {
    await storeEverything();
    const before = await everything();
    const gzipped = new Response(
      (await backupFile()).stream().pipeThrough(new CompressionStream('gzip')),
    );
    const file = new File([await gzipped.blob()], 'backup.jsonl.gz');
    await clearDatabase();
    await restore(file);
    expect(await everything()).toStrictEqual(before);
  });

  it('restored beside the data it came from, adds copies under new ids and changes nothing there', async () => {
    const { judged, fewShot } = await storeEverything();
    const before = await everything();
    const summary = await restore(await backupFile());
    expect(summary.renamed).toBe(4);

    const after = await everything();
    for (const table of TABLES) expect(after[table]).toHaveLength(before[table].length * 2);
    expect(after.datasets).toEqual(expect.arrayContaining(before.datasets));
    expect(after.runs).toEqual(expect.arrayContaining(before.runs));
    const copies = await db.datasets.bulkGet(summary.datasetIds);
    const runOfCopy = async (name: string) => {
      const copy = copies.find((dataset) => dataset?.name === name)!;
      return (await db.runs.where('datasetId').equals(copy.id).first())!;
    };
    const [judgedCopy, fewShotCopy] = [await runOfCopy('large'), await runOfCopy('awkward')];
    expect([judgedCopy.id, fewShotCopy.id]).not.toContain(judged);
    // The copies refer to each other: examples from, and rows made from, the copy of the judged run.
    expect(fewShotCopy.settings.fewShot?.fromRunId).toBe(judgedCopy.id);
    expect((await db.runs.get(fewShot))?.settings.fewShot?.fromRunId).toBe(judged);
    const awkwardCopy = copies.find((dataset) => dataset?.name === 'awkward');
    expect(awkwardCopy?.derivedFrom).toEqual({ kind: 'results', runId: judgedCopy.id });
    expect(await storedResults(judgedCopy.id)).toEqual(
      (await storedResults(judged)).map((result) => ({ ...result, runId: judgedCopy.id })),
    );
  });

  it('leaves out what a deletion waiting for Undo keeps', async () => {
    const { small, large, fewShot } = await storeEverything();
    await deleteUndoably(large);
    const kept = await everything();
    const file = await backupFile();
    await undoDelete(large);
    await clearDatabase();
    await restore(file);
    const of = (owner: string) => (page: { datasetId?: string; runId?: string }) =>
      (page.datasetId ?? page.runId) === owner;
    expect(await everything()).toStrictEqual({
      ...kept,
      rowPages: kept.rowPages.filter(of(small)),
      resultPages: kept.resultPages.filter(of(fewShot)),
      resultMeta: kept.resultMeta.filter(of(fewShot)),
    });
    expect(kept.rowPages.length).toBeGreaterThan(1);
  });

  it('brings a run that was going on back paused, so it waits for Resume', async () => {
    const { judged } = await storeEverything();
    await db.runs.update(judged, {
      status: 'running',
      activity: {
        inFlight: 2,
        waiting: 0,
        concurrency: 2,
        since: 1,
        finishedSince: 0,
        outputTokensSince: 0,
      },
    });
    const file = await backupFile();
    await clearDatabase();
    await restore(file);
    const run = await db.runs.get(judged);
    expect(run?.status).toBe('paused');
    expect(run).not.toHaveProperty('activity');
  });
});

describe('a restore refuses, and stores nothing from,', () => {
  async function refused(file: File, message: RegExp) {
    await clearDatabase();
    await expect(restore(file)).rejects.toThrow(message);
    for (const table of TABLES) expect(await db.table(table).count()).toBe(0);
  }

  it('a file cut short: inside a line, inside a character, or at a line’s end', async () => {
    await storeEverything();
    const file = await backupFile();
    const bytes = new Uint8Array(await file.arrayBuffer());
    const cut = (end: number) => new File([bytes.slice(0, end)], 'cut.jsonl');
    await refused(cut(Math.floor(bytes.length * 0.7)), /"cut.jsonl" ends early/);
    const character = Buffer.from(bytes).indexOf('日');
    await refused(cut(character + 1), /ends early/);
    const lastLine = bytes.lastIndexOf(10, bytes.length - 2) + 1;
    await refused(cut(lastLine), /ends early/);
  });

  it('a gzipped file cut short', async () => {
    await storeEverything();
    const gzipped = await new Response(
      (await backupFile()).stream().pipeThrough(new CompressionStream('gzip')),
    ).blob();
    await refused(
      new File([gzipped.slice(0, gzipped.size - 100)], 'cut.jsonl.gz'),
      /cut short or damaged/,
    );
  });

  it('a backup of a newer version, or of an older database version', async () => {
    await storeEverything();
    const lines = (await (await backupFile()).text()).split('\n');
    const newer = (header: object) =>
      new File(
        [[JSON.stringify({ ...JSON.parse(lines[0]), ...header }), ...lines.slice(1)].join('\n')],
        'new.jsonl',
      );
    await refused(newer({ format: 2 }), /newer version of Retort \(backup format 2/);
    await refused(newer({ schema: db.verno + 1 }), /newer version of Retort/);
    await refused(newer({ schema: 1 }), /database version 1, which this version/);
  });

  it('restores a backup of database version 2, its metadata as version 3 keeps it', async () => {
    await storeEverything();
    const before = await everything();
    const lines = (await (await backupFile()).text()).trim().split('\n');
    // Version 2 kept each page's metadata a column per key, undefined where a result had none.
    const asVersion2 = (line: string, i: number) => {
      const value = decodeLine(line) as { schema?: number; table?: string; record?: unknown };
      if (i === 0) return encodeLine({ ...value, schema: 2 });
      if (value.table !== 'resultMeta') return line;
      const { metadataJson, ...rest } = value.record as { metadataJson: string[] };
      const metadata: Record<string, unknown[]> = {};
      metadataJson.forEach((text, slot) => {
        for (const [key, field] of Object.entries(JSON.parse(text))) {
          metadata[key] ??= new Array(metadataJson.length).fill(undefined);
          metadata[key][slot] = field;
        }
      });
      return encodeLine({ ...value, record: { ...rest, metadata } });
    };
    const version2 = lines.map(asVersion2);
    expect(version2.join('\n')).not.toContain('metadataJson');

    await clearDatabase();
    await restore(new File([version2.join('\n')], 'v2.jsonl'));
    expect(await everything()).toStrictEqual(before);
  });

  it('a damaged line, a file that is not a backup, and records out of place', async () => {
    await storeEverything();
    const lines = (await (await backupFile()).text()).split('\n');
    const withLines = (edited: string[]) => new File([edited.join('\n')], 'edited.jsonl');
    const at = lines.findIndex((line) => line.includes('"resultPages"'));
    const broken = [...lines];
    broken[at] = broken[at].slice(0, 50);
    await refused(withLines(broken), new RegExp(`Line ${at + 1} of "edited.jsonl" is damaged`));
    await refused(
      new File(['instruction,topic\nhello,world\n'], 'rows.csv'),
      /is not a Retort backup/,
    );
    const pageFirst = [lines[0], lines[at], ...lines.slice(1, at), ...lines.slice(at + 1)];
    await refused(withLines(pageFirst), /a page is of a run the backup lacks/);
    const missing = lines.filter((_, i) => i !== at);
    await refused(withLines(missing), /its end counts other records than it holds/);
  });
});

describe('the backup encoding', () => {
  it('keeps what JSON cannot hold and what a file can name', () => {
    const value = {
      list: [undefined, Number.NaN, -0, Number.NEGATIVE_INFINITY, '\u0000\u0000x', 'plain'],
      missing: undefined,
      columns: { at: new Float64Array([1.5, Number.NaN]), flags: new Uint8Array([1, 0]) },
      rowIndex: new Int32Array([0, -1, 2 ** 31 - 1]),
      ...JSON.parse('{"__proto__": {"polluted": true}}'),
    };
    const decoded = decodeLine(encodeLine(value)) as typeof value;
    expect(decoded).toStrictEqual(value);
    expect(Object.is((decoded.list as number[])[2], -0)).toBe(true);
    expect(Object.hasOwn(decoded, '__proto__')).toBe(true);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('refuses a value it would change', () => {
    expect(() => encodeLine({ tags: new Set(['a']) })).toThrow('A Set cannot be backed up.');
  });
});

describe('deleting a dataset', () => {
  it('takes it and its runs out at once, and Undo brings everything back exactly', async () => {
    const { large } = await storeEverything();
    const before = await everything();
    expect(await deleteUndoably(large)).toEqual({
      datasetId: large,
      name: 'large',
      rows: 2_500,
      runs: 1,
      undoMs: 8_000,
    });
    expect(await db.datasets.get(large)).toBeUndefined();
    expect(await db.runs.where('datasetId').equals(large).count()).toBe(0);

    await undoDelete(large);
    expect(await everything()).toStrictEqual(before);
    await expect(undoDelete(large)).rejects.toThrow('too late to undo');
  });

  it('leaves pages that a sweep deletes once nothing owns them: rows and results alike', async () => {
    const { small, fewShot, judged } = await storeEverything();
    await setAside(small);
    expect(await sweepOrphanPages()).toBe(3);
    expect(
      await db.rowPages.where('[datasetId+page]').between([small, 0], [small, Infinity]).count(),
    ).toBe(0);
    expect(await storedResults(fewShot)).toEqual([]);
    expect(await storedResults(judged)).toHaveLength(8);
  });
});
