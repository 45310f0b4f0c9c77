"""Phase 3: turn a question plus every gathered resource into one validated, read-only SQL query.

`pipeline.Pipeline` composes the orchestrator (resources, execution), `generator.SQLGenerator` (the LLM),
and `validator.SQLValidator` (sqlglot against the gathered schema), with recovery over at most 3 attempts.
"""
