import type { z } from 'zod';
import type { Task } from '../../engine/task';
import { renderTemplate } from '../../engine/template';
import type { RunStep } from '../../recipes/schema';
import { arenaHard } from '../../tasks/arenaHard';
import { clair } from '../../tasks/clair';
import { customJson, customRegex, customText } from '../../tasks/custom';
import { evolComplexity, evolInstruct, evolQuality } from '../../tasks/evol';
import { chatGeneration, structuredGeneration } from '../../tasks/generation';
import { structuredTemplate } from '../../tasks/generation.prompt';
import { genstruct } from '../../tasks/genstruct';
import { instructionBacktranslation } from '../../tasks/instructionBacktranslation';
import { readObjectSchema, schemaColumns } from '../../tasks/jsonFields';
import { magpie } from '../../tasks/magpie';
import { prometheusAbsolute, prometheusRelative } from '../../tasks/prometheus';
import { templateInputs } from '../../tasks/promptTask';
import { complexityScorer, qualityScorer } from '../../tasks/scorers';
import { selfInstruct } from '../../tasks/selfInstruct';
import { generateSentencePair } from '../../tasks/sentencePair';
import { parseLabels, textClassification } from '../../tasks/textClassification';
import { textGeneration } from '../../tasks/textGeneration';
import { generateTextRetrievalData } from '../../tasks/textRetrieval';
import { ultraFeedbackTasks } from '../../tasks/ultrafeedback';
import { urial } from '../../tasks/urial';
import type { Args } from './python';

/**
 * Each task of the catalog as a distilabel 1.5 task class (imported from
 * `distilabel.steps.tasks`) with the arguments that give the same prompt, or
 * said to have none. Names are checked against distilabel's source: the
 * classes' pydantic fields, as of 1.5.
 */

/** distilabel's class for a task, and how Retort's settings become its arguments. */
export interface Counterpart<P = unknown> {
  kind: 'class';
  className: string;
  /** Its arguments, from the task's parameters (defaults filled in) and the run step. */
  args?(params: P, step: RunStep): Args;
  /** What the class does otherwise than Retort's task with these settings. */
  differences?(params: P, step: RunStep): string[];
  /**
   * How "Ask for a JSON answer" carries over: the class's own JSON schema,
   * switched by `use_default_structured_output` in `args`, or the task's
   * schema enforced by the LLM. Without it, the class has no such switch.
   */
  structured?: 'task' | { schema(params: P): Record<string, unknown> | undefined };
  /** Magpie's pre-query template, set on the LLM. */
  magpie?(params: P): string;
}

export interface NoCounterpart {
  kind: 'missing';
  /** Why, and what to do instead. */
  reason: string;
}

export type Mapping = Counterpart | NoCounterpart;

type ParamsOf<T extends Task> = z.infer<T['params']>;

/** A table row, typed by the task's own parameters. */
function row<T extends Task>(task: T, mapping: Counterpart<ParamsOf<T>> | NoCounterpart) {
  return [task.id, mapping as Mapping] as const;
}

const DEFAULT_TEMPLATE = '{{ instruction }}';

/** TextGeneration's template, the columns it reads and its system prompt; distilabel's defaults left out. */
function templateArgs(p: { template: string; systemPrompt: string }): Args {
  const columns = templateInputs(p.template).map((input) => input.name);
  return {
    system_prompt: p.systemPrompt || undefined,
    template: p.template === DEFAULT_TEMPLATE ? undefined : p.template,
    columns: columns.join() === 'instruction' ? undefined : columns,
  };
}

function fewShotDifference(_p: unknown, step: RunStep): string[] {
  return step.task.fewShot
    ? [
        `Retort put up to ${step.task.fewShot.count} generations you rated good into each prompt as examples; distilabel has no such examples: add them to the template by hand.`,
      ]
    : [];
}

function wholeJsonDifference(columns: readonly string[]): string {
  return `The answer is kept whole, as JSON text, in "generation"; Retort split it into the columns ${columns.join(', ')}.`;
}

/** The schema to enforce, when the parameter holds a valid one. */
const schemaOf = (p: { schema: string }) => readObjectSchema(p.schema)?.schema;

/**
 * Structured generation's template with the schema written in, as Retort
 * shows it; `{% raw %}` keeps the schema's braces from being read as Jinja.
 */
function structuredPrompt(p: { schema: string; schemaInPrompt: boolean }): string {
  return renderTemplate(structuredTemplate, {
    instruction: DEFAULT_TEMPLATE,
    shownSchema: p.schemaInPrompt ? `{% raw %}${p.schema.trim()}{% endraw %}` : '',
  });
}

const ULTRAFEEDBACK_ASPECTS: Record<string, string> = {
  ultrafeedback_overall_rating: 'overall-rating',
  ultrafeedback_helpfulness: 'helpfulness',
  ultrafeedback_honesty: 'honesty',
  ultrafeedback_instruction_following: 'instruction-following',
  ultrafeedback_truthfulness: 'truthfulness',
};

/** distilabel's own JSON schema for the task, asked for when the run asked for a JSON answer. */
const defaultStructured = (step: RunStep) => step.task.structuredOutput || undefined;

function evolArgs(
  p: { numEvolutions: number; storeEvolutions: boolean },
  step: RunStep,
  flags: Args,
): Args {
  return {
    num_evolutions: p.numEvolutions,
    store_evolutions: p.storeEvolutions || undefined,
    ...flags,
    // distilabel draws each round's mutation with numpy, seeded by this.
    seed: step.sampling.seed,
  };
}

/** EvolInstruct's and EvolComplexity's: they evolve instructions, and may answer them. */
function evolInstructionArgs(
  p: {
    numEvolutions: number;
    storeEvolutions: boolean;
    generateAnswers: boolean;
    includeOriginalInstruction: boolean;
  },
  step: RunStep,
): Args {
  return evolArgs(p, step, {
    generate_answers: p.generateAnswers || undefined,
    include_original_instruction: p.includeOriginalInstruction || undefined,
  });
}

function prometheusRow(task: typeof prometheusAbsolute, mode: 'absolute' | 'relative') {
  return row(task, {
    kind: 'class',
    className: 'PrometheusEval',
    args: (p) => ({
      mode,
      rubric: p.rubric,
      rubrics: p.rubric === 'custom' ? { custom: p.customRubric.trim() } : undefined,
      reference: p.withReference || undefined,
    }),
  });
}

/** A setting distilabel draws at random when not given, as Retort's "random" does. */
const chosen = <T extends string>(value: T) => (value === 'random' ? undefined : value);

const TABLE = new Map<string, Mapping>([
  row(textGeneration, {
    kind: 'class',
    className: 'TextGeneration',
    args: templateArgs,
    differences: fewShotDifference,
  }),
  row(chatGeneration, {
    kind: 'class',
    className: 'ChatGeneration',
    differences: (p, step) => [
      ...(p.systemPrompt
        ? [
            'ChatGeneration takes no system prompt: Retort put the System prompt first in each conversation that had none; add it to "messages".',
          ]
        : []),
      ...fewShotDifference(p, step),
    ],
  }),
  row(structuredGeneration, {
    kind: 'class',
    className: 'TextGeneration',
    args: (p) => ({ system_prompt: p.systemPrompt || undefined, template: structuredPrompt(p) }),
    structured: { schema: schemaOf },
    differences: (p) => [wholeJsonDifference(schemaColumns(p.schema))],
  }),
  row(selfInstruct, {
    kind: 'class',
    className: 'SelfInstruct',
    args: (p) => ({
      num_instructions: p.numInstructions,
      application_description: p.applicationDescription,
      criteria_for_query_generation: p.criteria,
    }),
  }),
  row(genstruct, { kind: 'class', className: 'Genstruct' }),
  row(urial, {
    kind: 'class',
    className: 'URIAL',
    differences: (p) =>
      p.fewShot
        ? []
        : ["distilabel's URIAL always shows its worked examples; Retort left them out."],
  }),
  row(magpie, {
    kind: 'class',
    className: 'Magpie',
    args: (p) => ({
      n_turns: p.nTurns === 1 ? undefined : p.nTurns,
      only_instruction: p.onlyInstruction || undefined,
    }),
    magpie: (p) => (p.preQueryTemplate === 'custom' ? p.customPreQuery : p.preQueryTemplate),
    differences: (p) =>
      p.preQueryTemplate === 'custom' && p.customStop.some(Boolean)
        ? [
            `Retort also stopped each instruction at ${p.customStop.filter(Boolean).join(', ')}; distilabel stops where the model ends its turn.`,
          ]
        : [],
  }),
  row(evolInstruct, { kind: 'class', className: 'EvolInstruct', args: evolInstructionArgs }),
  row(evolComplexity, { kind: 'class', className: 'EvolComplexity', args: evolInstructionArgs }),
  row(evolQuality, {
    kind: 'class',
    className: 'EvolQuality',
    args: (p, step) =>
      evolArgs(p, step, { include_original_response: p.includeOriginalResponse || undefined }),
  }),
  ...ultraFeedbackTasks.map((task) =>
    row(task, {
      kind: 'class',
      className: 'UltraFeedback',
      args: (_p, step) => ({
        aspect: ULTRAFEEDBACK_ASPECTS[task.id],
        use_default_structured_output: defaultStructured(step),
      }),
      structured: 'task',
    }),
  ),
  ...[qualityScorer, complexityScorer].map((task) =>
    row(task, {
      kind: 'class',
      className: task === qualityScorer ? 'QualityScorer' : 'ComplexityScorer',
      args: (_p, step) => ({ use_default_structured_output: defaultStructured(step) }),
      structured: 'task',
    }),
  ),
  prometheusRow(prometheusAbsolute, 'absolute'),
  prometheusRow(prometheusRelative, 'relative'),
  row(arenaHard, {
    kind: 'missing',
    reason:
      "distilabel 1.5 ships its ArenaHard task in the repository's examples (examples/arena_hard.py), not in the package: copy the ArenaHard class from there into this file and make this step with it (same inputs, instruction and generations; outputs evaluation and score).",
  }),
  row(instructionBacktranslation, { kind: 'class', className: 'InstructionBacktranslation' }),
  row(clair, { kind: 'class', className: 'CLAIR' }),
  row(textClassification, {
    kind: 'class',
    className: 'TextClassification',
    args: (p, step) => {
      const labels = parseLabels(p.labels);
      return {
        available_labels: labels.some((l) => l.description)
          ? Object.fromEntries(labels.map((l) => [l.name, l.description]))
          : labels.length > 0
            ? labels.map((l) => l.name)
            : undefined,
        n: p.numLabels === 1 ? undefined : p.numLabels,
        default_label: p.defaultLabel,
        context: p.context,
        examples: p.examples.some(Boolean) ? p.examples.filter(Boolean) : undefined,
        query_title: p.queryTitle,
        // distilabel's TextClassification asks for its JSON schema unless told not to.
        use_default_structured_output: step.task.structuredOutput ? undefined : false,
      };
    },
    structured: 'task',
  }),
  row(generateSentencePair, {
    kind: 'class',
    className: 'GenerateSentencePair',
    args: (p, step) => ({
      action: p.action,
      triplet: p.triplet || undefined,
      hard_negative: p.triplet && p.hardNegative ? true : undefined,
      context: p.context || undefined,
      use_default_structured_output: defaultStructured(step),
    }),
    structured: 'task',
  }),
  row(generateTextRetrievalData, {
    kind: 'class',
    className: 'GenerateTextRetrievalData',
    args: (p, step) => ({
      query_type: chosen(p.queryType),
      query_length: chosen(p.queryLength),
      difficulty: chosen(p.difficulty),
      clarity: chosen(p.clarity),
      num_words: p.numWords === 'random' ? undefined : Number(p.numWords),
      language: p.language,
      // The settings left "random" are drawn with Python's random, seeded by this.
      seed: step.sampling.seed,
    }),
  }),
  row(customText, {
    kind: 'class',
    className: 'TextGeneration',
    args: templateArgs,
    differences: fewShotDifference,
  }),
  row(customJson, {
    kind: 'class',
    className: 'TextGeneration',
    args: templateArgs,
    structured: { schema: schemaOf },
    differences: (p, step) => [
      wholeJsonDifference(schemaColumns(p.schema)),
      ...fewShotDifference(p, step),
    ],
  }),
  row(customRegex, {
    kind: 'class',
    className: 'TextGeneration',
    args: templateArgs,
    differences: (p, step) => [
      `PLACEHOLDER: distilabel has no regex reader. The answer is kept whole in "generation"; Retort read its fields with the pattern ${p.pattern} (${p.ignoreCase ? 'ignoring case' : 'case sensitive'}): add a step of your own that does.`,
      ...fewShotDifference(p, step),
    ],
  }),
]);

/** The distilabel class of a task, or why there is none (also for a task this version lacks). */
export function distilabelTask(taskId: string): Mapping {
  return (
    TABLE.get(taskId) ?? {
      kind: 'missing',
      reason: `This version of Retort has no task "${taskId}".`,
    }
  );
}
