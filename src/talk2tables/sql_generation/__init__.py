"""Turn a question plus every gathered resource into one read-only SQL query, and check SQL against a schema.

`generator.SQLGenerator` asks the LLM (the prompt in `prompt`, the answer's shape in `output`), and
`validator.SQLValidator` checks SQL with sqlglot against the gathered schema. The workflow that uses them,
with recovery over at most 3 attempts, is `talk2tables.workflow`.
"""
