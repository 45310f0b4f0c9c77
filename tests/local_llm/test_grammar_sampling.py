"""Grammar-last sampling (local_llm/grammar_sampling.py) with the real bundled model: `make test-local`.

At temperature 0 it must write exactly what llama-cpp-python's own grammar-first sampling writes, token for
token, for the product's two reply schemas. How much faster it is, is a benchmark's figure, not a test's."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from talk2tables.local_llm.model import default_model_path
from talk2tables.sql_generation.output import AnswerNotes, GeneratedSQL
from tests.local_llm.conftest import real_model_missing
from tests.support.skips import skip_loudly

pytestmark = [pytest.mark.localmodel, pytest.mark.timeout(900)]

SYSTEM = (
    "You write SQLite SQL. Tables: customers(customer_id, name, country), orders(order_id, customer_id, status, "
    "total, created_at), products(product_id, product_name, category, price). Product aliases: abracadabra -> "
    "Magic Wand Pro; the orb -> Crystal Orb. Answer with one JSON object."
)
QUESTIONS = ["How many customers are there?", "Total sales of abracadabra last year", "What does the orb cost?"]


def replies(model: Any, temperature: float = 0.0) -> list[tuple[str, str]]:
    """(text, finish reason) of each question under each of the product's two reply schemas."""
    out = []
    for question in QUESTIONS:
        for schema in (GeneratedSQL.model_json_schema(), AnswerNotes.model_json_schema()):
            reply = model.create_chat_completion(
                messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": question}],
                temperature=temperature,
                seed=7,
                max_tokens=160,
                response_format={"type": "json_object", "schema": schema},
            )
            choice = reply["choices"][0]
            out.append((choice["message"]["content"], choice["finish_reason"]))
    return out


def test_grammar_last_sampling_writes_what_grammar_first_sampling_writes(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    reason = real_model_missing()
    if reason:
        skip_loudly(request.config, "GRAMMAR-LAST SAMPLING WITH THE REAL LOCAL MODEL", reason)
    from llama_cpp import Llama  # only with the local model installed

    from talk2tables.local_llm.grammar_sampling import GrammarLastSampler, install

    model = Llama(model_path=str(default_model_path(os.environ)), n_ctx=2048, logits_all=False, verbose=False)
    grammar_first = replies(model)
    assert not isinstance(model._sampler, GrammarLastSampler)
    monkeypatch.setattr(Llama, "_init_sampler", Llama._init_sampler)  # put back after the test
    assert install()
    grammar_last = replies(model)
    assert isinstance(model._sampler, GrammarLastSampler)
    assert grammar_last == grammar_first
    # Sampled (as the SQL retries are), the chain reorders its candidates in place: every reply must still be a
    # whole JSON object with its schema's keys, ended by the model, not cut at max_tokens. (llama.cpp's grammar
    # does not hold numbers to a schema's bounds, so a sampled confidence may be 100: the values are not checked.)
    sampled = replies(model, temperature=0.7)
    for (text, finish), model_type in zip(sampled, [GeneratedSQL, AnswerNotes] * len(QUESTIONS), strict=True):
        assert finish == "stop", text
        assert set(model_type.model_json_schema()["required"]) <= set(json.loads(text)), text
