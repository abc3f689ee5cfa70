"""Shared fixtures: every test runs against a real EVM, once in-process (eth-tester with
py-evm) and once on a real anvil node that this session starts and stops.

Each chain gets one deployed world (escrow, accounts, tokens) per session; every test runs
in a snapshot of it that is reverted afterwards. After every test the escrow must hold, per
token, at least what it owes: the outstanding pledges, the credits and the fees accrued.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from web3.contract.contract import Contract

from bountychain import ETH, AnvilNode, BountyClient, InProcessChain, deploy_contract, send_transaction
from bountychain.devchain import DevChain

pytest_plugins = ["tests.progress"]  # a line every five minutes: what runs, and for how long

ARTIFACTS = Path(__file__).parent / "artifacts"
ROOT = Path(__file__).resolve().parent.parent
DAY = 86_400
FEE_BPS = 100
MINTED = 10**30
ISSUE = "https://github.com/bountychain/toolkit/issues/7"
PR = "https://github.com/bountychain/toolkit/pull/8"


def deploy_mock(chain: DevChain, signer: LocalAccount, name: str, *args: Any) -> Contract:
    """Deploys a test double from tests/artifacts (compiled from contracts/test/)."""
    artifact = json.loads((ARTIFACTS / f"{name}.json").read_text())
    return deploy_contract(chain.w3, signer, name, *args, abi=artifact["abi"], bytecode=artifact["bytecode"])


@pytest.fixture(scope="session")
def solcjs_compile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """contracts/ compiled once per session by `node tools/compile.mjs --out-dir` (solc-js through
    its JS API): the reference the shipped artifacts and the py-solc-x path are checked against."""
    if not shutil.which("node") or not (ROOT / "node_modules" / "solc").exists():
        pytest.fail("node and the npm packages are needed: run `make test`, which installs them")
    out = tmp_path_factory.mktemp("solcjs")
    subprocess.run(["node", str(ROOT / "tools" / "compile.mjs"), "--out-dir", str(out)], check=True,
                   capture_output=True)
    return out


@dataclass
class World:
    """A deployed escrow with its cast. `escrow` acts as the issuer."""

    chain: DevChain
    escrow: BountyClient
    issuer: LocalAccount
    approver: LocalAccount
    treasury: LocalAccount
    funders: list[LocalAccount]
    hunters: list[LocalAccount]
    outsider: LocalAccount
    tokens: dict[str, Contract] = field(default_factory=dict)

    def as_(self, account: LocalAccount) -> BountyClient:
        return self.escrow.as_signer(account)

    def token(self, kind: str) -> str:
        """The address of the bounty currency `kind` (eth, standard, no-return, fee-on-transfer,
        permit)."""
        return ETH if kind == "eth" else self.tokens[kind].address

    def new_bounty(self, kind: str = "eth", *, days: int = 30, approver: LocalAccount | None = None) -> int:
        created = self.escrow.create_bounty(
            ISSUE, self.chain.now() + days * DAY, token=self.token(kind),
            approver=approver.address if approver else None,
        )
        return created.bounty_id

    def send(self, signer: LocalAccount, fn: Any, value: int = 0) -> Any:
        """Sends a raw contract call, bypassing the client's own checks (the node's
        simulation still runs, so a refusal raises before anything is sent)."""
        return send_transaction(self.chain.w3, signer, fn, value=value)

    def mine(self, signer: LocalAccount, fn: Any, value: int = 0, gas: int = 1_000_000) -> Any:
        """Sends a raw contract call with a fixed gas limit and no simulation, so the
        transaction is mined whatever happens: what the chain decides at the exact block
        time is tested, and a revert is decoded from the mined transaction."""
        return send_transaction(self.chain.w3, signer, fn, value=value, gas=gas)

    def balance(self, account: Any, token: str = ETH) -> int:
        address = account if isinstance(account, str) else account.address
        return self.escrow.balance_of(address, token)

    def nonce(self, account: LocalAccount) -> int:
        return self.chain.w3.eth.get_transaction_count(account.address)


@pytest.fixture(scope="module")
def node() -> Iterator[AnvilNode]:
    """An anvil node of the test module's own, for tests that put a proxy in front of it or
    count its requests, and so cannot share the session's."""
    with AnvilNode() as node:
        yield node


def _build_world(chain: DevChain) -> World:
    issuer, approver, treasury, outsider = (chain.new_account() for _ in range(4))
    funders = [chain.new_account() for _ in range(3)]
    hunters = [chain.new_account() for _ in range(3)]
    escrow = BountyClient.deploy(chain, issuer, fee_recipient=treasury.address, fee_bps=FEE_BPS, poll_latency=0.005)
    world = World(chain, escrow, issuer, approver, treasury, funders, hunters, outsider)
    world.tokens = {
        "standard": deploy_contract(chain.w3, issuer, "TestToken", "USD Coin", "USDC", 6),
        "no-return": deploy_mock(chain, issuer, "NoReturnToken"),
        "fee-on-transfer": deploy_mock(chain, issuer, "FeeOnTransferToken"),
        "permit": deploy_contract(chain.w3, issuer, "TestPermitToken", "Permit USD", "PUSD", 6),
    }
    for token in world.tokens.values():
        for funder in funders:
            world.send(issuer, token.functions.mint(funder.address, MINTED))
    return world


@pytest.fixture(scope="session")
def _worlds() -> Iterator[dict[str, World]]:
    """The session's worlds by chain, each built on first use and kept to the end: a
    session-scoped parametrized fixture would be torn down and rebuilt whenever a worker
    (`make test`, two workers) moves from one file's anvil tests to the next file's in-process ones."""
    built: dict[str, World] = {}
    try:
        yield built
    finally:
        for world in built.values():
            world.chain.close()


@pytest.fixture(params=["in-process", "anvil"])
def session_world(request: pytest.FixtureRequest, _worlds: dict[str, World]) -> World:
    """The session's deployed world on each chain in turn (not reverted: see `world`)."""
    if request.param not in _worlds:
        _worlds[request.param] = _build_world(AnvilNode() if request.param == "anvil" else InProcessChain())
    return _worlds[request.param]


@pytest.fixture
def world(session_world: World):
    snapshot = session_world.chain.snapshot()
    try:
        yield session_world
        assert_escrow_solvent(session_world)
    finally:
        session_world.chain.revert(snapshot)


@pytest.fixture
def chain(world: World) -> DevChain:
    return world.chain


def assert_escrow_solvent(world: World) -> None:
    """Per token, the escrow's balance covers the outstanding pledges, the credits and the fees
    accrued (fees are not credits); each bounty's total equals the sum of its funders'
    pledges (after an award, what is left are the pledges withheld by objectors); and every
    credit equals what the events credited minus what was withdrawn."""
    escrow = world.escrow
    contract = escrow.contract
    owed: dict[str, int] = defaultdict(int)
    for bounty_id in range(1, escrow.bounty_count() + 1):  # bounties and fundraisers share ids
        bounty = escrow.bounty(bounty_id)
        owed[bounty.token] += bounty.total
        funders = {log["args"]["funder"] for log in contract.events.Pledged.get_logs(
            from_block=escrow.from_block, argument_filters={"bountyId": bounty.bounty_id})}
        pledged = sum(escrow.pledge_of(bounty.bounty_id, funder).amount for funder in funders)
        # Pledges are shares of the pool: each value rounds down (by less than a unit) and the
        # last shares out take the remainder; before any partial award a share is one unit.
        _, supply = escrow.shares_of(bounty.bounty_id, ETH)
        slack = 0 if supply == bounty.total else max(len(funders), 1)
        assert 0 <= bounty.total - pledged <= slack, f"bounty {bounty.bounty_id}: pledges {pledged} != total {bounty.total}"
        # Claim bonds still held, and slashed bonds the funders have not been credited yet.
        by_bounty = {"bountyId": bounty.bounty_id}
        # The SDK's claims: a hostile URI that is not UTF-8 is decoded leniently there.
        for claim in escrow.claims(bounty.bounty_id):
            owed[bounty.token] += escrow.claim_bond(bounty.bounty_id, claim.claim_id)
        slashed = sum(log["args"]["amount"] for log in contract.events.BondSlashed.get_logs(
            from_block=escrow.from_block, argument_filters=by_bounty))
        shared = sum(log["args"]["amount"] for log in contract.events.SlashedBondsCredited.get_logs(
            from_block=escrow.from_block, argument_filters=by_bounty))
        pending = sum(escrow.slashed_owed(bounty.bounty_id, funder) for funder in funders)
        assert pending <= slashed - shared, f"bounty {bounty.bounty_id}: slashed bonds owe more than were slashed"
        owed[bounty.token] += slashed - shared
    credits: dict[tuple[str, str], int] = defaultdict(int)
    for log in contract.events.SlashedBondsCredited.get_logs(from_block=escrow.from_block):
        credits[(log["args"]["funder"], escrow.bounty(log["args"]["bountyId"]).token)] += log["args"]["amount"]
    for log in contract.events.Credited.get_logs(from_block=escrow.from_block):
        credits[(log["args"]["account"], log["args"]["token"])] += log["args"]["amount"]
    for log in contract.events.Withdrawn.get_logs(from_block=escrow.from_block):
        credits[(log["args"]["account"], log["args"]["token"])] -= log["args"]["amount"]
    for (account, token), amount in credits.items():
        assert escrow.credit_of(account, token) == amount, f"credit of {account} in {token}"
        owed[token] += amount
    tokens = {ETH, *(token.address for token in world.tokens.values()), *owed}
    for token in tokens:
        owed[token] += escrow.fees_accrued(token)
    for token, amount in owed.items():
        held = escrow.balance_of(escrow.address, token)
        assert held >= amount, f"escrow holds {held} of {token} but owes {amount}"
        if token != ETH:
            assert contract.functions.tokenOwed(token).call() == amount, f"tokenOwed({token})"


# --- the index's two backends ---------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL cluster for the session (tests/postgres.py)."""
    from tests.postgres import PostgresCluster

    cluster = PostgresCluster()
    try:
        yield cluster
    finally:
        cluster.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def index_db(request: pytest.FixtureRequest, tmp_path: Path):
    """`index_db(name)`: where a test's index named `name` lives, on each backend in turn: a
    SQLite file in tmp_path, or a fresh database of the session's PostgreSQL cluster (the same
    name gives the same database)."""
    made: dict[str, str] = {}

    def target(name: str = "index") -> str:
        if name not in made:
            made[name] = (str(tmp_path / f"{name}.sqlite3") if request.param == "sqlite"
                          else request.getfixturevalue("postgres").database())
        return made[name]

    target.backend = request.param  # type: ignore[attr-defined]
    return target


# --- two workers (`make test`: pytest-xdist, --dist loadgroup) -------------

# The files that take longest, longest first (docs/DESIGN.md, "Test suite time"): they start
# first, so that the two workers finish together rather than one waiting on a late long file.
SLOWEST_FIRST = [
    "test_invariants_forge.py", "test_stateful.py", "test_static_analysis.py", "test_compile.py",
    "test_web.py", "test_web_frontdoor.py", "test_web_milestones.py", "test_cli.py", "test_github.py",
    "test_hostile.py", "test_index.py", "test_gas.py", "test_index_hostile.py", "test_milestones.py",
]
# Files whose tests are independent runs of a tool (each in its own folder): each test is a unit
# of its own, so the two workers share the file; tests that share a folder name one group.
EACH_TEST_ALONE = {"test_invariants_forge.py"}


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups off the markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test runs on the worker of its file (its module fixtures, anvil nodes, servers
    and chromium start once), unless it names its own `xdist_group` or its file is in
    EACH_TEST_ALONE; the slowest files first.
    Without -n this only orders the files."""
    for item in items:
        if not any(item.iter_markers("xdist_group")) and item.path.name not in EACH_TEST_ALONE:
            item.add_marker(pytest.mark.xdist_group(item.path.name))
    rank = {name: place for place, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest keep their order
