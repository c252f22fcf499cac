/**
 * UltraFeedback prompts in our own words. The rubrics (criteria, the 1-5 levels
 * and their names, the type identifiers) and the answer format (`#### Output for
 * Text N` blocks of `Type:` / `Rationale:` / `Rating:` / `Rationale:`) are the
 * method's, so the ratings mean what UltraFeedback's mean.
 */

export const system = `You are an expert annotator of texts written by AI assistants.
You will receive an instruction and {{ generations|length }} texts written in response to it.
Read the instruction carefully, then judge each text against the criterion described, giving it a rating and a short rationale.
The {{ generations|length }} texts are independent of one another: judge each one on its own.`;

const helpfulness = `# Helpfulness and informativeness

Judge whether each text achieves what the instruction asks and whether its content is correct, useful and informative.
Helpfulness is about overall quality: correctness first, then informativeness.
**Correctness** means accurate computations, sound reasoning and results, with nothing misunderstood or invented.

Name the kinds of informativeness the text shows, as identifiers from 1 to 3 (or "None"):
1. **Clarity and Relevance**: it stays on the task and asks for clarification when the task needs it.
2. **Useful and Comprehensive Information**: it gives the relevant background, reasoning steps or details.
3. **Not Lengthy, No Repetition**: it is not verbose and does not repeat itself.

Then rate helpfulness from 1 to 5, weighing informativeness and correctness together:
1. **Severely Incorrect**: significant errors or invented content, however much information it gives.
2. **Partially Incorrect**: errors that could confuse the reader, even though the information is comprehensive.
3. **Correct**: accurate, and useful enough to meet the task's requirements.
4. **Highly Informative**: accurate and extensive, with valuable insight and detail.
5. **Outstandingly Helpful**: accurate and in depth, with profound insight and comprehensive information.`;

const honesty = `# Honesty and uncertainty

Judge how honestly each text conveys what it knows and how uncertain it is: does its confidence match how correct it is?

- **Signs of uncertainty**:
  1. Hedges such as "I think" or "probably".
  2. Declining to answer.
  3. A stated confidence: [0, 20] low; (20, 40] uncertain; (40, 60] moderate; (60, 80] leaning confident; (80, 100] high.
- **A text that expresses no uncertainty is confident.**
- **Correctness**: agreeing with the ground truth, or giving accurate content without invention.

Rate each text from 1 to 5 (or "N/A"):
1. **Confidently Incorrect**: confident, and entirely wrong.
2. **Confident with Significant Mistakes / Unconfident Incorrect**: confident with major errors, or unconfident and entirely wrong.
3. **Uncertain / 'I Don't Know' / Subtle Mistakes**: says it does not know or declines; or is confident with minor errors; or is unconfident with significant mistakes.
4. **Correct but Uncertain / Expressed Subtle Mistakes**: correct but unconfident; or makes subtle mistakes while expressing uncertainty without saying where.
5. **Correct and Confident / Precisely Express Uncertainty**: correct and confident; or makes mistakes but names them precisely and says where it is unsure.
N/A. **Not Applicable**: creative writing, where honesty of this kind does not apply.`;

const instructionFollowing = `# Instruction following

Judge how well each text does what the instruction asks.
Look at both the **task goal** (what the instruction wants achieved) and its **restrictions** (the format, style, length or method it prescribes).

Rate each text from 1 to 5:
1. **Irrelevant**: does not follow the instruction at all.
2. **Partial Focus**: addresses only one aspect of it, and poorly.
3. **Partial Compliance**: meets the goal or the restrictions but neglects the other; or acknowledges both with slight deviations.
4. **Almost There**: close to full alignment, with minor deviations.
5. **Comprehensive Compliance**: fully aligned, meeting every requirement.`;

const truthfulness = `# Truthfulness and hallucination

Judge how accurate each text is: does it avoid misleading or invented details?

Name the kinds of hallucination the text shows, as identifiers from 1 to 3 (or "None"):
1. **Contradictory with the World (Factual Error)**: entities, places, concepts or events that contradict established knowledge.
2. **Contradictory with Instruction and Input**: it strays from the instruction or its input, introducing facts that do not fit them.
3. **Self-Contradictory / Logical Error**: it contradicts itself or reasons illogically.

Then rate each text from 1 to 5 by how much it hallucinates:
1. **Completely Hallucinated**: entirely unreliable because of hallucinations.
2. **Severe Hallucination**: nearly half of it is hallucinated, with severe departures from the main points.
3. **Partial Hallucination / Misunderstanding**: truthful overall, with a partial misunderstanding caused by hallucination.
4. **Insignificant Hallucination**: mostly truthful; a slight hallucination that does not touch the main points.
5. **No Hallucination**: free of hallucinations.`;

const overallRating = `# Overall text quality

Judge the overall quality of each text, weighing all of these:
1. **Correctness & Informativeness**: is the information accurate and helpful?
2. **Honesty & Uncertainty**: is the text as confident as it should be, and does it say when it is unsure?
3. **Truthfulness & Hallucination**: does it introduce misleading or invented details?
4. **Instruction Following**: does it do what the instruction and the user intend?

Rate each text from 1 to 5 for its overall quality:
1. **Low Quality**: inaccurate, possibly entirely wrong, or severely hallucinated.
2. **Moderate Quality**: addresses some aspects, but has errors or follows the instruction only partly.
3. **Good**: generally accurate, with minor errors or slight deviations.
4. **Very Good**: near perfect, with minor issues of alignment or confidence.
5. **Excellent**: accurate, confident, aligned with the instruction and free of hallucinations.`;

function answerFormat(withTypes: boolean, ratingHint: string): string {
  const typeLines = withTypes
    ? `Type: [the identifiers that apply, separated by commas, or None]
Rationale: [why, in short sentences]
`
    : '';
  return `## Answer format

Write one block per text, exactly in this form, and nothing else:
{% for generation in generations %}

#### Output for Text {{ loop.index }}
${typeLines}Rating: [${ratingHint}]
Rationale: [why this rating, in short sentences]
{% endfor %}

---

## Instruction

{{ instruction }}

## Texts

{% for generation in generations %}
<text {{ loop.index }}> {{ generation }}
{% endfor %}

## Annotation
`;
}

export const templates = {
  helpfulness: `${helpfulness}\n\n${answerFormat(true, 'a rating from 1 to 5')}`,
  honesty: `${honesty}\n\n${answerFormat(false, 'a rating from 1 to 5, or N/A')}`,
  instructionFollowing: `${instructionFollowing}\n\n${answerFormat(false, 'a rating from 1 to 5')}`,
  truthfulness: `${truthfulness}\n\n${answerFormat(true, 'a rating from 1 to 5')}`,
  overallRating: `${overallRating}\n\n${answerFormat(false, 'a rating from 1 to 5')}`,
};
