"""JSON-safe values: what each database type becomes on the wire."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest

from talk2tables.database_mcp.values import json_safe


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (True, True),
        (7, 7),
        ("text", "text"),
        (1.5, 1.5),
        (float("nan"), None),
        (float("inf"), None),
        (Decimal("49.99"), 49.99),
        (dt.date(2025, 12, 31), "2025-12-31"),
        (dt.datetime(2025, 1, 2, 3, 4, 5), "2025-01-02T03:04:05"),
        (dt.time(13, 30), "13:30:00"),
        (b"\x00\xff", "00ff"),
        (memoryview(b"\x10"), "10"),
        (bytearray(b"\x01"), "01"),
        (uuid.UUID("12345678-1234-5678-1234-567812345678"), "12345678-1234-5678-1234-567812345678"),
        (dt.timedelta(days=1, hours=2), "1 day, 2:00:00"),
        ([Decimal("1.5"), dt.date(2024, 1, 1)], [1.5, "2024-01-01"]),
        ({"at": dt.date(2024, 1, 1), 3: b"\x01"}, {"at": "2024-01-01", "3": "01"}),
    ],
)
def test_converts_database_values_to_json_safe_ones(value: object, expected: object) -> None:
    converted = json_safe(value)
    assert converted == expected
    json.dumps(converted, allow_nan=False)


def test_falls_back_to_text_for_unknown_types() -> None:
    class Point:
        def __str__(self) -> str:
            return "(1,2)"

    assert json_safe(Point()) == "(1,2)"
