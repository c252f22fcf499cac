/** The self-curation prompt of Instruction Backtranslation (Humpback) in our own words; the 5-point scale is the method's. */
export const template = `Below are an instruction from a user and a candidate answer. Judge whether the answer is a good example of how an AI assistant should respond to the instruction, and score it on this 5-point scale:

1: The answer is incomplete, vague, off-topic, controversial, or not what the user asked for. Content may be missing, a list may be out of order, or the answer may not address the instruction at all.
2: The answer addresses most of what the user asked, but not the instruction directly. For example, it gives a high-level method where the user asked for a step-by-step solution.
3: The answer is helpful and addresses everything the user asked, but it is not written from an AI assistant's point of view: it reads like an excerpt from a blog post, a web page or search results, with personal experience or opinion, or mentions of comments sections or social media.
4: The answer is written from an AI assistant's point of view and clearly focuses on the instruction. It is complete, clear and comprehensive, well organised, self-contained and helpful, with minor room for improvement, such as being more concise and focused.
5: A perfect answer from an AI assistant. It focuses clearly on being a helpful assistant, answering the instruction without irrelevant sentences, with expert knowledge, in a well-written, logical, easy-to-follow, engaging and insightful way.

First give the brief reasoning that leads to your score, then write "Score: <rating>" on the last line.

## Instruction

{{ instruction }}

## Answer

{{ generation }}`;
