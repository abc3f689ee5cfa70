"""Slither over the production contracts, through solc-js (tools/solc stands in for a
native solc, which cannot be installed here).

`python -m tools.static_analysis` prints every finding in contracts/ (test doubles and
OpenZeppelin excluded); tests/test_static_analysis.py fails on any high or medium finding and
on any lower one that slither-accepted.json does not justify.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCEPTED = ROOT / "slither-accepted.json"
SEVERE = {"High", "Medium"}


@dataclass(frozen=True)
class Finding:
    check: str
    impact: str
    confidence: str
    description: str


def _standard_input() -> dict:
    """The self-contained compiler input tools/compile.mjs writes, less the test doubles."""
    out = ROOT / "build"
    subprocess.run(["node", str(ROOT / "tools" / "compile.mjs"), "--out-dir", str(out)], check=True,
                   capture_output=True)
    standard = json.loads((out / "standard-input.json").read_text())
    standard["sources"] = {k: v for k, v in standard["sources"].items() if not k.startswith("contracts/test/")}
    # What crytic-compile needs: the AST and the source maps.
    standard["settings"]["outputSelection"] = {
        "*": {"*": ["abi", "metadata", "devdoc", "userdoc", "evm.bytecode", "evm.deployedBytecode"], "": ["ast"]}
    }
    return standard


def analyse() -> list[Finding]:
    """Runs every slither detector; returns the findings that touch our own contracts."""
    from crytic_compile import CryticCompile
    from crytic_compile.platform.solc_standard_json import SolcStandardJson
    from slither import Slither
    from slither.detectors import all_detectors
    from slither.detectors.abstract_detector import AbstractDetector

    compiled = CryticCompile(SolcStandardJson(_standard_input()), solc=str(ROOT / "tools" / "solc"),
                             solc_working_dir=str(ROOT), solc_disable_warnings=True)
    slither = Slither(compiled)
    for _, detector in inspect.getmembers(all_detectors, inspect.isclass):
        if issubclass(detector, AbstractDetector):
            slither.register_detector(detector)
    findings = []
    for result in (r for per_detector in slither.run_detectors() for r in per_detector):
        files = {e.get("source_mapping", {}).get("filename_relative", "") for e in result["elements"]}
        if any(f.startswith("contracts/") and not f.startswith("contracts/test/") for f in files):
            findings.append(Finding(result["check"], result["impact"], result["confidence"],
                                    " ".join(result["description"].split())))
    return findings


def accepted() -> dict[str, str]:
    """Lower-impact detectors accepted for our contracts, each with its justification."""
    return json.loads(ACCEPTED.read_text())["accepted"]


def main() -> int:
    findings = analyse()
    justified = accepted()
    for finding in sorted(findings, key=lambda f: (f.impact, f.check)):
        status = "ACCEPTED" if finding.check in justified and finding.impact not in SEVERE else "OPEN"
        print(f"[{status}] {finding.impact}/{finding.check}: {finding.description}")
    open_findings = [f for f in findings if f.impact in SEVERE or f.check not in justified]
    print(f"{len(findings)} findings in contracts/, {len(open_findings)} open")
    return 1 if open_findings else 0


if __name__ == "__main__":
    sys.exit(main())
