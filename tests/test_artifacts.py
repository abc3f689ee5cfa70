"""The ABI and bytecode shipped in the package are exactly what contracts/ compiles to,
and every custom error they can raise has a message in the SDK."""

import json
from pathlib import Path

import pytest

from bountychain.errors import error_names_without_meaning

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = [*sorted((ROOT / "bountychain" / "artifacts").glob("*.json")), *sorted((ROOT / "tests" / "artifacts").glob("*.json"))]


@pytest.fixture(scope="module")
def fresh_compile(solcjs_compile):
    return solcjs_compile


@pytest.mark.parametrize("artifact", SHIPPED, ids=lambda p: p.stem)
def test_shipped_artifact_equals_a_fresh_compile(fresh_compile, artifact):
    shipped = json.loads(artifact.read_text())
    fresh = json.loads((fresh_compile / artifact.name).read_text())
    for key in ("abi", "bytecode", "deployedBytecode", "immutableReferences", "compiler"):
        assert shipped[key] == fresh[key], f"{artifact.name}: {key} is stale, run `make compile`"


def test_every_compiled_contract_is_shipped(fresh_compile):
    assert sorted(p.name for p in fresh_compile.glob("*.json") if not p.name.endswith("standard-input.json")) == sorted(
        p.name for p in SHIPPED)


def test_every_custom_error_has_a_message():
    assert error_names_without_meaning() == []
