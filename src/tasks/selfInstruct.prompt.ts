/** The Self-Instruct query-generation prompt in our own words; its sections and one-query-per-line answer are the method's. */
export const template = `# Task
Write {{ numInstructions }} user queries that the AI application described below could receive, each one relevant to the given context. Vary the verbs and the sentence structures, within what a text model can do.

# Criteria for the queries
{{ criteria }}
Put each query on its own line, without numbers or bullet points.

# AI application
{{ applicationDescription }}

# Context
{{ input }}

# Queries`;
