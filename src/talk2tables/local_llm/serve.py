"""`python -m talk2tables.local_llm.serve [llama-cpp-python server arguments]`: llama-cpp-python's OpenAI-compatible
server, unchanged but for how it samples under a grammar (grammar_sampling: the grammar checks the token chosen,
not the whole vocabulary, as in llama.cpp's own server)."""

from __future__ import annotations

import sys

from talk2tables.local_llm.grammar_sampling import install


def main() -> None:
    if not install():
        print(
            "talk2tables: this llama-cpp-python lacks what grammar-last sampling needs; "
            "serving with its own (slower) grammar sampling.",
            file=sys.stderr,
        )
    from llama_cpp.server.__main__ import main as serve  # after the patch

    serve()  # type: ignore[no-untyped-call]


if __name__ == "__main__":
    main()
