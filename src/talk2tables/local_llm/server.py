"""How the local model is served: llama.cpp's OpenAI-compatible server on loopback, and its extra."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections import deque
from collections.abc import Callable
from pathlib import Path

from talk2tables.errors import ConfigurationError

LLAMA_REQUIREMENT = "llama-cpp-python[server]>=0.3,<0.4"


def default_threads() -> int:
    """Every core: while a question is answered the model is the only busy process (measured on 2 cores, 2
    generation threads wrote 12.5 tokens/s against 8.6 for 1, at a 7,600-token context under a JSON grammar)."""
    return os.cpu_count() or 1


def llama_installed() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None and importlib.util.find_spec("uvicorn") is not None


# A build step as cmake and ninja print it: "[ 42%] Building ..." or "[17/160] Building ...".
_BUILD_STEP = re.compile(r"^\s*\[\s*(?:(\d+)%|(\d+)/(\d+))\]\s*(.*)$")
_OUTPUT_FILE = re.compile(r"\s-o\s+\S*?([^/\s]+)(?:\s|$)")


def build_fraction(line: str) -> tuple[float, str] | None:
    """How far a llama.cpp build is, from one line of its output, and what it is doing; None for other lines."""
    match = _BUILD_STEP.match(line)
    if match is None:
        return None
    percent, done, total = match.group(1), match.group(2), match.group(3)
    fraction = int(percent) / 100 if percent is not None else int(done) / max(1, int(total))
    what = match.group(4).strip()
    output = _OUTPUT_FILE.search(what)  # a verbose build prints the compiler's command: name its output
    return min(1.0, fraction), f"building {output.group(1)}" if output else what


# x86 instruction sets llama.cpp can use, by their /proc/cpuinfo flag. AMX is left out on purpose: with
# -march=native on a CPU that reports AMX (Sapphire Rapids and later), llama.cpp 0.3.36's AMX matrix
# multiply crashed the server (SIGSEGV) on the first prompt of more than one token.
_X86_OPTIONS = {
    "avx": "GGML_AVX",
    "avx2": "GGML_AVX2",
    "fma": "GGML_FMA",
    "f16c": "GGML_F16C",
    "avx_vnni": "GGML_AVX_VNNI",
    "avx512f": "GGML_AVX512",
    "avx512vbmi": "GGML_AVX512_VBMI",
    "avx512_vnni": "GGML_AVX512_VNNI",
    "avx512_bf16": "GGML_AVX512_BF16",
}


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str]:
    """The CPU's feature flags as Linux names them; empty where there is no /proc/cpuinfo."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.partition(":")[2].split())
    return set()


def build_cmake_args(flags: set[str]) -> str | None:
    """CMAKE_ARGS for compiling llama.cpp here: the CPU's own vector extensions, named one by one instead of
    -march=native (which also turns on AMX); None where the flags are unknown (not x86), to keep the default."""
    if "avx2" not in flags:
        return None
    options = [f"-D{option}={'ON' if flag in flags else 'OFF'}" for flag, option in _X86_OPTIONS.items()]
    return " ".join(["-DGGML_NATIVE=OFF", *options])


def install_llama(on_line: Callable[[str], None] | None = None) -> None:
    """Install the `local` extra (compiles llama.cpp from source: a few minutes, no other downloads).

    pip runs verbosely so that every line of the build reaches `on_line` (a progress display); on failure
    the error ends with the build's last lines."""
    from talk2tables.local_llm.installer import pip_command

    pip = pip_command()
    if importlib.util.find_spec("pip") is None:  # a pip from PATH must still install into this interpreter
        pip += ["--python", sys.executable]
    env = dict(os.environ)
    cmake_args = build_cmake_args(cpu_flags())
    if cmake_args and "CMAKE_ARGS" not in env:  # the user's own CMAKE_ARGS win
        env["CMAKE_ARGS"] = cmake_args
    tail: deque[str] = deque(maxlen=25)
    with subprocess.Popen(
        # --no-cache-dir: a wheel cached from a build with other flags must not be reused
        [*pip, "install", "-v", "--no-cache-dir", LLAMA_REQUIREMENT],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    ) as process:
        assert process.stdout is not None
        for raw in process.stdout:
            line = raw.rstrip()
            tail.append(line)
            if on_line is not None:
                on_line(line)
    if process.returncode != 0:
        last = "\n".join(f"  {line}" for line in tail)
        raise ConfigurationError(
            f"Installing {LLAMA_REQUIREMENT} failed (exit {process.returncode}). It needs a C++ compiler and cmake; "
            f"or configure a hosted model with T2T_LLM_MODEL instead. The last lines of pip's output:\n{last}"
        )


def server_argv(
    model: Path, *, alias: str, host: str, port: int, threads: int, batch_threads: int, n_ctx: int
) -> list[str]:
    return [
        sys.executable, "-m", "talk2tables.local_llm.serve",  # llama_cpp.server, sampling grammar-last
        "--model", str(model),
        "--model_alias", alias,
        "--host", host,
        "--port", str(port),
        "--n_ctx", str(n_ctx),
        "--n_threads", str(threads),
        "--n_threads_batch", str(batch_threads),
        # llama-cpp-python's server defaults to keeping the logits of every token of the context (for logprobs,
        # which nothing here asks for): a float array of n_ctx x vocabulary, 5 GB at 8192 x 151,936.
        "--logits_all", "False",
        "--verbose", "False",
    ]  # fmt: skip
