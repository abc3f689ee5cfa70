"""The codebase's shape, checked from the code's own imports: no import cycle, no module
importing another's private names, no imports hidden behind importlib or sys.modules, and no
module of the package longer than about 600 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "bountychain"
MAX_LINES = 600


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(module, imported names, line) for every import in the file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names], node.lineno))
    return found


def _edges() -> dict[str, set[str]]:
    """Module -> the package's modules it imports (`from a import b` counts a.b when b is a module)."""
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for module, names, _ in _imports(path):
            targets = [f"{module}.{n}" for n in names if f"{module}.{n}" in MODULES] or [module]
            graph[name].update(t for t in targets if t in MODULES and t != name)
    return graph


def test_no_import_cycle_among_the_packages_modules() -> None:
    graph = _edges()
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    # A package's __init__ re-exporting its submodules is not a cycle of code; every other
    # loop is. (`bountychain` itself re-exports the SDK, which never imports `bountychain`.)
    real = [c for c in cycles if not any(MODULES[m].name == "__init__.py" for m in c[:-1])]
    assert not real, f"import cycles: {real}"


def test_no_module_imports_another_modules_private_names() -> None:
    offenders = [f"{MODULES[name].relative_to(ROOT)}:{line} imports {n} from {module}"
                 for name, path in MODULES.items() for module, names, line in _imports(path)
                 for n in names if n.startswith("_") and module != "__future__"]
    assert not offenders, offenders


@pytest.mark.parametrize("needle", ["importlib.import_module", "sys.modules["])
def test_no_import_hidden_behind_importlib_or_sys_modules(needle: str) -> None:
    offenders = [str(path.relative_to(ROOT)) for path in MODULES.values() if needle in path.read_text()]
    assert not offenders, offenders


def test_every_module_of_the_package_is_at_most_about_600_lines() -> None:
    long = {str(path.relative_to(ROOT)): n for path in MODULES.values()
            if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert not long, long


def test_every_package_of_the_source_is_shipped() -> None:
    """pyproject.toml lists the packages explicitly: a new one must be added there."""
    packages = {_module_name(p.parent) for p in PACKAGE.rglob("__init__.py")}
    listed = ROOT.joinpath("pyproject.toml").read_text()
    assert all(f'"{package}"' in listed for package in packages), packages


def test_every_public_name_of_the_errors_package_is_imported_from_bountychain_errors() -> None:
    """The errors live in modules by concern (classes, meanings, decoding); callers import every
    one of them from `bountychain.errors` alone, so a new one must be re-exported there."""
    import bountychain.errors as errors

    defined = {node.name for path in (PACKAGE / "errors").glob("*.py")
               for node in ast.parse(path.read_text()).body
               if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and not node.name.startswith("_")}
    assert {"ContractError", "decode_revert", "error_from_name"} <= defined
    assert defined - set(errors.__all__) == set(), "not re-exported by bountychain.errors"
    assert [name for name in errors.__all__ if not hasattr(errors, name)] == []
