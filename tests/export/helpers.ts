import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecipeProvider, RunStep } from '../../src/recipes/schema';

/** A recipe's run step: a task against `provider`, with the form's default limits. */
export function runStep(
  taskId: string,
  params: Record<string, unknown> = {},
  options: {
    provider?: RecipeProvider;
    task?: Partial<RunStep['task']>;
    sampling?: RunStep['sampling'];
  } = {},
): RunStep {
  return {
    kind: 'run',
    task: {
      id: taskId,
      params,
      structuredOutput: false,
      inputMapping: {},
      generations: { count: 1, group: false },
      ...options.task,
    },
    provider: options.provider ?? {
      id: 'openai',
      baseURL: 'http://localhost:11434/v1',
      model: 'llama3.2',
    },
    sampling: options.sampling ?? { temperature: 0.7, maxTokens: 1024 },
    limits: { concurrency: 8, timeoutSeconds: 120, maxRetries: 4 },
  };
}

/** Runs python3 on `args`; its output, or an error that says why (python3 missing: fail, never skip). */
function python3(args: string[]): string {
  const result = spawnSync('python3', args, { encoding: 'utf8' });
  if (result.error)
    throw new Error(`python3 is needed to check the pipelines (${result.error.message}).`);
  if (result.status !== 0) throw new Error(`python3 refused a pipeline:\n${result.stderr}`);
  return result.stdout;
}

function writeAll(files: Record<string, string>): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'retort-pipeline-'));
  return Object.entries(files).map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
}

/**
 * Compiles Python files with `python3 -m py_compile` (syntax only: distilabel
 * is not installed here). Fails, never skips, without python3.
 */
export function pyCompile(files: Record<string, string>): void {
  python3(['-m', 'py_compile', ...writeAll(files)]);
}

/** Every name the Python code of `text` uses, as Python's own parser reads it (not strings, not comments). */
export function pythonNames(text: string): string[] {
  const [path] = writeAll({ 'names.py': text });
  const script =
    'import ast, sys; print("\\n".join(sorted({n.id for n in ast.walk(ast.parse(open(sys.argv[1]).read())) if isinstance(n, ast.Name)})))';
  return python3(['-c', script, path]).split('\n').filter(Boolean);
}
