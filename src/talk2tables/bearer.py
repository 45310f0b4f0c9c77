"""Bearer-token checking shared by the MCP servers and the API: one parser, one constant-time compare."""

from __future__ import annotations

import hmac


def bearer_matches(authorization: str | bytes | None, expected: str) -> bool:
    """True when an `Authorization` header value is `Bearer <expected>` (scheme case-insensitive)."""
    if not authorization:
        return False
    header = authorization.decode("latin-1") if isinstance(authorization, bytes) else authorization
    scheme, _, credential = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(credential.strip().encode(), expected.encode())
