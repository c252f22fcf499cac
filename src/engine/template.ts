import { Template } from '@huggingface/jinja';
import { EngineError } from './errors';

/** Names a template may use without their being row columns. */
const BUILTINS = new Set([
  'range',
  'loop',
  'namespace',
  'true',
  'false',
  'none',
  'True',
  'False',
  'None',
  'raise_exception',
]);

type Node = { type?: string; [key: string]: unknown };

/**
 * The free variables of a Jinja template: the row columns it reads. Loop and
 * `set` variables, filter and test names and attribute names are not columns.
 */
export function templateVariables(source: string): string[] {
  const program = compile(source).parsed as unknown as Node;
  const used = new Set<string>();
  const bound = new Set<string>();

  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const node = value as Node;
    switch (node.type) {
      case 'Identifier':
        used.add(node.value as string);
        return;
      case 'MemberExpression':
        visit(node.object);
        if (node.computed) visit(node.property);
        return;
      case 'FilterExpression':
        visit(node.operand);
        if ((node.filter as Node).type === 'CallExpression') visit((node.filter as Node).args);
        return;
      case 'TestExpression':
        visit(node.operand);
        return;
      case 'KeywordArgumentExpression':
        visit(node.value);
        return;
      case 'For':
        collectNames(node.loopvar, bound);
        break;
      case 'SetStatement':
        collectNames(node.assignee, bound);
        break;
      case 'Macro':
        collectNames(node.name, bound);
        collectNames(node.args, bound);
        break;
    }
    for (const [key, child] of Object.entries(node)) if (key !== 'type') visit(child);
  };
  visit(program);
  return [...used].filter((name) => !bound.has(name) && !BUILTINS.has(name));
}

function collectNames(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectNames(item, into);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const node = value as Node;
  if (node.type === 'Identifier') into.add(node.value as string);
  else if (node.type === 'KeywordArgumentExpression') collectNames(node.key, into);
  else if (node.type === 'TupleLiteral') collectNames(node.value, into);
}

const cache = new Map<string, Template>();

function compile(source: string): Template {
  let template = cache.get(source);
  if (!template) {
    try {
      template = new Template(source);
    } catch (error) {
      throw new EngineError({
        kind: 'template',
        message: `The prompt template has a syntax error: ${syntaxProblem(error)}`,
        retryable: false,
      });
    }
    if (cache.size > 100) cache.clear();
    cache.set(source, template);
  }
  return template;
}

/** The parser's own words, but where it stops at the end of the template, what to look for. */
function syntaxProblem(error: unknown): string {
  // The parser trips (a TypeError from inside it) when the template ends inside a block.
  if (error instanceof TypeError)
    return 'a block is not closed. Check that each {% for %} has its {% endfor %} and each {% if %} its {% endif %}.';
  const message = (error as Error).message;
  if (/unexpected end of input/i.test(message))
    return 'a tag is not closed. Check that each {{ has its }} and each {% its %}.';
  return message;
}

/** Renders a Jinja template over a row. Syntax and runtime errors become template errors. */
export function renderTemplate(source: string, variables: Record<string, unknown>): string {
  const template = compile(source);
  try {
    return template.render(variables);
  } catch (error) {
    throw new EngineError({
      kind: 'template',
      message: `The prompt template could not be rendered: ${(error as Error).message}`,
      retryable: false,
    });
  }
}
