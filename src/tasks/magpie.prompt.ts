/** distilabel's system prompt for conversations of several turns, in our own words. */
export const MULTI_TURN_SYSTEM_PROMPT =
  'You are a helpful AI assistant. The user will hold a conversation of several rounds with you: a first question, then follow-up questions about it. Give thorough, relevant and insightful answers that help the user with each one.';
