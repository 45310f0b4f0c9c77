"""The one bearer-token check used by the MCP servers and the API."""

from __future__ import annotations

import pytest

from talk2tables.bearer import bearer_matches


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        ("Bearer s3cret", True),
        ("bearer s3cret", True),
        (b"Bearer s3cret", True),
        ("Bearer  s3cret ", True),
        ("Bearer s3cre", False),
        ("Bearer s3cret2", False),
        ("Basic s3cret", False),
        ("s3cret", False),
        ("", False),
        (None, False),
    ],
)
def test_only_the_right_bearer_token_matches(header: str | bytes | None, ok: bool) -> None:
    assert bearer_matches(header, "s3cret") is ok
