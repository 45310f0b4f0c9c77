"""Grammar sampling as llama.cpp's own server does it, for llama-cpp-python's server.

llama-cpp-python puts the JSON grammar first in its sampler chain, so for every token the grammar checks the
whole vocabulary (151,936 tokens for Qwen2.5): measured here at a 6,300-token context, 87 ms a token against 68
without a grammar. llama.cpp's server samples first and lets the grammar check only the token chosen; just a
token the grammar refuses makes it mask the whole vocabulary and sample again. At temperature 0 both choose the
same token (the most likely one the grammar allows), so replies are unchanged; only the time goes.

`install()` patches `llama_cpp.Llama._init_sampler` in the model server's own process (started by
`python -m talk2tables.local_llm.serve`); nothing of the product imports llama_cpp otherwise.
"""

from __future__ import annotations

import ctypes
import math
import weakref
from typing import Any

import numpy as np

# llama_token_data: {int32 id; float logit; float p}, as llama.h lays it out.
TOKEN_DATA = np.dtype([("id", np.int32), ("logit", np.float32), ("p", np.float32)], align=True)


class GrammarLastSampler:
    """Stands in for llama-cpp-python's LlamaSampler (`sample(ctx, idx)`) when a request has a grammar: `chain`
    is the request's sampler chain without the grammar, `grammar` a llama.cpp grammar sampler it owns."""

    def __init__(self, llama_cpp: Any, chain: Any, grammar: Any, n_vocab: int) -> None:
        self._lib = llama_cpp
        self._chain = chain  # keeps the LlamaSampler (and its C chain) alive
        self._grammar = grammar
        self._ids = np.arange(n_vocab, dtype=np.int32)
        self._candidates = np.zeros(n_vocab, dtype=TOKEN_DATA)
        self._n_vocab = n_vocab
        self._finalizer = weakref.finalize(self, llama_cpp.llama_sampler_free, grammar)

    def sample(self, ctx: Any, idx: int = -1) -> int:
        lib = self._lib
        token = self._choose(ctx, idx, with_grammar=False)
        if not self._allowed(token):  # refused: the grammar masks the whole vocabulary, and the chain picks again
            token = self._choose(ctx, idx, with_grammar=True)
        lib.llama_sampler_accept(self._grammar, token)
        lib.llama_sampler_accept(self._chain.sampler, token)
        return token

    def _choose(self, ctx: Any, idx: int, *, with_grammar: bool) -> int:
        lib = self._lib
        logits = lib.llama_get_logits_ith(ctx.ctx, idx)
        # Every field afresh: samplers such as top-k sort the array in place, so it is not in token order now.
        self._candidates["id"] = self._ids
        self._candidates["logit"] = np.ctypeslib.as_array(logits, shape=(self._n_vocab,))
        self._candidates["p"] = 0.0
        array = lib.llama_token_data_array(
            data=self._candidates.ctypes.data_as(lib.llama_token_data_p),
            size=self._n_vocab,
            selected=-1,
            sorted=False,
        )
        if with_grammar:
            lib.llama_sampler_apply(self._grammar, ctypes.byref(array))
        lib.llama_sampler_apply(self._chain.sampler, ctypes.byref(array))
        if array.selected < 0:
            raise RuntimeError("the sampler chain selected no token")
        # The samplers may sort or shorten the array in place; `data` then points into it.
        return int(array.data[array.selected].id)

    def _allowed(self, token: int) -> bool:
        lib = self._lib
        single = (lib.llama_token_data * 1)(lib.llama_token_data(token, 1.0, 0.0))
        array = lib.llama_token_data_array(data=single, size=1, selected=-1, sorted=False)
        lib.llama_sampler_apply(self._grammar, ctypes.byref(array))
        return not math.isinf(single[0].logit)


def install() -> bool:
    """Make every grammar request of llama-cpp-python's `Llama` sample grammar-last. False (and nothing changed)
    when this llama-cpp-python lacks what the sampler needs."""
    import llama_cpp  # only the model server's process has it
    from llama_cpp import llama as llama_module

    needed = ("llama_sampler_init_grammar", "llama_sampler_apply", "llama_sampler_accept", "llama_get_logits_ith")
    if not all(hasattr(llama_cpp, name) for name in needed) or not hasattr(llama_module.Llama, "_init_sampler"):
        return False
    original = llama_module.Llama._init_sampler
    if getattr(original, "_grammar_last", False):
        return True

    def init_sampler(self: Any, *args: Any, **kwargs: Any) -> Any:
        grammar = kwargs.pop("grammar", None)
        chain = original(self, *args, **kwargs)
        if grammar is None:
            return chain
        sampler = llama_cpp.llama_sampler_init_grammar(
            self._model.vocab, grammar._grammar.encode("utf-8"), grammar._root.encode("utf-8")
        )
        if not sampler:
            raise ValueError("llama.cpp could not build the request's grammar")
        return GrammarLastSampler(llama_cpp, chain, sampler, self._n_vocab)

    init_sampler._grammar_last = True  # type: ignore[attr-defined]
    llama_module.Llama._init_sampler = init_sampler  # type: ignore[method-assign]
    return True
