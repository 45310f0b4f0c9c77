"""The question's workflow, the one way every front door answers (the API, `talk2tables ask`, `eval`, the
OpenAI-compatible endpoint): `service.QuestionService` checks the question and keeps the deadline;
`pipeline.Pipeline` gathers, generates, routes (`routing`), validates, executes and combines (`combine`,
run in a process of its own by `isolation`); `outcome` is the one place a failure becomes a QueryResult.
"""
