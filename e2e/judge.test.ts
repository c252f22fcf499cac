import Papa from 'papaparse';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { defaultAnswer } from '../tests/server/openaiServer';
import {
  browserAppAndServer,
  chooseOpenAI,
  downloadText,
  exportJsonl,
  importPrompts,
} from './support';

/**
 * Judging and fixing a run against the loopback server: edits that survive a
 * reload and reach the exports while the raw output stays, ratings and
 * comments as columns, deleted rows left out, regenerating exactly the rows
 * picked or those a view shows with a new template, rated rows sent as
 * few-shot examples, and DPO pairs from the person's ratings.
 */
const env = browserAppAndServer();

const ROWS = 20;

const grid = (page: Page) => page.getByRole('grid', { name: 'Rows' });
const rowCount = async (page: Page) => Number(await grid(page).getAttribute('aria-rowcount'));
const line = (page: Page, position: number) =>
  grid(page).locator(`[role=row][aria-rowindex="${position}"]`);
const details = (page: Page) => page.getByRole('dialog', { name: 'Row details' });
const show = (page: Page) => page.getByRole('combobox', { name: 'Show' });
const chatRequests = () =>
  env.server.requests.filter((r) => r.path.endsWith('/chat/completions')) as {
    body: { messages: { role: string; content: string }[] };
  }[];

/** A fresh page's prompts imported and the loopback server chosen. */
async function importAndChoose(page: Page, rows = ROWS) {
  await importPrompts(page, rows, { ids: true });
  await chooseOpenAI(page, env.server.url, 'test-model');
}

/** Waits for the run shown to read completed: call it once its requests are known to be sent. */
async function waitForCompleted(page: Page) {
  const status = page.getByRole('status', { name: 'Run status' });
  await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/completed/i);
}

async function run(page: Page) {
  const runs = page.getByRole('combobox', { name: 'Run', exact: true }).locator('option');
  const before = await runs.count();
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect.poll(() => runs.count()).toBe(before + 1);
  await waitForCompleted(page);
}

async function exportCsv(page: Page) {
  const text = await downloadText(page, 'Export CSV');
  return Papa.parse<Record<string, string>>(text.trim(), { header: true }).data;
}

/** Picks lines from `from` to `to` (view positions from 1): a click, then a shift-click. */
async function selectLines(page: Page, from: number, to: number) {
  await line(page, from).getByRole('checkbox', { name: 'Select row' }).click();
  await line(page, to)
    .getByRole('checkbox', { name: 'Select row' })
    .click({ modifiers: ['Shift'] });
  await page.getByText(`${to - from + 1} selected`).waitFor();
}

test('an edit, ratings, a comment and deletions survive a reload and shape every export', async () => {
  const page = await env.freshPage();
  await importAndChoose(page);
  await run(page);

  // Row 1: edited, rated good, commented.
  await line(page, 1).click();
  const dialog = details(page);
  await dialog.getByRole('textbox', { name: 'generation' }).fill('A fixed answer.');
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await dialog.getByText('generation (edited by you)').waitFor();
  await dialog.getByRole('button', { name: 'Good' }).click();
  await expect
    .poll(() => dialog.getByRole('button', { name: 'Good' }).getAttribute('aria-pressed'))
    .toBe('true');
  await dialog.getByRole('textbox', { name: 'Comment' }).fill('Short and right.');
  await dialog.getByRole('button', { name: 'Save comment' }).click();
  // Row 2, from the keyboard: N opens the next line, B rates it bad.
  await dialog.getByRole('heading', { name: 'Row 1' }).click();
  await page.keyboard.press('n');
  await dialog.getByRole('heading', { name: 'Row 2' }).waitFor();
  await page.keyboard.press('b');
  await expect
    .poll(() => dialog.getByRole('button', { name: 'Bad' }).getAttribute('aria-pressed'))
    .toBe('true');
  await dialog.getByRole('button', { name: 'Close' }).click();

  // Lines 4 to 6 deleted, then restored by Undo, then deleted again.
  await selectLines(page, 4, 6);
  await page.getByRole('button', { name: 'Delete selected' }).click();
  await show(page).getByRole('option', { name: 'Deleted (3)' }).waitFor({ state: 'attached' });
  await page.getByRole('button', { name: 'Undo the last deletion' }).click();
  await show(page).getByRole('option', { name: 'Deleted (0)' }).waitFor({ state: 'attached' });
  await selectLines(page, 4, 6);
  await page.getByRole('button', { name: 'Delete selected' }).click();
  await show(page).getByRole('option', { name: 'Deleted (3)' }).waitFor({ state: 'attached' });

  // All of it is still there after a reload.
  await page.reload();
  await show(page).selectOption({ label: 'Edited (1)' });
  await expect.poll(() => rowCount(page)).toBe(1);
  expect(await line(page, 1).locator('.grid-cell.edited').textContent()).toBe('A fixed answer.');
  await show(page).selectOption({ label: 'Rated good (1)' });
  await expect.poll(() => rowCount(page)).toBe(1);
  await show(page).selectOption({ label: 'Rated bad (1)' });
  await expect.poll(() => rowCount(page)).toBe(1);
  expect(await line(page, 1).getByRole('gridcell').nth(1).textContent()).toBe('row-1');

  // The CSV holds the edit and the judgements; the deleted rows are left out.
  const csv = await exportCsv(page);
  expect(csv).toHaveLength(ROWS - 3);
  expect(csv.map((r) => r.id)).not.toContain('row-4');
  expect(csv[0]).toMatchObject({
    id: 'row-0',
    generation: 'A fixed answer.',
    rating: 'good',
    comment: 'Short and right.',
  });
  expect(csv[1]).toMatchObject({ id: 'row-1', rating: 'bad', comment: '' });
  expect(csv[2]).toMatchObject({ id: 'row-2', rating: '', comment: '' });
  // The JSONL's metadata keeps what the model wrote.
  const jsonl = await exportJsonl(page);
  expect(jsonl[0].generation).toBe('A fixed answer.');
  expect(jsonl[0].distilabel_metadata).toMatchObject({
    raw_output_text_generation: '[test-model] echo: prompt 0',
  });

  // Only rows rated good: one row, and the page says what was left out.
  await page.getByRole('checkbox', { name: 'Only rows rated good' }).check();
  const good = await exportJsonl(page);
  expect(good.map((r) => r.id)).toEqual(['row-0']);
  await page
    .getByRole('status')
    .filter({ hasText: 'Downloaded. 19 rows were left out: 16 not rated good, 3 deleted.' })
    .waitFor();
  await page.context().close();
});

test('regenerates exactly the rows picked, the failed ones, and those rated bad with a new template, then sends rated rows as examples', async () => {
  let answered = 0;
  let refuse = true;
  // Every answer is numbered, so a regenerated one differs from the one it replaces.
  env.server.setOptions({
    answer: (request) => `${defaultAnswer(request)} #${++answered}`,
    faults: (request) =>
      refuse && JSON.stringify(request.body).includes('prompt 12')
        ? { kind: 'status', status: 503, message: 'Busy.' }
        : null,
  });
  const page = await env.freshPage();
  await importAndChoose(page);
  await page.getByText('Limits, retries and prices').click();
  await page.getByRole('spinbutton', { name: 'Retries' }).fill('0');
  await run(page);
  await show(page).getByRole('option', { name: 'Failed (1)' }).waitFor({ state: 'attached' });

  // Retry failed: the one refused request is sent again, and now answered.
  let before = chatRequests().length;
  refuse = false;
  await page.getByRole('button', { name: 'Retry failed' }).click();
  await show(page).getByRole('option', { name: 'Failed (0)' }).waitFor({ state: 'attached' });
  await waitForCompleted(page);
  expect(
    chatRequests()
      .slice(before)
      .map((r) => r.body.messages.at(-1)?.content),
  ).toEqual(['prompt 12']);

  // Five lines picked, five requests, five new answers; the old ones in their history.
  const firstAnswers = new Map((await exportJsonl(page)).map((r) => [r.id, r.generation]));
  before = chatRequests().length;
  await selectLines(page, 6, 10);
  await page.getByRole('button', { name: 'Regenerate selected' }).click();
  await page.getByText(/Regenerating 5 generations/).waitFor();
  await expect.poll(() => chatRequests().length - before).toBe(5);
  await waitForCompleted(page);
  const sent = chatRequests().slice(before);
  expect(sent.map((r) => r.body.messages.at(-1)?.content).sort()).toEqual(
    ['prompt 5', 'prompt 6', 'prompt 7', 'prompt 8', 'prompt 9'].sort(),
  );
  const regenerated = await exportJsonl(page);
  const changed = regenerated.filter((r) => r.generation !== firstAnswers.get(r.id));
  expect(changed.map((r) => r.id).sort()).toEqual(['row-5', 'row-6', 'row-7', 'row-8', 'row-9']);
  await line(page, 6).click();
  await details(page)
    .getByText(/Answer before regeneration 1/)
    .waitFor();
  expect(await details(page).textContent()).toContain(String(firstAnswers.get('row-5')));
  await details(page).getByRole('button', { name: 'Close' }).click();

  // Rows 1 and 2 rated bad, row 3 good; a new template applied to the bad ones only.
  for (const [position, key] of [
    [1, 'b'],
    [2, 'b'],
    [3, 'g'],
  ] as const) {
    await line(page, position).click();
    await details(page)
      .getByRole('heading', { name: `Row ${position}` })
      .click();
    await page.keyboard.press(key);
    await expect
      .poll(() =>
        details(page)
          .getByRole('button', { name: key === 'b' ? 'Bad' : 'Good' })
          .getAttribute('aria-pressed'),
      )
      .toBe('true');
    await details(page).getByRole('button', { name: 'Close' }).click();
  }
  await page
    .getByRole('textbox', { name: /Prompt template/ })
    .fill('Answer in one word: {{ instruction }}');
  await show(page).selectOption({ label: 'Rated bad (2)' });
  await expect.poll(() => rowCount(page)).toBe(2);
  before = chatRequests().length;
  await page.getByRole('button', { name: 'Regenerate all 2 lines shown' }).click();
  await expect.poll(() => chatRequests().length - before).toBe(2);
  await waitForCompleted(page);
  expect(
    chatRequests()
      .slice(before)
      .map((r) => r.body.messages.at(-1)?.content)
      .sort(),
  ).toEqual(['Answer in one word: prompt 0', 'Answer in one word: prompt 1']);

  // The row rated good as an example: in the preview, then in every request of a new run.
  await show(page).selectOption({ label: 'All rows (20)' });
  const goodAnswer = (await exportJsonl(page))[2].generation as string;
  await page.getByRole('checkbox', { name: 'Use rated rows as examples' }).check();
  const preview = page.locator('details.preview');
  await preview.getByText('Prompt for the first row, with 1 rated example').waitFor();
  expect(await preview.textContent()).toContain(goodAnswer);
  before = chatRequests().length;
  await run(page);
  const withExamples = chatRequests().slice(before);
  expect(withExamples).toHaveLength(ROWS);
  for (const request of withExamples)
    expect(request.body.messages.slice(0, 2)).toEqual([
      { role: 'user', content: 'Answer in one word: prompt 2' },
      { role: 'assistant', content: goodAnswer },
    ]);
  env.server.setOptions({ answer: undefined, faults: [] });
  await page.context().close();
});

test('DPO pairs come from the generations the person rated good and bad', async () => {
  const page = await env.freshPage();
  await importAndChoose(page, 3);
  await page.getByRole('spinbutton', { name: 'Generations per row' }).fill('2');
  await run(page);
  // Row 1's first generation good, its second bad; the other rows not rated.
  await line(page, 1).click();
  const [first, second] = [0, 1].map((g) => details(page).locator('article').nth(g));
  await first.getByRole('button', { name: 'Good' }).click();
  await expect
    .poll(() => first.getByRole('button', { name: 'Good' }).getAttribute('aria-pressed'))
    .toBe('true');
  await second.getByRole('button', { name: 'Bad' }).click();
  await expect
    .poll(() => second.getByRole('button', { name: 'Bad' }).getAttribute('aria-pressed'))
    .toBe('true');
  const [chosen, rejected] = await Promise.all(
    [first, second].map((g) => g.getByRole('textbox', { name: 'generation' }).inputValue()),
  );
  await details(page).getByRole('button', { name: 'Close' }).click();

  await page
    .getByRole('combobox', { name: 'Export as' })
    .selectOption({ label: 'DPO pairs (prompt, chosen, rejected)' });
  const pairs = await exportJsonl(page);
  expect(pairs).toEqual([
    expect.objectContaining({
      prompt: 'prompt 0',
      chosen: [
        { role: 'user', content: 'prompt 0' },
        { role: 'assistant', content: chosen },
      ],
      rejected: [
        { role: 'user', content: 'prompt 0' },
        { role: 'assistant', content: rejected },
      ],
    }),
  ]);
  expect(chosen).not.toBe(rejected);
  await page.getByText(/Downloaded\./).waitFor();
  await page.context().close();
});
