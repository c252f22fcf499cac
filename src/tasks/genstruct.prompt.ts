/**
 * The Genstruct prompt. The `[[[Title]]]`, `[[[Content]]]`, `[[[User]]]` and
 * `[[[Assistant]]]` markers are the format NousResearch/Genstruct-7B was
 * trained on; the sentence between them is ours.
 */
export const template = `[[[Title]]] {{ title | trim }}
[[[Content]]] {{ content | trim }}

What follows is a conversation between a user and an AI assistant about the text above.

[[[User]]] `;
