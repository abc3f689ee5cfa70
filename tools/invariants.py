"""Runs the Foundry invariant campaign of foundry/EscrowInvariants.t.sol and reports its size
and speed; also runs it against a deliberately broken escrow (a mutant) to show it fails it.

    python -m tools.invariants [--profile deep] [--mutant NAME]  (NAME: a key of MUTANTS)

forge is the one package.json pins (node_modules/.bin/forge), run offline through tools/solc,
the project's solc-js front. The deep profile runs two campaigns at once, one per core
(EscrowInvariants and EscrowInvariantsSecondCore, half the runs each); the others run the first
alone, on one thread. The figures (handler calls, runs, depth, seconds,
calls per second) are printed and written to build/invariant-report.json. `make invariant` runs
the deep profile; tests/test_invariants_forge.py the short one and the mutants.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORGE = ROOT / "node_modules" / ".bin" / "forge"
REPORT = ROOT / "build" / "invariant-report.json"
_RESULT = re.compile(
    r"\[(?P<verdict>PASS|FAIL)[^\]]*\]\s+(?P<test>invariant_\w+)\(\)\s+\(runs: (?P<runs>\d+), calls: (?P<calls>\d+), "
    r"reverts: (?P<reverts>\d+)\)"
)
_FAIL_REASON = re.compile(r"\[FAIL: (?P<reason>[^\]]*)\]")
# Profiles that run a campaign per core (foundry.toml gives each campaign half the runs).
_CAMPAIGNS = {"deep": ("EscrowInvariants|EscrowInvariantsSecondCore", 2)}
_ONE_CAMPAIGN = ("^EscrowInvariants$", 1)

# Deliberately broken escrows: an expression of BountyEscrow.sol, and what the mutant computes
# instead. Each must make the campaign fail.
MUTANTS = {
    # The fee rounds up instead of down: the escrow keeps a wei it does not earn.
    "fee-rounds-up": ("pool * _feeBps / BPS", "(pool * _feeBps + BPS - 1) / BPS"),
    # A refund no longer waits for the pledge's lock: hunters' money can walk away early.
    "refund-skips-lock": ("block.timestamp < unlocksAt", "false"),
    # A partial award rounds up: the winners of a milestone take a wei of the other funders' money.
    "partial-award-rounds-up": ("_total(bounty) * partBps / BPS", "(_total(bounty) * partBps + BPS - 1) / BPS"),
    # A spam mark leaves the approver's shares in the split: the judge gains from calling spam.
    "spam-pays-the-approver": ("_slashedDebtAt(approverShares, perShare)", "0"),
}
# The mutants' copy is compiled once (solc-js takes minutes for it) and holds every mutant; this
# variable of forge's environment says which one the escrow deployed in the run is (none: 0).
MUTANT_VARIABLE = "BOUNTYCHAIN_MUTANT"
# What the campaign compiles from foundry/ (the other test files deploy the escrow too, and
# would add their compile time to the copy's).
CAMPAIGN_FILES = ("EscrowInvariants.t.sol", "EscrowHandler.sol", "Vm.sol")


@dataclass
class CampaignResult:
    passed: bool
    calls: int
    runs: int
    depth: int
    reverts: int
    seconds: float
    calls_per_second: float
    cpu_seconds: float  # forge's own CPU time: what the campaign costs on a machine shared with others
    profile: str
    failure: str
    output: str


def _profile_value(profile: str, key: str) -> int:
    """`key` of [profile.<profile>.invariant] in foundry.toml (the default profile's if unset)."""
    import tomllib

    config = tomllib.loads((ROOT / "foundry.toml").read_text())["profile"]
    for name in (profile, "default"):
        value = config.get(name, {}).get("invariant", {}).get(key)
        if value is not None:
            return int(value)
    raise KeyError(key)


def run_campaign(profile: str = "deep", root: Path = ROOT, seed: int | None = None,
                 mutant: str | None = None) -> CampaignResult:
    """Runs the invariant campaign(s) of `root` (the repository, or the mutants' copy with
    `mutant` live) with a foundry.toml profile; returns their figures, summed, and forge's output."""
    env = {**os.environ, "FOUNDRY_PROFILE": profile, MUTANT_VARIABLE: str(_mutant_number(mutant))}
    if mutant:
        # forge replays a campaign's last failing sequence first: each mutant keeps its own, so
        # that none is found by the sequence that broke another.
        env["FOUNDRY_INVARIANT_FAILURE_PERSIST_DIR"] = f"build/forge-cache/invariant-{mutant}"
    contracts, threads = _CAMPAIGNS.get(profile, _ONE_CAMPAIGN)
    command = [str(FORGE), "test", "--offline", "--use", str(ROOT / "tools" / "solc"), "-j", str(threads),
               "--root", str(root), "--match-contract", contracts]
    if seed is not None:
        command += ["--fuzz-seed", str(seed)]
    # Compile first so that the time measured is the campaign's alone.
    # forge writes a failing sequence (failure_persist_dir) under its working folder, not under
    # --root, so it runs in `root`: a copy's failures stay in the copy.
    subprocess.run([str(FORGE), "build", "--offline", "--use", str(ROOT / "tools" / "solc"), "--root", str(root)],
                   cwd=root, env=env, check=True, capture_output=True, text=True)
    started, cpu_before = time.monotonic(), _children_cpu()
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    seconds, cpu_seconds = time.monotonic() - started, _children_cpu() - cpu_before
    output = done.stdout + done.stderr
    found = list(_RESULT.finditer(output))
    failure = _FAIL_REASON.search(output)
    calls = sum(int(result["calls"]) for result in found)
    return CampaignResult(
        passed=done.returncode == 0 and len(found) == threads and all(r["verdict"] == "PASS" for r in found),
        calls=calls,
        runs=sum(int(result["runs"]) for result in found),
        depth=_profile_value(profile, "depth"),
        reverts=sum(int(result["reverts"]) for result in found),
        seconds=round(seconds, 1),
        calls_per_second=round(calls / seconds) if seconds else 0,
        cpu_seconds=round(cpu_seconds, 1),
        profile=profile,
        failure=failure["reason"] if failure else "",
        output=output,
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _mutant_number(mutant: str | None) -> int:
    """What MUTANT_VARIABLE says for `mutant`: its place in MUTANTS from 1, and 0 for none."""
    return 0 if mutant is None else list(MUTANTS).index(mutant) + 1


def forge_tree(into: Path, foundry_files: tuple[str, ...]) -> Path:
    """A copy under `into` of what a forge run needs: the contracts, foundry.toml and only the
    named files of foundry/ (forge compiles every file it finds); node_modules is linked."""
    shutil.copytree(ROOT / "contracts", into / "contracts")
    (into / "foundry").mkdir()
    for name in foundry_files:
        shutil.copy(ROOT / "foundry" / name, into / "foundry" / name)
    shutil.copy(ROOT / "foundry.toml", into / "foundry.toml")
    (into / "node_modules").symlink_to(ROOT / "node_modules")
    return into


def mutants_tree(into: Path) -> Path:
    """A copy of the campaign under `into` whose BountyEscrow.sol holds every mutant of MUTANTS,
    each behind a test of an immutable that the constructor reads from MUTANT_VARIABLE."""
    forge_tree(into, CAMPAIGN_FILES)
    escrow = into / "contracts" / "BountyEscrow.sol"
    source = escrow.read_text()
    for mutant, (original, broken) in MUTANTS.items():
        if source.count(original) != 1:
            raise ValueError(f"mutant {mutant!r}: the expression to break is not in BountyEscrow.sol exactly once")
        source = source.replace(original, f"(_MUTANT == {_mutant_number(mutant)} ? ({broken}) : ({original}))")
    switch = ("    // The mutants' copy only (tools/invariants.py): the live mutant, 0 for none.\n"
              "    uint256 private immutable _MUTANT = MutantSwitch(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D)"
              f'.envOr("{MUTANT_VARIABLE}", uint256(0));\n')
    contract = re.search(r"^contract BountyEscrow\b[^{]*\{\n", source, re.M)
    source = source[:contract.end()] + switch + source[contract.end():]
    source += ("\n/// forge's cheatcode that reads its environment (the mutants' copy only).\n"
               "interface MutantSwitch {\n"
               "    function envOr(string calldata name, uint256 defaultValue) external view returns (uint256);\n"
               "}\n")
    escrow.write_text(source)
    return into


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="deep", help="foundry.toml profile (deep: 1,024,000 calls)")
    parser.add_argument("--mutant", choices=sorted(MUTANTS), help="run against a deliberately broken escrow")
    parser.add_argument("--seed", type=int, help="forge's fuzz seed (random if unset)")
    args = parser.parse_args(argv)

    if args.mutant:
        with tempfile.TemporaryDirectory(prefix="mutant-") as tmp:
            result = run_campaign(args.profile, mutants_tree(Path(tmp)), args.seed, args.mutant)
    else:
        result = run_campaign(args.profile, ROOT, args.seed)
    verdict = "held" if result.passed else f"FAILED ({result.failure or 'see the output above'})"
    if not result.passed:
        print(result.output)
    print(f"invariant campaign ({result.profile}{', mutant ' + args.mutant if args.mutant else ''}): "
          f"{result.calls:,} handler calls in {result.runs:,} runs of depth {result.depth}, "
          f"{result.seconds:,.1f} s, {result.calls_per_second:,} calls/s "
          f"({result.cpu_seconds:,.1f} s of CPU); every promise {verdict}")
    if not args.mutant:
        REPORT.parent.mkdir(exist_ok=True)
        report = {k: v for k, v in asdict(result).items() if k != "output"}
        REPORT.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
