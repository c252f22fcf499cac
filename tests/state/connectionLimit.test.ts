import { expect, it } from 'vitest';
import { requestsHeldBack } from '../../src/components/connectionLimit';

it.each([
  ['http://localhost:11434/v1', 64, 58],
  ['http://127.0.0.1:8080/v1', 7, 1],
  [' HTTP://Localhost:8000/v1', 16, 10],
  ['http://localhost:11434/v1', 6, 0],
  ['http://localhost:11434/v1', 1, 0],
  ['https://localhost:8443/v1', 64, 0],
  ['https://api.openai.com/v1', 256, 0],
  ['', 64, 0],
  ['localhost:11434', 64, 0],
])('%s at Concurrency %i: %i requests wait in the browser', (baseURL, concurrency, held) => {
  expect(requestsHeldBack(baseURL, concurrency)).toBe(held);
});
