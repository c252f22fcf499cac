/**
 * The text-retrieval prompt of "Improving Text Embeddings with Large Language
 * Models" in our own words; its guidelines and the JSON object with
 * `user_query`, `positive_document` and `hard_negative_document` are the method's.
 */
export const template = `You have been given a retrieval task: {{ task }}
Write one example of text retrieval for this task, as a JSON object with these keys:
- "user_query": a string, a search query a user could send for this task.
- "positive_document": a string, a document that is relevant to the query.
- "hard_negative_document": a string, a document that only looks relevant to the query.

Follow these guidelines:
- The "user_query" is {{ query_type }}, {{ query_length }}, {{ clarity }}, and on a topic of your choice.
- Write the documents independently of the query: do not copy the query into them. Parts of the "positive_document" may be off the query's topic.
- Each document is at least {{ num_words }} words long.
- The "hard_negative_document" holds some useful information, but less useful or less complete than the "positive_document".
- Write the query and the documents in {{ language }}.
- No document explains why it is or is not relevant to the query.
- Understanding the query and the documents takes {{ difficulty }} level education.

Answer with the JSON object only, without any explanation. Be creative!`;
