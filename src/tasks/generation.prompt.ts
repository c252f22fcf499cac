/**
 * Structured generation's prompt: the instruction, then the schema when it is
 * to be shown. The Jinja renderer drops the first line break after a block tag
 * (trim_blocks), so three line breaks after `{% if %}` leave one blank line.
 */
export const structuredTemplate = `{{ instruction }}{% if shownSchema %}


Answer with a JSON object that follows this JSON schema, and nothing else:
{{ shownSchema }}{% endif %}`;
