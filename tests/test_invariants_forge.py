"""The Foundry invariant campaign (foundry/EscrowInvariants.t.sol) in its short profile, the
deliberately broken escrows it must fail, and the checks of the pure accounting
(foundry/AccountingSymbolic.t.sol): Halmos proofs on a copy of the contracts' arithmetic, and
forge runs that check the copy against the deployed contracts. `make invariant` runs the deep
campaign (1,024,000 calls).

forge comes from npm (package.json), Halmos from requirements-halmos.lock in its own venv
(build/halmos-venv); `make test` installs both."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from tools.invariants import FORGE, MUTANTS, ROOT, mutants_tree, run_campaign

HALMOS = ROOT / "build" / "halmos-venv" / "bin" / "halmos"
# A fixed seed: the same sequences on every machine (the deep run explores fresh ones).
SEED = 19


@pytest.mark.xdist_group("forge-in-the-repository")  # they share build/forge-out and build/forge-cache
def test_the_short_campaign_holds_every_promise() -> None:
    result = run_campaign("short", seed=SEED)
    assert result.passed, result.output
    assert result.runs == 24 and result.calls == 24 * 250, result.output
    assert result.reverts == 0, f"the handler itself reverted {result.reverts} times:\n{result.output}"


# What a drifted copy looks like: a fee rounded up, a quorum needing one unit more, shares
# valued rounded up (in the funder's favour).
DRIFTS = {
    "fee = pool * _feeBps / BPS;": "fee = (pool * _feeBps + BPS - 1) / BPS;",
    "return against * BPS >= uint256(review.quorumBps) * review.totalAtProposal;":
        "return against * BPS > uint256(review.quorumBps) * review.totalAtProposal;",
    "pledged = shares < supply ? shares * total / supply : total;":
        "pledged = shares < supply ? (shares * total + supply - 1) / supply : total;",
}


@pytest.fixture(scope="module")
def broken_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the contracts and foundry/ with every deliberate break: the four mutants of
    the escrow (tools/invariants.py, none live unless a run names one) and the drifted
    arithmetic copy of DRIFTS. The first run on it compiles it, once for all (solc-js takes
    minutes for the escrow, which every test file deploys)."""
    root = mutants_tree(tmp_path_factory.mktemp("broken"))
    source = (ROOT / "foundry" / "AccountingSymbolic.t.sol").read_text()
    for original, drifted in DRIFTS.items():
        assert source.count(original) == 1, original
        source = source.replace(original, drifted)
    (root / "foundry" / "AccountingSymbolic.t.sol").write_text(source)
    return root


# The tests on the broken copy share its build folders, so they run on one worker.
@pytest.mark.xdist_group("forge-broken-copy")
@pytest.mark.parametrize(
    ("mutant", "broken_promise"),
    [
        ("fee-rounds-up", "promise 3: a fee is not floor(pool * rate)"),
        ("refund-skips-lock", "promise 3: a pledge left before its unlock"),
        ("partial-award-rounds-up", "promise 10: a partial award paid more than its part of the pool"),
        ("spam-pays-the-approver", "promise 10: a slashed bond reached the approver or the issuer"),
    ],
)
def test_a_broken_escrow_fails_the_campaign(broken_copy: Path, mutant: str, broken_promise: str) -> None:
    assert set(MUTANTS) == {"fee-rounds-up", "refund-skips-lock", "partial-award-rounds-up", "spam-pays-the-approver"}
    result = run_campaign("short", broken_copy, seed=SEED, mutant=mutant)
    assert not result.passed, f"the campaign missed the {mutant} mutant:\n{result.output}"
    assert broken_promise in result.failure, result.output


def test_a_mutant_that_no_longer_matches_the_contract_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(MUTANTS, "stale", ("no such expression", "0"))
    with pytest.raises(ValueError, match="'stale': the expression to break is not in BountyEscrow.sol exactly once"):
        mutants_tree(tmp_path)


def _copied_expressions() -> list[str]:
    """The statements AccountingCopy repeats from the contracts (each ends in `;`)."""
    source = (ROOT / "foundry" / "AccountingSymbolic.t.sol").read_text()
    copy = source[source.index("contract AccountingCopy"):source.index("abstract contract ArithmeticFacts")]
    bodies = re.findall(r"\{\n(.*?)\n    \}", copy, re.S)
    statements = [line.strip() for body in bodies for line in body.splitlines()]
    return [s for s in statements if s.endswith(";") and "=" in s and "parts" not in s]


def _one_line(source: str) -> str:
    """Solidity with every run of whitespace made one space: a statement the contract wraps
    over several lines is the copy's one-line statement."""
    return " ".join(source.split())


def test_the_symbolic_copy_repeats_the_contracts_arithmetic_exactly() -> None:
    contracts = _one_line((ROOT / "contracts" / "BountyEscrow.sol").read_text()
                          + (ROOT / "contracts" / "BountyReview.sol").read_text())
    expressions = _copied_expressions()
    # The fee, split, quorum and withheld pool; the shares a pledge buys, what shares are worth,
    # the shares a refund burns, a milestone's part, the slashed-bond accumulator.
    assert len(expressions) >= 14, expressions
    # The quorum test is an expression inside an `if` in BountyReview.object.
    missing = [e for e in expressions
               if e.replace("return ", "").replace("uint256 internal constant ", "").rstrip(";") not in contracts]
    assert not missing, f"the contracts no longer contain: {missing}"


HALMOS_CHECKS = [
    "check_aMilestoneTakesTheFloorOfItsFractionAndLeavesTheRest",
    "check_aRefundIsWorthItsSharesRoundedDownAndTheLastSharesTakeTheRest",
    "check_aSingleWinnerTakesTheWholeNet",
    "check_aSlashedBondReachesOnlyTheFundersAndNeverMoreThanTheBond",
    "check_aTopUpBuysSharesAtTheCurrentRatioAndNeverDilutes",
    "check_awardSplitAmongThreeWinners",
    "check_awardSplitBetweenTwoWinners",
    "check_feeIsTheFloorOfTheRateAndFeePlusNetIsThePool",
    "check_lemma_noProductOverflowsAndProductsDistribute",
    "check_objectionsBlockExactlyAtTheQuorum",
]


def _halmos_args() -> list[str]:
    """The options of `make halmos`, read from the Makefile so the two cannot differ."""
    makefile = (ROOT / "Makefile").read_text()
    line = re.search(r"^HALMOS_ARGS := (.*?)\n(?!\t)", makefile, re.M | re.S)[1]
    line = line.replace("\\\n\t", " ").replace("$(CURDIR)", str(ROOT)).replace("$(HALMOS_VENV)", "build/halmos-venv")
    return shlex.split(line)


@pytest.mark.xdist_group("forge-in-the-repository")  # it reads (or, run first, writes) build/forge-out
def test_halmos_proves_the_accounting_for_all_inputs() -> None:
    """The fee, the one-, two- and three-winner splits, the quorum, the pro-rata shares of
    milestones (top-up, refund, part) and the slashed-bond accumulator, for every input within the bounds each check states
    (docs/SECURITY.md)."""
    assert HALMOS.exists(), "Halmos is missing: `make test` builds build/halmos-venv from requirements-halmos.lock"
    # Halmos runs `forge build` with the AST: foundry.toml asks it of every build, so this one
    # finds the repository's build up to date when a forge test of this file made it first.
    env = {**os.environ, "FOUNDRY_SOLC": "tools/solc", "PATH": f"{FORGE.parent}{os.pathsep}{os.environ['PATH']}"}
    # Not `nice`d: beside the other worker's tests, at nice 10 it got a tenth of a core, each check
    # took ten times as long (73 s instead of 7) and a CI run hit the 1,200 s timeout. It needs
    # about 20 s of CPU.
    done = subprocess.run([str(HALMOS), *_halmos_args()],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    output = done.stdout + done.stderr
    passed = re.findall(r"\[PASS\]\S*\s+(check_\w+)", output)
    summary = re.search(r"Symbolic test result: (\d+) passed; (\d+) failed", output)
    assert done.returncode == 0 and summary and summary[2] == "0", output
    assert sorted(passed) == HALMOS_CHECKS, output


def _forge_test(match_contract: str, root: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(FORGE), "test", "--offline", "--use", str(ROOT / "tools" / "solc"), "-j", "1",
         "--match-contract", match_contract, "--fuzz-seed", str(SEED)],
        cwd=root, capture_output=True, text=True,
    )


@pytest.mark.xdist_group("forge-in-the-repository")  # they share build/forge-out and build/forge-cache
def test_forge_fuzzes_the_dust_and_the_facts_the_proofs_take_as_given() -> None:
    """The dust bound of three winners, and the MUL and DIV facts the checks assume (the
    pro-rata ones too), 100,000 runs each, edge values included."""
    done = _forge_test("AccountingSymbolicTest|ProRataFactsTest")
    output = done.stdout + done.stderr
    passed = re.findall(r"\[PASS\] (testFuzz_\w+)\(\S*\) \(runs: (\d+)", output)
    assert done.returncode == 0, output
    assert len(passed) == 6 and all(int(runs) == 100_000 for _, runs in passed), output


@pytest.mark.xdist_group("forge-in-the-repository")  # they share build/forge-out and build/forge-cache
def test_the_copy_computes_what_the_deployed_contracts_pay() -> None:
    """The copy Halmos proves against the real escrow and review (3,000 fuzzed deployments
    each): the fee, each of up to three winners' payments, whether objections block, and on a
    bonded bounty with a milestone: the part taken, the shares a top-up buys, what a pledge is
    worth, each funder's part of a slashed bond and the shares a partial refund burns."""
    done = _forge_test("AccountingDifferentialTest")
    output = done.stdout + done.stderr
    passed = re.findall(r"\[PASS\] (testFuzz_\w+)\(\S*\) \(runs: (\d+)", output)
    assert done.returncode == 0, output
    assert len(passed) == 3 and all(int(runs) == 3_000 for _, runs in passed), output


@pytest.mark.xdist_group("forge-broken-copy")
def test_a_copy_that_drifts_from_the_contracts_fails_the_comparison(broken_copy: Path) -> None:
    """A copy whose fee rounds up, whose quorum needs one unit more than the contract's, or
    whose shares are valued rounded up, no longer computes what the deployed contracts do:
    each comparison must fail. (The contracts are the broken copy's, no mutant live: they
    compute what the repository's do.)"""
    done = _forge_test("AccountingDifferentialTest", broken_copy)
    output = done.stdout + done.stderr
    failed = set(re.findall(r"\[FAIL.*?\] (testFuzz_\w+)\(", output))
    assert sorted(failed) == ["testFuzz_theCopiedFeeAndSplitAreWhatTheEscrowPays",
                              "testFuzz_theCopiedProRataAndSlashedBondsAreWhatTheEscrowPays",
                              "testFuzz_theCopiedQuorumIsWhatTheReviewDecides"], output


@pytest.mark.xdist_group("forge-in-the-repository")  # they share build/forge-out and build/forge-cache
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
