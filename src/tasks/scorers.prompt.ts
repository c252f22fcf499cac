/**
 * Prompts of the Deita scorers in our own words. The scale (1 to N, with N + 1
 * kept for the exceptional item) and the `[i] Score: s` answer lines are the method's.
 */

export const quality = `Score the quality of each response to the question below. Weigh how helpful, relevant, accurate, deep, creative and detailed each response is.
Give each response a score from 1 to {{ responses|length }}; give {{ (responses|length) + 1 }} only to a response so well written that it cannot be improved.
Answer with one line per response, in this form, and nothing else:
[1] Score: <score>
[2] Score: <score>
...

## Question

{{ instruction }}

## Responses

{% for response in responses %}
[{{ loop.index }}] {{ response }}
{% endfor %}`;

export const complexity = `Rank the questions below by how difficult and complex they are, giving each a score from 1 to {{ instructions|length }}.
Give {{ (instructions|length) + 1 }} to a question too complex for you to answer.
Answer with one line per question, in this form, and nothing else:
[1] Score: <score>
[2] Score: <score>
...

## Questions

{% for instruction in instructions %}
[{{ loop.index }}] {{ instruction }}
{% endfor %}`;
