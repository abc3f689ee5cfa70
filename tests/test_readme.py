"""The README's Python examples run, in order and in one namespace (as a reader would paste
them), on the in-process chain: an example that rots fails here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bountychain import AwardResult, FundraiserState, InProcessChain

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def python_blocks(text: str) -> list[tuple[int, str]]:
    """(first line number, code) of every ```python block."""
    return [(text.count("\n", 0, match.start(1)) + 1, match.group(1)) for match in _BLOCK.finditer(text)]


def test_the_readme_has_python_examples() -> None:
    blocks = python_blocks(README.read_text())
    assert len(blocks) >= 3
    assert "InProcessChain()" in blocks[0][1], "the first example sets up the chain the others use"


def test_the_readme_python_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)  # an example may write a file (the index database)
    namespace: dict[str, Any] = {"__name__": "readme"}
    try:
        for line, code in python_blocks(README.read_text()):
            # Blank lines first, so that a traceback names the README's own line numbers.
            exec(compile("\n" * (line - 1) + code, str(README), "exec"), namespace)  # noqa: S102
    finally:
        chain = namespace.get("chain")
        if isinstance(chain, InProcessChain):
            chain.close()
    # What the examples say they do, they did.
    assert isinstance(namespace["award"], AwardResult) and namespace["award"].payouts
    assert namespace["client"].fundraiser(namespace["fr"].fundraiser_id).state == FundraiserState.PAID
    relayed = namespace["client"].claims(namespace["bounty"].bounty_id)
    assert [claim.hunter for claim in relayed] == [namespace["hunter"].address]
    assert namespace["indexer"].cursor is not None
    assert "raising" in capsys.readouterr().out.lower()
