import { comment, Expr, literal, type PyValue } from './python';

/**
 * The parts of a Python file that steps add to as they are written: imports,
 * module-level definitions (long templates and schemas read better there than
 * inside a call), the pip extras of the classes used, the variables read.
 */
export class PythonModule {
  private readonly modules = new Set<string>();
  private readonly names = new Map<string, Set<string>>();
  /** Module-level names (constants, helper functions) by name, in the order first defined. */
  private readonly definitions = new Map<string, string>();
  readonly extras = new Set<string>();
  /** The environment variables the file reads, for its header to name. */
  readonly variables = new Set<string>();

  /** `import module`; the module's name, to use in code. */
  module(name: string): Expr {
    this.modules.add(name);
    return new Expr(name);
  }

  /** `from module import name`; the name, to use in code. */
  from(module: string, name: string): Expr {
    this.names.set(module, (this.names.get(module) ?? new Set()).add(name));
    return new Expr(name);
  }

  /** `os.environ["NAME"]`: secrets are read where the pipeline runs, never written here. */
  env(variable: string): Expr {
    this.variables.add(variable);
    return new Expr(`${this.module('os').code}.environ[${literal(variable)}]`);
  }

  /** A module-level constant holding `value`; its name, to use in code. */
  constant(name: string, value: PyValue): Expr {
    return this.define(name, `${name} = ${literal(value)}`);
  }

  /** A module-level definition (a function) written once however often it is asked for; its name. */
  define(name: string, code: string): Expr {
    this.definitions.set(name, code);
    return new Expr(name);
  }

  /** The file: a header comment, the imports (standard library first), the definitions, then `body`. */
  render(header: string, body: string): string {
    const plain = [...this.modules].sort().map((name) => `import ${name}`);
    const from = [...this.names.keys()]
      .sort()
      .map((module) => `from ${module} import ${[...this.names.get(module)!].sort().join(', ')}`);
    const blocks = [
      comment(header),
      plain.join('\n'),
      from.join('\n'),
      [...this.definitions.values()].join('\n\n'),
      body,
    ];
    return `${blocks.filter(Boolean).join('\n\n')}\n`;
  }
}
