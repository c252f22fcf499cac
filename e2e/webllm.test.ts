/**
 * web-llm's side of the Model section in Chromium: the model picker on the
 * software WebGPU adapter (no shader-f16), and a browser without WebGPU.
 * Nothing is downloaded: web-llm's models live on the Hugging Face Hub.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium, serveApp } from './support';

let app: Awaited<ReturnType<typeof serveApp>>;
const browsers: Browser[] = [];

beforeAll(async () => {
  app = await serveApp();
});

afterAll(async () => {
  await Promise.all([...browsers.map((b) => b.close()), app?.close()]);
});

async function openApp(webgpu: boolean) {
  const browser = await launchChromium({ webgpu });
  browsers.push(browser);
  const page = await browser.newPage();
  await page.goto(app.url);
  return page;
}

test('the software WebGPU adapter, without shader-f16, is offered only f32 models, a small one preselected', async () => {
  const page = await openApp(true);
  const provider = page.getByRole('combobox', { name: 'Provider' });
  // A first visit with WebGPU starts on web-llm.
  await expect.poll(() => provider.inputValue()).toBe('webllm');
  const model = page.getByRole('combobox', { name: 'Model' });
  await expect.poll(() => model.inputValue(), { timeout: 30_000 }).toMatch(/q4f32_1-MLC$/);
  expect(await model.inputValue()).toBe('Qwen2.5-0.5B-Instruct-q4f32_1-MLC');

  const options = await model.locator('option').evaluateAll((all) =>
    (all as HTMLOptionElement[]).map((o) => ({
      id: o.value,
      disabled: o.disabled,
      label: o.text,
    })),
  );
  const offered = options.filter((o) => !o.disabled);
  const refused = options.filter((o) => o.disabled);
  expect(offered.length).toBeGreaterThan(10);
  expect(offered.every((o) => !/f16/.test(o.id))).toBe(true);
  expect(refused.map((o) => o.id)).toContain('Qwen2.5-0.5B-Instruct-q4f16_1-MLC');
  expect(refused.every((o) => o.label.endsWith('needs shader-f16'))).toBe(true);
  await page.getByText(/models are greyed out: they need the shader-f16 GPU feature/).waitFor();
  // Its size is said before anything is downloaded.
  await page
    .getByText(/^Downloads about \d+ MB and needs about [\d.]+ (MB|GB) of GPU memory/)
    .waitFor();
  await page.getByRole('button', { name: 'Load model' }).waitFor();
});

test('a browser without WebGPU is offered llama.cpp, and starts on a small GGUF model', async () => {
  const page = await openApp(false);
  const provider = page.getByRole('combobox', { name: 'Provider' });
  await expect.poll(() => provider.inputValue()).toBe('wllama');
  expect(await page.getByRole('textbox', { name: 'Repository' }).inputValue()).toBe(
    'Qwen/Qwen2.5-0.5B-Instruct-GGUF',
  );
  expect(await page.getByRole('textbox', { name: 'GGUF file' }).inputValue()).toBe(
    'qwen2.5-0.5b-instruct-q4_k_m.gguf',
  );

  await provider.selectOption({ label: 'WebGPU (web-llm)' });
  const alert = page.getByRole('alert').filter({ hasText: 'web-llm needs WebGPU' });
  await alert.waitFor();
  await alert.getByRole('button', { name: 'Use llama.cpp (GGUF) instead' }).click();
  expect(await provider.inputValue()).toBe('wllama');
});
