"""The Foundry invariant campaign (foundry/EscrowInvariants.t.sol) in its short profile, the
deliberately broken escrows it must fail, and the checks of the pure accounting
(foundry/AccountingSymbolic.t.sol): Halmos proofs, and forge fuzzing where Halmos times out. `make invariant` runs the deep campaign (1,024,000 calls).

forge comes from npm (package.json), Halmos from requirements-halmos.lock in its own venv
(build/halmos-venv); `make test` installs both."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tools.invariants import FORGE, MUTANTS, ROOT, mutant_tree, run_campaign

HALMOS = ROOT / "build" / "halmos-venv" / "bin" / "halmos"
# A fixed seed: the same sequences on every machine (the deep run explores fresh ones).
SEED = 19


def test_the_short_campaign_holds_every_promise() -> None:
    result = run_campaign("short", seed=SEED)
    assert result.passed, result.output
    assert result.runs == 24 and result.calls == 24 * 250, result.output
    assert result.reverts == 0, f"the handler itself reverted {result.reverts} times:\n{result.output}"


@pytest.mark.parametrize(
    ("mutant", "broken_promise"),
    [
        ("fee-rounds-up", "promise 3: a fee is not floor(pool * rate)"),
        ("refund-skips-lock", "promise 3: a pledge left before its unlock"),
    ],
)
def test_a_broken_escrow_fails_the_campaign(tmp_path: Path, mutant: str, broken_promise: str) -> None:
    assert set(MUTANTS) == {"fee-rounds-up", "refund-skips-lock"}
    result = run_campaign("short", mutant_tree(mutant, tmp_path), seed=SEED)
    assert not result.passed, f"the campaign missed the {mutant} mutant:\n{result.output}"
    assert broken_promise in result.failure, result.output


def test_a_mutant_that_no_longer_matches_the_contract_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(MUTANTS, "stale", ("no such line;", ""))
    with pytest.raises(ValueError, match="not in BountyEscrow.sol exactly once"):
        mutant_tree("stale", tmp_path)


def _copied_expressions() -> list[str]:
    """The statements AccountingCopy repeats from the contracts (each ends in `;`)."""
    source = (ROOT / "foundry" / "AccountingSymbolic.t.sol").read_text()
    copy = source[source.index("contract AccountingCopy"):source.index("contract AccountingSymbolicTest")]
    bodies = re.findall(r"\{\n(.*?)\n    \}", copy, re.S)
    statements = [line.strip() for body in bodies for line in body.splitlines()]
    return [s for s in statements if s.endswith(";") and "=" in s and "parts" not in s]


def test_the_symbolic_copy_repeats_the_contracts_arithmetic_exactly() -> None:
    contracts = (ROOT / "contracts" / "BountyEscrow.sol").read_text() + (ROOT / "contracts" / "BountyReview.sol").read_text()
    expressions = _copied_expressions()
    assert len(expressions) >= 7, expressions
    # The quorum test is an expression inside an `if` in BountyReview.object.
    missing = [e for e in expressions
               if e.replace("return ", "").replace("uint256 internal constant ", "").rstrip(";") not in contracts]
    assert not missing, f"the contracts no longer contain: {missing}"


def test_halmos_proves_the_accounting_for_all_inputs() -> None:
    assert HALMOS.exists(), "Halmos is missing: `make test` builds build/halmos-venv from requirements-halmos.lock"
    # Its own build folders: Halmos needs the AST, which forge's own test builds leave out.
    env = {**os.environ, "FOUNDRY_SOLC": "tools/solc", "FOUNDRY_OUT": "build/halmos-out",
           "FOUNDRY_CACHE_PATH": "build/halmos-cache", "PATH": f"{FORGE.parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        [str(HALMOS), "--function", "check_", "--contract", "AccountingSymbolicTest",
         "--forge-build-out", "build/halmos-out", "--solver-timeout-assertion", "0"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    output = done.stdout + done.stderr
    passed = re.findall(r"\[PASS\]\S*\s+(check_\w+)", output)
    summary = re.search(r"Symbolic test result: (\d+) passed; (\d+) failed", output)
    assert done.returncode == 0 and summary and summary[2] == "0", output
    assert sorted(passed) == ["check_aSingleWinnerTakesTheWholeNet", "check_anAwardTakesThePoolLessTheWithheldPledges"], output


def test_forge_fuzzes_the_multiply_and_divide_properties_halmos_cannot_settle() -> None:
    """The fee, the award split and the quorum multiply and divide 256-bit symbolic values,
    which Halmos's solvers did not settle here in 300 s a query: forge fuzzes the same
    assertions (100,000 runs each, edge values included)."""
    done = subprocess.run(
        [str(FORGE), "test", "--offline", "--use", str(ROOT / "tools" / "solc"), "-j", "1",
         "--match-contract", "AccountingSymbolicTest", "--fuzz-seed", str(SEED)],
        cwd=ROOT, capture_output=True, text=True,
    )
    output = done.stdout + done.stderr
    passed = re.findall(r"\[PASS\] (testFuzz_\w+)\(\S*\) \(runs: (\d+)", output)
    assert done.returncode == 0, output
    assert len(passed) == 3 and all(int(runs) == 100_000 for _, runs in passed), output


def test_the_300th_funder_pays_the_gas_the_2nd_does() -> None:
    """Promise 6 at scale (foundry/GasPerFunder.t.sol): pledge, objection and refund of the
    300th funder cost what the 2nd's do, and finalize costs the same with 300 funders as with 2."""
    done = subprocess.run(
        [str(FORGE), "test", "--offline", "--use", str(ROOT / "tools" / "solc"), "-j", "1",
         "--match-contract", "GasPerFunderTest"],
        cwd=ROOT, capture_output=True, text=True,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0 and "[PASS] test_pledgeObjectRefundAndFinalizeDoNotGrowWithFunders()" in output, output
