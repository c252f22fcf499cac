/**
 * distilabel's GenerateSentencePair prompts in our own words; the actions, the
 * negative styles and the `## Positive` / `## Negative` answer are the method's.
 */
export const system = `Your task is to write {% if triplet %}a positive and a negative sentence{% else %}a positive sentence{% endif %} for a given anchor sentence.{% if context | trim %} Take the given context into account.{% endif %} The positive sentence must {{ action }} the anchor sentence{% if triplet %}, while the negative sentence {% if hardNegative %}is a "hard negative" that:
- uses keywords or phrases like the anchor's,
- has a grammatical structure like the anchor's,
- is not related to the anchor, yet could be mistaken for it.
Make the negative as hard as you can for a model to tell apart from the positive{% else %}may use similar words but must be unrelated to the anchor sentence{% endif %}{% endif %}. Write only {% if triplet %}two new sections: \`## Positive\` and \`## Negative\`{% else %}one new section: \`## Positive\`{% endif %}.`;

export const user = `{% if context | trim %}
## Context

{{ context | trim }}

{% endif %}
## Anchor

{{ anchor }}
`;
