import { z } from 'zod';
import type { ChatMessage } from '../engine/llm/types';
import type { ChainContext, ChainTask, Outputs } from '../engine/task';
import { renderTemplate } from '../engine/template';
import { complexityMutations, instructionMutations, responseMutations } from './evol.prompt';
import { cleanValue, stripEmphasis } from './parse';
import { chat, textOf } from './rows';

/** The mutation a uniform draw in [0, 1) picks among the names. */
export function pickMutation(names: readonly string[], draw: number): string {
  return names[Math.min(names.length - 1, Math.max(0, Math.floor(draw * names.length)))];
}

const LEAKED =
  /#\s*(?:The\s+)?Given\s+(?:Prompt|Response)\s*#|#\s*(?:Rewritten|Created)\s+(?:Prompt|Response)\s*#/i;

/**
 * A short first line that announces the result instead of being part of it:
 * `Sure! Here's a more complex version of the prompt:`. It needs a reply cue
 * (sure, here is...) and a word naming the result, so that a prompt which
 * itself opens with a line ending in a colon (`Here is a list of numbers:`,
 * `Rewrite this sentence:`) is kept whole.
 */
function isAnnouncement(line: string): boolean {
  const text = stripEmphasis(line).trim();
  return (
    text.length <= 120 &&
    text.endsWith(':') &&
    /\b(?:sure|certainly|of course|okay|absolutely|here(?:'s|’s| is))\b/i.test(text) &&
    /\b(?:rewritten|evolved|revised|improved|new|updated|more|harder|version)\b/i.test(text) &&
    /\b(?:prompt|instruction|response|question|version)\b/i.test(text)
  );
}

/**
 * The evolved text: what follows the last `#Rewritten Prompt#:`-style label the
 * model repeated, if any, and any announcing first line, without quotes or a
 * code fence around it. Null when empty (an announcement alone), or when the
 * prompt's own labels leak into it (a failed evolution).
 */
export function readEvolved(text: string): string | null {
  const labelled = text.split(
    /#?\s*(?:The\s+)?(?:Rewritten|Created)\s+(?:Prompt|Response)\s*#?\s*:/i,
  );
  const [first, ...rest] = (labelled.at(-1) ?? '').trim().split('\n');
  const body = isAnnouncement(first) ? rest.join('\n') : [first, ...rest].join('\n');
  const value = cleanValue(body.replace(/^\s*```[a-z]*\n([\s\S]*?)\n```\s*$/i, '$1'));
  if (!value || LEAKED.test(value)) return null;
  return value;
}

/** How many rounds, and whether every round is kept (in the list column `kept`) or only the last. */
function roundParams(kept: string) {
  return {
    numEvolutions: z.number().int().min(1).max(10).default(1).describe('Rounds of evolution'),
    storeEvolutions: z
      .boolean()
      .default(false)
      .describe(`Keep every round (lists "${kept}"), not only the last`),
  };
}

const evolInstructParams = z.object({
  ...roundParams('evolved_instructions'),
  generateAnswers: z.boolean().default(false).describe('Also answer the evolved instructions'),
  includeOriginalInstruction: z
    .boolean()
    .default(false)
    .describe('Start the kept list with the original instruction'),
});
type EvolInstructParams = z.infer<typeof evolInstructParams>;

function evolvedColumns(p: EvolInstructParams): string[] {
  const columns = [p.storeEvolutions ? 'evolved_instructions' : 'evolved_instruction'];
  if (p.generateAnswers) columns.push(p.storeEvolutions ? 'answers' : 'answer');
  return columns;
}

/**
 * Rounds of evolution from `start`, each with a mutation drawn at random
 * (seeded, so a rerun repeats it): every round's text, or null when a round
 * gives nothing that can be read, which ends the generation unreadable.
 */
async function evolve(
  chain: ChainContext,
  start: string,
  rounds: number,
  mutations: readonly string[],
  prompt: (mutation: string, current: string) => ChatMessage[],
): Promise<string[] | null> {
  const evolutions: string[] = [];
  let current = start;
  for (let round = 0; round < rounds; round++) {
    const answer = await chain.complete(prompt(pickMutation(mutations, chain.random()), current));
    const evolved = answer === null ? null : readEvolved(answer);
    if (evolved === null) return null;
    evolutions.push(evolved);
    current = evolved;
  }
  return evolutions;
}

/** The instructions an Evol-Instruct generation keeps: the last, or every round (after the original). */
function keptCount(p: EvolInstructParams): number {
  return p.storeEvolutions ? p.numEvolutions + (p.includeOriginalInstruction ? 1 : 0) : 1;
}

function instructionTask(config: {
  id: string;
  label: string;
  description: string;
  mutations: Record<string, string>;
}): ChainTask<typeof evolInstructParams> {
  const names = Object.keys(config.mutations);
  const prompt = (name: string, instruction: string): ChatMessage[] =>
    chat(undefined, renderTemplate(config.mutations[name], { instruction }));
  return {
    kind: 'chain',
    id: config.id,
    label: config.label,
    description: config.description,
    group: 'Evolution',
    params: evolInstructParams,
    inputs: [{ name: 'instruction', description: 'The instruction to evolve' }],
    outputs: evolvedColumns,
    /** The first round, shown with the first mutation: the run draws each round's. */
    preview: (row) => ({ messages: prompt(names[0], textOf(row, 'instruction')) }),
    callsPerGeneration: (p) => p.numEvolutions + (p.generateAnswers ? keptCount(p) : 0),
    async run(row, p, chain) {
      const original = textOf(row, 'instruction');
      const evolutions = await evolve(chain, original, p.numEvolutions, names, prompt);
      if (evolutions === null) return {};
      const last = evolutions[evolutions.length - 1];
      const kept = p.storeEvolutions
        ? [...(p.includeOriginalInstruction ? [original] : []), ...evolutions]
        : [last];
      const out: Outputs = p.storeEvolutions
        ? { evolved_instructions: kept }
        : { evolved_instruction: last };
      if (p.generateAnswers) {
        const answers: (string | null)[] = [];
        for (const instruction of kept) {
          const answer = await chain.complete([{ role: 'user', content: instruction }]);
          answers.push(answer?.trim() ? answer.trim() : null);
        }
        if (p.storeEvolutions) out.answers = answers;
        else out.answer = answers[0];
      }
      return out;
    },
  };
}

/** distilabel's EvolInstruct (WizardLM): rounds of seeded random mutation of an instruction. */
export const evolInstruct = instructionTask({
  id: 'evol_instruct',
  label: 'Evol-Instruct',
  description:
    'Evolves each "instruction" into a harder one over rounds of mutation, each chosen at random (seeded, so a rerun repeats it) among add constraints, deepen, concretize, require more reasoning steps, and create a rarer prompt in the same domain (breadth). Writes "evolved_instruction" (or "evolved_instructions" with every round), and optionally "answer(s)".',
  mutations: instructionMutations,
});

/** distilabel's EvolComplexity (Deita): Evol-Instruct with the in-depth mutations only. */
export const evolComplexity = instructionTask({
  id: 'evol_complexity',
  label: 'Evol-Complexity',
  description:
    'Like Evol-Instruct but only makes instructions more complex (no breadth mutation), as the Deita method does: add constraints, deepen, concretize, or require more reasoning steps. Writes "evolved_instruction" (or "evolved_instructions"), and optionally "answer(s)".',
  mutations: complexityMutations,
});

const evolQualityParams = z.object({
  ...roundParams('evolved_responses'),
  includeOriginalResponse: z
    .boolean()
    .default(false)
    .describe('Start the kept list with the original response'),
});

const responseNames = Object.keys(responseMutations) as (keyof typeof responseMutations)[];
const responsePrompt = (instruction: string) => (name: string, response: string) =>
  chat(
    undefined,
    renderTemplate(responseMutations[name as keyof typeof responseMutations], {
      instruction,
      response,
    }),
  );

/** distilabel's EvolQuality (Deita): rounds of seeded random improvement of a response. */
export const evolQuality: ChainTask<typeof evolQualityParams> = {
  kind: 'chain',
  id: 'evol_quality',
  label: 'Evol-Quality',
  description:
    'Improves each "response" to its "instruction" over rounds of rewriting, each chosen at random (seeded) among more helpful, more relevant, deeper, more creative and more detailed. Writes "evolved_response" (or "evolved_responses" with every round).',
  group: 'Evolution',
  params: evolQualityParams,
  inputs: [
    { name: 'instruction', description: 'The instruction the response answers' },
    { name: 'response', description: 'The response to improve' },
  ],
  outputs: (p) => [p.storeEvolutions ? 'evolved_responses' : 'evolved_response'],
  preview: (row) => ({
    messages: responsePrompt(textOf(row, 'instruction'))(responseNames[0], textOf(row, 'response')),
  }),
  callsPerGeneration: (p) => p.numEvolutions,
  async run(row, p, chain) {
    const original = textOf(row, 'response');
    const prompt = responsePrompt(textOf(row, 'instruction'));
    const evolutions = await evolve(chain, original, p.numEvolutions, responseNames, prompt);
    if (evolutions === null) return {};
    return p.storeEvolutions
      ? { evolved_responses: [...(p.includeOriginalResponse ? [original] : []), ...evolutions] }
      : { evolved_response: evolutions[evolutions.length - 1] };
  },
};
