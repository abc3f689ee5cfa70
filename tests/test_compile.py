"""`make compile` compiles through py-solc-x (`tools/compile.py`): its artifacts and
standard-JSON inputs are byte for byte those of `node tools/compile.mjs`, the solc-js path,
from the same sources; and the compiler it picks is py-solc-x's own solc when it can get one,
else the project's solc-js wrapper, always by absolute path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tools import compile as compiler

ROOT = Path(__file__).resolve().parent.parent


def test_py_solc_x_writes_the_same_bytes_as_the_solc_js_path(solcjs_compile: Path, tmp_path: Path) -> None:
    out = tmp_path / "py-solc-x"
    proc = subprocess.run([sys.executable, "-m", "tools.compile", "--out-dir", str(out), "--solc", "tools/solc"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "through py-solc-x" in proc.stdout
    expected = sorted(p.name for p in solcjs_compile.iterdir())
    assert sorted(p.name for p in out.iterdir()) == expected
    assert "BountyEscrow.json" in expected and "standard-input.json" in expected
    for name in expected:
        assert (out / name).read_bytes() == (solcjs_compile / name).read_bytes(), name


def test_the_compiler_is_py_solc_xs_own_else_the_solc_js_wrapper(monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    monkeypatch.delenv("BOUNTYCHAIN_SOLC", raising=False)
    monkeypatch.setattr(compiler, "managed_solc", lambda version: None)
    assert compiler.choose_solc(None) == compiler.WRAPPER and compiler.WRAPPER.is_absolute()
    native = tmp_path / "solc-v0.8.37"
    monkeypatch.setattr(compiler, "managed_solc", lambda version: native)
    assert compiler.choose_solc(None) == native
    monkeypatch.chdir(ROOT)
    assert compiler.choose_solc("tools/solc") == compiler.WRAPPER  # made absolute: py-solc-x needs that
    monkeypatch.setenv("BOUNTYCHAIN_SOLC", "tools/solc")
    assert compiler.choose_solc(None) == compiler.WRAPPER


def test_the_managed_solc_is_the_version_solc_js_is_pinned_to() -> None:
    assert compiler.pinned_version() == "0.8.37"
    assert compiler.version_string(compiler.WRAPPER).startswith("0.8.37+commit.")
