"""Installing llama.cpp shows how far the compile is and, when it fails, says why with the build's last lines.

pip is replaced by a small script that prints what cmake and ninja print; the parsing and the reporting are real."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from talk2tables.errors import ConfigurationError
from talk2tables.local_llm import installer
from talk2tables.local_llm import server as llama

FAKE_PIP = """
import sys
print("Using pip 26.0 from somewhere")
for n in range(1, 5):
    print(f"  [{n}/4] Building CXX object vendor/llama.cpp/src/CMakeFiles/llama.dir/llama-{n}.cpp.o")
print("  [ 100%] Linking CXX shared library libllama.so")
print("error: cmake exploded" if "--fail" in sys.argv[1:2] else "Successfully installed llama-cpp-python")
sys.exit(1 if "--fail" in sys.argv[1:2] else 0)
"""


@pytest.fixture
def fake_pip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    script = tmp_path / "pip.py"
    script.write_text(FAKE_PIP)
    monkeypatch.setattr(installer, "pip_command", lambda: [sys.executable, str(script)])
    return script


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("[17/160] Building CXX object ggml.o", (17 / 160, "Building CXX object ggml.o")),
        ("  [ 42%] Building C object ggml-cpu.c.o", (0.42, "Building C object ggml-cpu.c.o")),
        ("[100%] Linking CXX shared library", (1.0, "Linking CXX shared library")),
        (
            "[5/10] /usr/bin/g++ -DGGML_AVX -O3 -o vendor/ggml/CMakeFiles/ggml-cpu.dir/ops.cpp.o -c ops.cpp",
            (0.5, "building ops.cpp.o"),
        ),
        ("Collecting llama-cpp-python", None),
        ("[notice] A new release of pip is available", None),
    ],
)
def test_reads_how_far_the_build_is_from_cmake_and_ninja_lines(line: str, expected: tuple[float, str] | None) -> None:
    assert llama.build_fraction(line) == expected


@pytest.mark.usefixtures("fake_pip")
def test_every_build_line_reaches_the_progress_display_in_order() -> None:
    lines: list[str] = []
    llama.install_llama(lines.append)
    fractions = [step[0] for step in map(llama.build_fraction, lines) if step is not None]
    assert fractions == [0.25, 0.5, 0.75, 1.0, 1.0]
    assert lines[-1] == "Successfully installed llama-cpp-python"


def test_a_failed_build_names_the_requirement_and_ends_with_the_builds_last_lines(
    fake_pip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(installer, "pip_command", lambda: [sys.executable, str(fake_pip), "--fail"])
    with pytest.raises(ConfigurationError) as raised:
        llama.install_llama()
    message = raised.value.message
    assert "Installing llama-cpp-python[server]" in message
    assert "exit 1" in message
    assert message.rstrip().endswith("error: cmake exploded")


@pytest.mark.usefixtures("fake_pip")
def test_a_log_without_a_terminal_gets_a_progress_line_every_tenth(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from talk2tables.cli import local_install

    monkeypatch.setattr(llama, "llama_installed", lambda: False)
    local_install.ensure_llama()
    err = capsys.readouterr().err
    assert "about 3-7 minutes" in err
    progress = [line.strip() for line in err.splitlines() if "compiling llama.cpp:" in line]
    assert [line.split(" after ")[0] for line in progress] == [
        "compiling llama.cpp: 25%",
        "compiling llama.cpp: 50%",
        "compiling llama.cpp: 75%",
        "compiling llama.cpp: 100%",
    ]
    assert "llama-cpp-python installed in" in err


def test_the_build_names_the_cpus_vector_extensions_and_never_amx(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma f16c avx512f avx512vbmi amx_tile amx_int8\n")
    args = llama.build_cmake_args(llama.cpu_flags(cpuinfo))
    assert args is not None
    assert "-DGGML_NATIVE=OFF" in args  # -march=native would switch AMX on
    assert "-DGGML_AVX2=ON" in args
    assert "-DGGML_AVX512=ON" in args
    assert "-DGGML_AVX512_VBMI=ON" in args
    assert "-DGGML_AVX512_BF16=OFF" in args
    assert "AMX" not in args


def test_a_cpu_without_avx2_or_not_x86_keeps_llama_cpps_own_default(tmp_path: Path) -> None:
    assert llama.build_cmake_args(llama.cpu_flags(tmp_path / "missing")) is None
    assert llama.build_cmake_args({"fp", "asimd", "neon"}) is None


@pytest.mark.usefixtures("fake_pip")
def test_the_users_own_cmake_args_win(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen = tmp_path / "env.txt"
    script = tmp_path / "pip.py"
    script.write_text(f"import os, pathlib; pathlib.Path({str(seen)!r}).write_text(os.environ.get('CMAKE_ARGS', ''))\n")
    monkeypatch.setattr(installer, "pip_command", lambda: [sys.executable, str(script)])
    monkeypatch.setenv("CMAKE_ARGS", "-DGGML_BLAS=ON")
    llama.install_llama()
    assert seen.read_text() == "-DGGML_BLAS=ON"


def test_the_server_keeps_only_the_last_tokens_logits() -> None:
    # llama-cpp-python's server keeps every token's logits unless told not to: 5 GB of RSS at 8192 tokens.
    argv = llama.server_argv(Path("m.gguf"), alias="a", host="h", port=1, threads=1, batch_threads=1, n_ctx=8192)
    options = dict(zip(argv[3::2], argv[4::2], strict=True))
    assert options["--logits_all"] == "False"
    assert (options["--n_ctx"], options["--model"]) == ("8192", "m.gguf")


def test_the_server_is_llama_cpp_pythons_own_sampling_grammar_last() -> None:
    argv = llama.server_argv(Path("m.gguf"), alias="a", host="h", port=1, threads=1, batch_threads=1, n_ctx=8192)
    assert argv[1:3] == ["-m", "talk2tables.local_llm.serve"]
