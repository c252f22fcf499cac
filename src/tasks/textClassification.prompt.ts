/**
 * distilabel's TextClassification prompt in our own words; the JSON answer
 * `{"labels": ...}` (one label, or a list for several) is the method's.
 */
export const template = `# Instruction
Classify the {{ queryTitle | lower }} below by giving it the most fitting labels.
Do not explain your reasoning or add any commentary.
If the text is ambiguous or lacks the information needed to classify it, answer with "{{ defaultLabel }}".
{% if numLabels == 1 %}
Give the one label that best describes the text.
{% else %}
Give a list of up to {{ numLabels }} labels that best describe the text.
{% endif %}
{% if context %}
{{ context }}
{% endif %}
{% if labels %}

## Labels
Choose only among these labels{% if described %}, reading what each one means{% endif %}:
{% for label in labels %}
- "{{ label.name }}"{% if label.description %}: {{ label.description }}{% endif %}

{% endfor %}
{% else %}
Use clear, widely understood terms as labels; avoid very specific or obscure ones unless the text calls for them.
{% endif %}
{% if examples %}

## Examples
Some examples of the task:
{% for example in examples %}
- {{ example }}
{% endfor %}
{% endif %}

## {{ queryTitle }}
\`\`\`
{{ text }}
\`\`\`

## Output format
Answer with the labels in JSON, and nothing else:
\`\`\`
{"labels": {{ labelsFormat }}}
\`\`\``;

export const systemPrompt =
  'You are an AI system that labels pieces of text. Your only job is to read the text given and give it fitting classification labels.';
