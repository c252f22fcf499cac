/**
 * Evol-Instruct, Evol-Complexity and Evol-Quality mutation prompts in our own
 * words. The mutation kinds, the 10-20 added words, and the `#The Given
 * Prompt#` / `#Rewritten Prompt#` layout are the methods' (WizardLM, Deita).
 */

function rewrite(method: string): string {
  return `You are a prompt rewriter. Rewrite the given prompt into a more complex version, one that well-known AI systems (such as ChatGPT and GPT-4) would find a bit harder to handle.
The rewritten prompt must stay reasonable, and a person must be able to understand and answer it.
Keep every part of the given prompt that is not plain text, such as tables and code, and keep its input.
Make the prompt more complex with this method:
${method}
Do not let the rewritten prompt become wordy: it may add only 10 to 20 words to the given prompt.
Never use the phrases "#The Given Prompt#", "#Rewritten Prompt#", "given prompt" or "rewritten prompt" in the rewritten prompt.

#The Given Prompt#:
{{ instruction }}

#Rewritten Prompt#:`;
}

const breadth = `You are a prompt creator. Taking inspiration from the given prompt, create a brand-new prompt.
It must belong to the same domain as the given prompt, but be about something rarer.
Its length and complexity should be close to those of the given prompt.
A person must be able to understand and answer it.
Never use the phrases "#Given Prompt#", "#Created Prompt#", "given prompt" or "created prompt" in the created prompt.

#Given Prompt#:
{{ instruction }}

#Created Prompt#:`;

/** Evol-Instruct's five mutations (in-depth four, plus in-breadth). */
export const instructionMutations = {
  CONSTRAINTS: rewrite('Add one more constraint or requirement to #The Given Prompt#.'),
  DEEPENING: rewrite(
    'If #The Given Prompt# asks about certain issues, increase the depth and breadth of the inquiry.',
  ),
  CONCRETIZING: rewrite('Replace general concepts with more specific ones.'),
  INCREASED_REASONING_STEPS: rewrite(
    'If #The Given Prompt# can be solved with only a few simple steps of thinking, rewrite it to ask explicitly for reasoning in several steps.',
  ),
  BREADTH: breadth,
};

/** Evol-Complexity: the in-depth mutations only. */
export const complexityMutations = {
  CONSTRAINTS: instructionMutations.CONSTRAINTS,
  DEEPENING: instructionMutations.DEEPENING,
  CONCRETIZING: instructionMutations.CONCRETIZING,
  INCREASED_REASONING_STEPS: instructionMutations.INCREASED_REASONING_STEPS,
};

function rewriteResponse(method: string): string {
  return `You are a response rewriter. Improve the quality of the AI assistant's response to the given prompt by rewriting the response.
The rewritten response must stay reasonable, and a person must be able to understand it.
Keep every part of the given prompt and response that is not plain text, such as tables and code, and keep the prompt's input.
Improve the response with this method:
${method}
Do not let the rewritten response become wordy: it may add only 10 to 20 words to the given response.
Never use the phrases "#Given Response#", "#Rewritten Response#", "given response" or "rewritten response" in the rewritten response.

#Given Prompt#:
{{ instruction }}

#Given Response#:
{{ response }}

#Rewritten Response#:`;
}

/** Evol-Quality's five mutations of a response. */
export const responseMutations = {
  HELPFULNESS: rewriteResponse('Make the response more helpful to the user.'),
  RELEVANCE: rewriteResponse('Make the response more relevant to #Given Prompt#.'),
  DEEPENING: rewriteResponse('Make the response more in-depth.'),
  CREATIVITY: rewriteResponse('Make the response more creative.'),
  DETAILS: rewriteResponse('Make the response more detailed.'),
};
