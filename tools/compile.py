"""Compiles contracts/ through py-solc-x and writes one JSON artifact per contract: production
contracts into bountychain/artifacts/ (shipped with the SDK), test doubles from
contracts/test/ into tests/artifacts/; the standard-JSON input into build/ (what block
explorers take for source verification). `make compile` runs it.

    python -m tools.compile [--out-dir DIR] [--solc PATH]   (DIR replaces every destination)

The compiler is `solcx.compile_standard(input, solc_binary=ABSOLUTE_PATH)` with, in order:
--solc PATH (or $BOUNTYCHAIN_SOLC); the solc py-solc-x manages, of the version package.json
pins (installed by py-solc-x when binaries.soliditylang.org answers); else tools/solc, the
project's native-solc stand-in over the solc-js of node_modules (it writes the compiler's
output to a file before printing it, since Node cuts large output short on a pipe).

The artifacts are byte-identical to those of `node tools/compile.mjs` from the same sources
(tests/test_compile.py compares them): the same input (sources inline, imports resolved from
the repository or node_modules, sorted), the same settings, the same JSON layout.
"""

from __future__ import annotations

import argparse
import json
import os
import posixpath
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import solcx

ROOT = Path(__file__).resolve().parent.parent
WRAPPER = ROOT / "tools" / "solc"
SETTINGS = {
    "evmVersion": "cancun",
    "optimizer": {"enabled": True, "runs": 500},
    "viaIR": True,
    "metadata": {"bytecodeHash": "ipfs"},
    "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object",
                                     "evm.deployedBytecode.immutableReferences", "metadata"]}},
}
_IMPORT = re.compile(r"""^\s*import\s+(?:[^"']*from\s+)?["']([^"']+)["']""", re.MULTILINE)
_PROBE_URL = "https://binaries.soliditylang.org/linux-amd64/list.json"


def pinned_version() -> str:
    """The solc version package.json pins for solc-js (the managed binary must be the same)."""
    return json.loads((ROOT / "package.json").read_text())["dependencies"]["solc"].lstrip("^~=v")


def managed_solc(version: str) -> Path | None:
    """py-solc-x's own binary of `version`, installed if the download site answers; None when
    it cannot get one (no network to binaries.soliditylang.org, as on these machines)."""
    try:
        return Path(solcx.get_executable(version)).resolve()
    except Exception:  # not installed yet
        pass
    try:
        import requests

        requests.head(_PROBE_URL, timeout=5)
        solcx.install_solc(version)
        return Path(solcx.get_executable(version)).resolve()
    except Exception:
        return None


def choose_solc(explicit: str | None) -> Path:
    """An absolute path (py-solc-x looks a relative one up on PATH)."""
    chosen = explicit or os.environ.get("BOUNTYCHAIN_SOLC")
    if chosen:
        return Path(chosen).resolve()
    return managed_solc(pinned_version()) or WRAPPER


def version_string(solc: Path) -> str:
    """What the compiler calls itself (e.g. 0.8.37+commit.f401782d.Emscripten.clang), as solc-js's
    `version()` gives it to tools/compile.mjs."""
    out = subprocess.run([str(solc), "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"Version:\s*(\S+)", out)
    return match.group(1) if match else str(solcx.get_solc_version(solc, with_commit_hash=True))


def list_solidity(directory: Path) -> list[str]:
    return sorted(path.relative_to(ROOT).as_posix() for path in directory.rglob("*.sol"))


def _resolve_import(import_path: str, from_unit: str) -> str:
    """An import relative to the importing file, else a path from the repo or node_modules."""
    if import_path.startswith("."):
        return posixpath.normpath(posixpath.join(posixpath.dirname(from_unit), import_path))
    return import_path


def _read_unit(unit: str) -> str:
    for base in (ROOT, ROOT / "node_modules"):
        path = base / unit
        if path.exists():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError(f"cannot resolve Solidity import {unit}")


def collect_sources(root_units: list[str]) -> dict[str, dict[str, str]]:
    """Every unit and its imports, transitively, inline and sorted by name."""
    sources: dict[str, dict[str, str]] = {}
    pending = list(root_units)
    while pending:
        unit = pending.pop()
        if unit in sources:
            continue
        content = _read_unit(unit)
        sources[unit] = {"content": content}
        pending += [_resolve_import(found, unit) for found in _IMPORT.findall(content)]
    return {unit: sources[unit] for unit in sorted(sources)}


def _js_key_order(value: dict[str, Any]) -> dict[str, Any]:
    """The keys in the order JavaScript keeps an object's: integer keys (AST ids) ascending."""
    return {key: value[key] for key in sorted(value, key=int)}


def _compact(value: Any) -> str:
    """JSON as JavaScript's JSON.stringify(value) writes it."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _indented(value: Any) -> str:
    """JSON as JavaScript's JSON.stringify(value, null, 1) writes it, with a final newline."""
    return json.dumps(value, indent=1, ensure_ascii=False) + "\n"


def compile_contracts(out_dir: Path | None = None, solc: Path | None = None) -> int:
    solc = solc or choose_solc(None)
    root_units = list_solidity(ROOT / "contracts")
    standard_input = {"language": "Solidity", "sources": collect_sources(root_units), "settings": SETTINGS}
    try:
        output = solcx.compile_standard(standard_input, solc_binary=solc)
    except solcx.exceptions.SolcError as exc:
        print(exc.message if hasattr(exc, "message") else exc, file=sys.stderr)
        return 1
    for diagnostic in output.get("errors", []):  # warnings about our own sources
        if diagnostic.get("sourceLocation", {}).get("file", "contracts/").startswith("contracts/"):
            print(diagnostic["formattedMessage"], file=sys.stderr)

    version = version_string(solc)
    written = 0
    for unit in root_units:
        is_test_double = unit.startswith("contracts/test/")
        dest = out_dir or ROOT / ("tests/artifacts" if is_test_double else "bountychain/artifacts")
        dest.mkdir(parents=True, exist_ok=True)
        for name, contract in output.get("contracts", {}).get(unit, {}).items():
            if not contract["evm"]["bytecode"]["object"]:
                continue  # interfaces and abstract contracts
            artifact = {
                "contractName": name,
                "sourceName": unit,
                "compiler": {"version": version, "settings": SETTINGS},
                "abi": contract["abi"],
                "bytecode": "0x" + contract["evm"]["bytecode"]["object"],
                "deployedBytecode": "0x" + contract["evm"]["deployedBytecode"]["object"],
                # Where the constructor writes each immutable (byte offsets in the runtime code):
                # what a code-hash check masks (bountychain/deployments.py).
                "immutableReferences": _js_key_order(contract["evm"]["deployedBytecode"]["immutableReferences"]),
            }
            (dest / f"{name}.json").write_text(_indented(artifact), encoding="utf-8")
            written += 1
    input_dest = out_dir or ROOT / "build"
    input_dest.mkdir(parents=True, exist_ok=True)
    (input_dest / "standard-input.json").write_text(_compact(standard_input), encoding="utf-8")
    # For explorer verification: each production contract's own import closure, same settings.
    for unit in root_units:
        if unit.startswith("contracts/test/") or "/interfaces/" in unit:
            continue
        own = {"language": "Solidity", "sources": collect_sources([unit]), "settings": SETTINGS}
        (input_dest / f"{Path(unit).stem}.standard-input.json").write_text(_compact(own), encoding="utf-8")
    print(f"compiled {len(root_units)} files with solc {version} ({solc.name}, through py-solc-x): "
          f"{written} artifacts")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.compile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", type=Path, help="write every artifact and input here (for checks)")
    parser.add_argument("--solc", help="the compiler binary (default: py-solc-x's, else tools/solc)")
    args = parser.parse_args(argv)
    out_dir = args.out_dir.resolve() if args.out_dir else None
    return compile_contracts(out_dir, choose_solc(args.solc))


if __name__ == "__main__":
    sys.exit(main())
