"""The index against a real anvil node: incremental sync in small ranges, confirmations,
ranges shrunk when the node refuses, a crash in the middle of a sync, a reorganisation, the
queries, and the `index` / `list` commands. The reference for every check is a clean index
built in one pass from scratch: whatever path the index took, it must end equal to it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.middleware import Web3Middleware

from bountychain import ETH, AnvilNode, BountyClient, ReviewTerms, deploy_contract, send_transaction
from bountychain import deployments as registry
from bountychain.devchain import find_anvil
from bountychain.index import Index, Indexer, open_index, parse_repo, queries
from bountychain.index import events as index_events
from bountychain.index import listing, summaries
from bountychain.index.schema import EVENT_TABLES
from bountychain.sdk.constants import ARBITRATION_PERIOD
from tests.conftest import deploy_mock

pytestmark = pytest.mark.anvil

REPO = Path(__file__).resolve().parents[1]
DAY = 86_400
ETHER = 10**18
USDC = 10**6
FEE_BPS = 100


@dataclass
class World:
    node: AnvilNode
    escrow: BountyClient
    issuer: LocalAccount
    approver: LocalAccount
    treasury: LocalAccount
    funders: list[LocalAccount]
    hunters: list[LocalAccount]
    backer: LocalAccount  # backs fundraisers only
    beneficiary: LocalAccount
    usdc: Any
    registry_dir: Path
    voters: list[LocalAccount]  # fund optimistic bounties only (the last one hunts on them)

    def as_(self, account: LocalAccount) -> BountyClient:
        return self.escrow.as_signer(account)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    node = AnvilNode()
    try:
        issuer, approver, treasury = (node.new_account() for _ in range(3))
        funders = [node.new_account() for _ in range(3)]
        hunters = [node.new_account() for _ in range(2)]
        backer, beneficiary = node.new_account(), node.new_account()
        voters = [node.new_account() for _ in range(4)]
        escrow = BountyClient.deploy(node, issuer, fee_recipient=treasury.address, fee_bps=FEE_BPS, poll_latency=0.005)
        usdc = deploy_contract(node.w3, issuer, "TestToken", "USD Coin", "USDC", 6)
        for funder in (*funders, backer):
            send_transaction(node.w3, issuer, usdc.functions.mint(funder.address, 10_000 * USDC))
        directory = tmp_path_factory.mktemp("registry")
        assert escrow.deployment is not None
        registry.save(registry.record_for(node.chain_id, escrow.deployment, issuer.address), directory)
        yield World(node, escrow, issuer, approver, treasury, funders, hunters, backer, beneficiary, usdc, directory,
                    voters)
    finally:
        node.close()


@pytest.fixture
def w(world: World):
    snapshot = world.node.snapshot()
    try:
        yield world
    finally:
        world.node.revert(snapshot)


def story(w: World, tag: str = "1") -> dict[str, int]:
    """Every kind of event: pledges and top-ups, solutions, a split award, a cancellation
    with a refund, an extension, an expiry with a refund, a fee withdrawal; fundraisers: an
    all-or-nothing one that met its goal exactly and was paid out, one that missed it (in
    USDC, refunded), and a flexible one still raising."""
    f1, f2, f3 = w.funders
    h1, h2 = w.hunters
    now = w.node.now()
    paid = w.escrow.create_bounty(f"https://github.com/Org/Parser/issues/1{tag}", now + 30 * DAY,
                                  approver=w.approver.address).bounty_id
    w.as_(f1).pledge(paid, "1 ether")
    w.as_(f2).pledge(paid, "0.5 ether")
    w.as_(f1).pledge(paid, "0.25 ether")  # a top-up
    c1 = w.as_(h1).submit_solution(paid, "https://github.com/Org/Parser/pull/2").claim_id
    c2 = w.as_(h2).submit_solution(paid, "https://github.com/Org/Parser/pull/3").claim_id
    w.as_(w.approver).award(paid, {c1: 7_000, c2: 3_000})

    cancelled = w.escrow.create_bounty("https://gitlab.com/group/sub/tool/-/issues/4", now + 30 * DAY,
                                       token=w.usdc.address).bounty_id
    w.as_(f1).pledge(cancelled, "100 USDC")
    w.as_(f3).pledge(cancelled, "40 USDC")
    w.escrow.cancel(cancelled)
    w.as_(f3).refund(cancelled)

    extended = w.escrow.create_bounty("https://github.com/org/cli/issues/9", now + 10 * DAY).bounty_id
    w.as_(f2).pledge(extended, "0.1 ether")
    w.escrow.extend_deadline(extended, now + 20 * DAY)

    expiring = w.escrow.create_bounty("https://github.com/other/thing/issues/5", now + 2 * DAY).bounty_id
    w.as_(f3).pledge(expiring, "0.2 ether")
    w.as_(f2).pledge(expiring, "0.3 ether")

    backer, beneficiary = w.backer, w.beneficiary.address
    met = w.escrow.create_fundraiser(f"https://opencollective.com/parser/1{tag}", beneficiary, "1 ether",
                                     now + DAY).fundraiser_id
    w.as_(f1).pledge(met, "0.75 ether")
    w.as_(backer).pledge(met, "0.25 ether")  # exactly the goal
    missed = w.as_(f2).create_fundraiser(f"https://opencollective.com/docs/1{tag}", beneficiary, "500 USDC",
                                         now + DAY, token=w.usdc.address).fundraiser_id
    w.as_(backer).pledge(missed, "50 USDC")
    flexible = w.escrow.create_fundraiser(f"https://opencollective.com/cli/1{tag}", beneficiary, "10 ether",
                                          now + 10 * DAY, all_or_nothing=False).fundraiser_id
    w.as_(backer).pledge(flexible, "0.5 ether")

    # Backer governance (the review contract's events): a reviewed bounty whose proposal is
    # finalized after its window with one funder's objection withholding that funder's pledge
    # (the award takes the rest; the objector may refund); one blocked, escalated to a plain
    # arbiter and upheld (live); one blocked and escalated, waiting for the arbiter (live);
    # one whose only funder objected, so finalizing rejects it (unanimous), then proposed
    # again (live, pending).
    approver = w.as_(w.approver)
    v1, v2, v3, v4 = w.voters
    finalized = w.escrow.create_bounty(f"https://github.com/dao/gov/issues/11{tag}", now + 30 * DAY,
                                       approver=w.approver.address, review=ReviewTerms(DAY)).bounty_id
    w.as_(v1).pledge(finalized, "1 ether")
    w.as_(v2).pledge(finalized, "0.5 ether")
    c3 = w.as_(v4).submit_solution(finalized, "https://github.com/dao/gov/pull/12").claim_id
    approver.propose(finalized, {c3: 10_000})
    w.as_(v2).object(finalized)  # withholds v2's 0.5 ether: the award takes v1's 1 ether
    disputed = w.escrow.create_bounty(f"https://github.com/dao/gov/issues/21{tag}", now + 30 * DAY,
                                      approver=w.approver.address,
                                      review=ReviewTerms(DAY, 3_000, w.treasury.address)).bounty_id
    w.as_(v1).pledge(disputed, "0.6 ether")
    w.as_(v3).pledge(disputed, "0.4 ether")
    c4 = w.as_(v4).submit_solution(disputed, "https://github.com/dao/gov/pull/22").claim_id
    c5 = w.as_(v4).submit_solution(disputed, "https://github.com/dao/gov/pull/23").claim_id
    approver.propose(disputed, {c4: 5_000, c5: 5_000})
    w.as_(v1).object(disputed)  # 60%: blocked
    w.as_(v4).escalate(disputed)
    w.as_(w.treasury).rule(disputed, "pay")  # a plain arbiter: decide(bountyId, nonce, ruling)
    escalated = w.escrow.create_bounty(f"https://github.com/dao/gov/issues/41{tag}", now + 30 * DAY,
                                       approver=w.approver.address,
                                       review=ReviewTerms(DAY, 5_000, w.treasury.address)).bounty_id
    w.as_(v3).pledge(escalated, "0.3 ether")
    c7 = w.as_(v4).submit_solution(escalated, "https://github.com/dao/gov/pull/42").claim_id
    approver.propose(escalated, {c7: 10_000})
    w.as_(v3).object(escalated)  # the whole pool: blocked
    w.as_(v4).escalate(escalated)  # the arbiter has ARBITRATION_PERIOD from now
    rejected = w.escrow.create_bounty(f"https://github.com/dao/gov/issues/31{tag}", now + 30 * DAY,
                                      approver=w.approver.address, review=ReviewTerms(DAY)).bounty_id
    w.as_(v2).pledge(rejected, "0.1 ether")
    c6 = w.as_(v4).submit_solution(rejected, "https://github.com/dao/gov/pull/32").claim_id
    approver.propose(rejected, {c6: 10_000})
    w.as_(v2).object(rejected)  # every pledge withheld: nothing to pay

    w.node.set_next_block_timestamp(now + 2 * DAY)
    w.escrow.finalize(finalized)
    assert w.escrow.finalize(rejected).rejected == "unanimous"
    approver.propose(rejected, {c6: 10_000})  # proposal 2, pending
    w.as_(f3).refund(expiring)
    w.as_(w.treasury).withdraw_fees(ETH)
    w.as_(w.hunters[1]).withdraw_raised(met)  # anyone may trigger it
    w.as_(backer).refund(missed)
    return {"paid": paid, "cancelled": cancelled, "extended": extended, "expiring": expiring,
            "claim1": c1, "claim2": c2, "met": met, "missed": missed, "flexible": flexible,
            "flexible_deadline": now + 10 * DAY, "finalized": finalized, "disputed": disputed,
            "rejected": rejected, "escalated": escalated}


def stale_json(db: Index) -> list[tuple[int, str, int]]:
    """The bounties whose stored JSON (`listing.store_json`) is not what their rows give now:
    their summary (but its status) and their solutions, as the API's JSON has them; and any
    text of a bounty without a row."""
    with db.reading():
        rows = queries.bounties(db, shape=listing.summary_json)
        keys = [(row["chain_id"], row["escrow"], row["bounty_id"]) for row in rows]
        solutions = listing.solutions_of(db, keys)
        stored = {(row["chain_id"], row["escrow"], row["bounty_id"]): row for row in queries.bounties(
            db, shape=lambda row, state: row, stored=True)}
        orphans = db.execute("SELECT j.chain_id, j.escrow, j.bounty_id FROM bounty_json j LEFT JOIN bounties b"
                             " ON b.chain_id = j.chain_id AND b.escrow = j.escrow AND b.bounty_id = j.bounty_id"
                             " WHERE b.bounty_id IS NULL").fetchall()
    stale = [tuple(key) for key in orphans]  # text left of a bounty that is no longer in the index
    for row, key in zip(rows, keys):
        del row["status"]
        text = stored[key]
        now = json.loads(listing.json_bytes(row)), json.loads(listing.json_bytes(solutions[key]))
        if (json.loads(text["summary"]), json.loads(text["solutions"])) != now:
            stale.append(key)
    return stale


def dump(db: Index) -> dict[str, list[tuple[Any, ...]]]:
    """Every indexed fact (not the bookkeeping: block hashes kept and the cursor); and a check
    that each bounty's stored JSON is what its rows give now, whatever path the index took."""
    assert stale_json(db) == []
    tables = [*EVENT_TABLES, "bounties", "bounty_json", "tokens"]
    return {table: sorted(tuple(row) for row in db.execute(f"SELECT * FROM {table}")) for table in tables}  # noqa: S608


def clean(w: World, index_db: Any, name: str = "clean") -> Indexer:
    indexer = Indexer.for_client(w.escrow, index_db(name))
    indexer.sync()
    return indexer


# --- sync ---------------------------------------------------------------------------------


def test_incremental_sync_in_small_ranges_equals_a_clean_full_sync(w: World, index_db: Any) -> None:
    indexer = Indexer.for_client(w.escrow, index_db("index"), batch=3)
    first = indexer.sync()
    ids = story(w)
    ranges: list[tuple[int, int, int]] = []
    report = indexer.sync(on_range=lambda low, high, count: ranges.append((low, high, count)))
    head = w.node.w3.eth.block_number
    assert report.cursor == head == report.target and report.ranges == len(ranges) > 5
    assert all(high - low + 1 <= 3 for low, high, _ in ranges)
    assert [low for low, _, _ in ranges] == [first.cursor + 1] + [high + 1 for _, high, _ in ranges[:-1]]
    assert sum(count for *_, count in ranges) == report.events > 20
    assert indexer.sync().ranges == 0  # nothing new
    assert dump(indexer.db) == dump(clean(w, index_db).db)
    assert {b.bounty_id for b in queries.bounties(indexer.db, kind="bounty")} == {
        ids[name] for name in ("paid", "cancelled", "extended", "expiring", "finalized", "disputed", "rejected",
                               "escalated")}
    assert {b.bounty_id for b in queries.bounties(indexer.db, kind="fundraiser")} == {
        ids[name] for name in ("met", "missed", "flexible")}


def test_confirmations_keep_the_newest_blocks_out_until_they_are_deep_enough(w: World, index_db: Any) -> None:
    indexer = Indexer.for_client(w.escrow, index_db("index"), confirmations=2)
    bounty_id = w.escrow.create_bounty("https://github.com/org/repo/issues/1", w.node.now() + DAY).bounty_id
    w.as_(w.funders[0]).pledge(bounty_id, "1 ether")
    report = indexer.sync()
    head = w.node.w3.eth.block_number
    assert report.cursor == head - 2
    assert queries.bounties(indexer.db) == []  # created 2 blocks ago: not yet
    w.node._rpc("evm_mine", [])
    indexer.sync()
    assert [b.total for b in queries.bounties(indexer.db)] == [0]  # the pledge is 1 block deep
    w.node._rpc("evm_mine", [])
    indexer.sync()
    assert [b.total for b in queries.bounties(indexer.db)] == [ETHER]


def test_a_node_that_refuses_large_ranges_gets_smaller_ones(w: World, index_db: Any) -> None:
    story(w)
    asked: list[int] = []

    class RefusesLargeRanges(Web3Middleware):
        def request_processor(self, method: Any, params: Any) -> Any:
            if method == "eth_getLogs":
                size = int(params[0]["toBlock"], 16) - int(params[0]["fromBlock"], 16) + 1
                asked.append(size)
                if size > 5:
                    raise ValueError({"code": -32005, "message": "query returned more than 10000 results"})
            return method, params

    node = Web3(w.node.w3.provider)
    node.middleware_onion.add(RefusesLargeRanges, "refuses_large_ranges")
    indexer = Indexer(node, index_db("index"), w.escrow.address, w.escrow.from_block, batch=256)  # > the story's blocks
    report = indexer.sync()
    assert report.cursor == w.node.w3.eth.block_number
    span = report.cursor - report.from_block + 1
    assert asked[:4] == [span, span // 2, span // 4, span // 8]  # halved until the node answers
    assert report.ranges == sum(1 for size in asked if size <= 5)
    assert dump(indexer.db) == dump(clean(w, index_db).db)


def test_a_crash_mid_sync_leaves_whole_ranges_and_a_fresh_process_completes_it(
        w: World, tmp_path: Path, index_db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    story(w)
    path = index_db("index")
    indexer = Indexer.for_client(w.escrow, path, batch=4)
    calls = {"n": 0}
    real = index_events.HANDLERS["Pledged"]

    def crashing(rows: index_events.Rows, event: index_events.Event) -> set[int]:
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("injected crash")
        return real(rows, event)

    monkeypatch.setitem(index_events.HANDLERS, "Pledged", crashing)
    committed: list[int] = []
    with pytest.raises(RuntimeError, match="injected crash"):
        indexer.sync(on_range=lambda low, high, count: committed.append(high))
    indexer.db.close()
    monkeypatch.setitem(index_events.HANDLERS, "Pledged", real)

    db = open_index(path)
    cursor = int(db.execute("SELECT cursor FROM chains").fetchone()[0])
    assert committed and cursor == committed[-1]  # the failed range left nothing behind
    for table in EVENT_TABLES:
        assert db.execute(f"SELECT COUNT(*) FROM {table} WHERE block_number > :cursor", {"cursor": cursor}).fetchone()[0] == 0  # noqa: S608
    assert db.execute("SELECT COUNT(*) FROM pledges").fetchone()[0] == 3
    db.close()

    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BOUNTYCHAIN_")},
           "BOUNTYCHAIN_RPC": w.node.url, "BOUNTYCHAIN_DEPLOYMENTS": str(w.registry_dir),
           "BOUNTYCHAIN_ANVIL": find_anvil(), "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-m", "bountychain.cli", "--json", "index", "--db", str(path), "--batch", "4"],
                          capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["from_block"] == cursor + 1 and report["cursor"] == w.node.w3.eth.block_number
    assert dump(open_index(path)) == dump(clean(w, index_db).db)


def test_a_reorganisation_is_rolled_back_to_the_fork_and_rebuilt(w: World, index_db: Any) -> None:
    indexer = Indexer.for_client(w.escrow, index_db("index"), batch=5)
    common = w.escrow.create_bounty("https://github.com/org/repo/issues/1", w.node.now() + 30 * DAY).bounty_id
    w.as_(w.funders[0]).pledge(common, "1 ether")
    indexer.sync()
    fork = w.node.w3.eth.block_number
    snapshot = w.node.snapshot()
    story(w, "1")  # the branch that will be abandoned
    w.as_(w.funders[1]).pledge(common, "2 ether")
    indexer.sync()
    assert queries.totals(indexer.db, common)["total"] == 3 * ETHER
    abandoned = dump(indexer.db)

    w.node.revert(snapshot)
    w.as_(w.funders[2]).pledge(common, "0.5 ether")  # another history from the fork on
    other = w.escrow.create_bounty("https://github.com/org/repo/issues/77", w.node.now() + 9 * DAY).bounty_id
    w.as_(w.hunters[0]).submit_solution(other, "https://github.com/org/repo/pull/78")
    assert w.node.w3.eth.block_number < max(r[0] for r in indexer.db.execute("SELECT block_number FROM blocks"))
    report = indexer.sync()
    assert report.rolled_back_to == fork
    assert queries.totals(indexer.db, common)["total"] == ETHER + ETHER // 2
    rebuilt = dump(indexer.db)
    assert rebuilt != abandoned and rebuilt == dump(clean(w, index_db).db)
    assert [(c.claim_id, c.uri) for c in queries.bounty(indexer.db, other).claims] == [
        (1, "https://github.com/org/repo/pull/78")]


def test_a_reorganisation_to_a_longer_chain_with_the_same_height_is_detected(w: World, index_db: Any) -> None:
    indexer = Indexer.for_client(w.escrow, index_db("index"))
    indexer.sync()
    snapshot = w.node.snapshot()
    story(w, "1")
    indexer.sync()
    height = w.node.w3.eth.block_number
    w.node.revert(snapshot)
    story(w, "2")  # the same number of blocks, other issue URLs and timestamps
    w.node._rpc("evm_mine", [])
    assert w.node.w3.eth.block_number >= height
    report = indexer.sync()
    assert report.rolled_back_to is not None
    assert dump(indexer.db) == dump(clean(w, index_db).db)
    assert all(b.uri.endswith(("12", "/4", "/9", "/5")) for b in queries.bounties(indexer.db))
    assert len(queries.bounties(indexer.db, kind="fundraiser")) == 3


def test_a_reorganisation_during_a_pass_drops_the_range_read_ahead_and_rebuilds(w: World, index_db: Any) -> None:
    """The next range is read while one is written: a reorganisation between the two leaves that
    read unused (the next range after the rollback starts at the fork), and the pass ends equal to
    a clean sync."""
    indexer = Indexer.for_client(w.escrow, index_db("index"), batch=4)
    indexer.sync()
    fork = w.node.w3.eth.block_number
    snapshot = w.node.snapshot()
    story(w, "1")  # the branch abandoned in the middle of the pass
    height = w.node.w3.eth.block_number
    fetched: list[tuple[int, int]] = []
    fetch = indexer._fetch_range

    def counted(low: int, high: int) -> Any:
        fetched.append((low, high))
        return fetch(low, high)

    indexer._fetch_range = counted  # type: ignore[method-assign]

    def reorganise(low: int, high: int, count: int) -> None:
        if len(fetched) == 2 and high < height:  # the first range written, the second read ahead
            w.node.revert(snapshot)
            story(w, "2")  # another history from the fork on, as tall as the first
            while w.node.w3.eth.block_number < height:
                w.node._rpc("evm_mine", [])

    report = indexer.sync(on_range=reorganise)
    assert report.rolled_back_to == fork
    assert fetched[1] == (fetched[0][1] + 1, fetched[0][1] + 4)  # read ahead, then dropped:
    assert fetched[2][0] == fork + 1  # the pass went on from the fork
    assert dump(indexer.db) == dump(clean(w, index_db).db)
    uris = {b.uri for b in queries.bounties(indexer.db)}
    assert "https://github.com/org/parser/issues/12" in uris and "https://github.com/org/parser/issues/11" not in uris


def test_events_without_a_handler_are_skipped(w: World, index_db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(index_events.HANDLERS, "DeadlineExtended")
    ids = story(w)
    indexer = clean(w, index_db)
    assert indexer.db.execute("SELECT COUNT(*) FROM extensions").fetchone()[0] == 0
    created = indexer.db.execute("SELECT deadline FROM created WHERE bounty_id = :value", {"value": ids["extended"]}).fetchone()[0]
    assert queries.bounty(indexer.db, ids["extended"]).bounty.deadline == created


# --- queries ------------------------------------------------------------------------------


def test_queries_by_repository_issue_status_and_token(w: World, index_db: Any) -> None:
    ids = story(w)
    db = clean(w, index_db).db

    def found(**filters: Any) -> list[int]:
        return sorted(b.bounty_id for b in queries.bounties(db, **filters))

    assert found(repo="org/parser") == found(repo="ORG/Parser/") == [ids["paid"]]
    assert found(repo="group/sub/tool") == found(repo="group") == [ids["cancelled"]]
    assert found(repo="org") == [ids["paid"], ids["extended"]]  # an owner (or group): all its repositories
    assert found(repo="org/pars") == []  # never a partial name
    assert found(repo="org/cli") == [ids["extended"]]
    assert found(issue="https://github.com/org/cli/issues/9") == [ids["extended"]]
    assert found(status="awarded") == [ids["paid"], ids["finalized"]]
    assert found(status="under_review") == sorted([ids["disputed"], ids["rejected"], ids["escalated"]])
    assert found(status="cancelled") == [ids["cancelled"]]
    assert found(kind="bounty", token=w.usdc.address) == [ids["cancelled"]]
    assert found(kind="fundraiser") == [ids["met"], ids["missed"], ids["flexible"]]
    assert found(kind="fundraiser", token=w.usdc.address) == found(status="failed") == [ids["missed"]]
    assert found(status="paid") == [ids["met"]] and found(status="raising") == [ids["flexible"]]
    assert found(beneficiary=w.beneficiary.address) == found(kind="fundraiser")
    assert found(status="expired") == [ids["expiring"]]
    assert found(status="open") == [ids["extended"]]
    assert found(repo="dao/gov") == sorted([ids["finalized"], ids["disputed"], ids["rejected"], ids["escalated"]])
    assert found(token=w.usdc.address) == [ids["cancelled"], ids["missed"]]
    assert found(token=ETH, status="open") == [ids["extended"]]
    with pytest.raises(ValueError):
        queries.bounties(db, status="bogus")
    with pytest.raises(ValueError):
        queries.bounties(db, kind="bogus")
    assert parse_repo("https://github.com/Org/Repo/issues/3") == ("github.com", "org/repo")
    assert parse_repo("https://example.org/a/b/c") == ("example.org", "a/b")


def test_totals_per_bounty(w: World, index_db: Any) -> None:
    ids = story(w)
    db = clean(w, index_db).db
    pool = ETHER + ETHER // 2 + ETHER // 4
    fee = pool * FEE_BPS // 10_000
    assert queries.totals(db, ids["paid"]) == {"total": 0, "pledged": pool, "refunded": 0, "pool": pool, "fee": fee,
                                               "paid_out": pool - fee}
    assert queries.totals(db, ids["cancelled"]) == {"total": 100 * USDC, "pledged": 140 * USDC, "refunded": 40 * USDC,
                                                    "pool": 0, "fee": 0, "paid_out": 0}
    extended = queries.bounty(db, ids["extended"]).bounty
    assert extended.deadline == w.escrow.bounty(ids["extended"]).deadline
    # A reviewed award leaves the objector's withheld pledge in the escrow until it refunds.
    assert queries.totals(db, ids["finalized"]) == {
        "total": ETHER // 2, "pledged": 3 * ETHER // 2, "refunded": 0, "pool": ETHER, "fee": ETHER * FEE_BPS // 10_000,
        "paid_out": ETHER - ETHER * FEE_BPS // 10_000}
    for bounty_id in (ids["paid"], ids["cancelled"], ids["extended"], ids["expiring"], ids["finalized"]):
        assert queries.totals(db, bounty_id)["total"] == w.escrow.bounty(bounty_id).total
    assert queries.totals(db, 999) is None


def test_a_funders_pledges_and_a_sponsors_record(w: World, index_db: Any) -> None:
    ids = story(w)
    db = clean(w, index_db).db
    f1, f2, f3 = w.funders
    pledges = {p.bounty_id: p for p in queries.funder_pledges(db, f1.address)}
    assert set(pledges) == {ids["paid"], ids["cancelled"], ids["met"]}
    assert (pledges[ids["met"]].kind, pledges[ids["met"]].state, pledges[ids["met"]].paid_out) == (
        "fundraiser", "paid", 3 * ETHER // 4)
    assert (pledges[ids["paid"]].pledged, pledges[ids["paid"]].paid_out, pledges[ids["paid"]].state) == (
        ETHER + ETHER // 4, ETHER + ETHER // 4, "awarded")
    assert (pledges[ids["cancelled"]].outstanding, pledges[ids["cancelled"]].state) == (100 * USDC, "refundable")
    f2_states = {p.bounty_id: p.state for p in queries.funder_pledges(db, f2.address)}
    assert f2_states == {ids["paid"]: "awarded", ids["extended"]: "locked", ids["expiring"]: "refundable"}
    for pledge in queries.funder_pledges(db, f2.address):
        if pledge.state == "awarded":
            continue  # the escrow keeps the number, but the money went to the award
        assert pledge.outstanding == w.escrow.pledge_of(pledge.bounty_id, f2.address).amount

    record = queries.sponsor_record(db, f3.address)
    by_token = {t.token: t for t in record.by_token}
    assert record.bounties == 2
    assert (by_token[ETH].pledged, by_token[ETH].refunded, by_token[ETH].paid_out, by_token[ETH].outstanding) == (
        ETHER // 5, ETHER // 5, 0, 0)
    assert (by_token[w.usdc.address].pledged, by_token[w.usdc.address].refunded, by_token[w.usdc.address].symbol) == (
        40 * USDC, 40 * USDC, "USDC")
    f2_record = {t.token: t for t in queries.sponsor_record(db, f2.address).by_token}[ETH]
    assert (f2_record.pledged, f2_record.paid_out, f2_record.outstanding) == (
        ETHER // 2 + ETHER // 10 + 3 * ETHER // 10, ETHER // 2, ETHER // 10 + 3 * ETHER // 10)


def test_a_hunters_claims_and_awards(w: World, index_db: Any) -> None:
    ids = story(w)
    db = clean(w, index_db).db
    pool = ETHER + ETHER // 2 + ETHER // 4
    net = pool - pool * FEE_BPS // 10_000
    first = net * 7_000 // 10_000
    h1, h2 = w.hunters
    record = queries.hunter_record(db, h1.address)
    assert [(c.bounty_id, c.claim_id, c.uri) for c in record.claims] == [
        (ids["paid"], ids["claim1"], "https://github.com/Org/Parser/pull/2")]
    assert [a.paid for a in record.awards] == [first]
    assert [(e.token, e.paid_out) for e in record.earned] == [(ETH, first)]
    assert [a.paid for a in queries.hunter_record(db, h2.address).awards] == [net - first]
    assert queries.hunter_record(db, w.funders[0].address).claims == []
    # Fees are no longer credits: the fee recipient withdrew the ETH fees accrued by then (the
    # paid bounty's and the reviewed award's; the fundraiser paid out after).
    assert db.execute("SELECT COUNT(*) FROM credits").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM withdrawals").fetchone()[0] == 0
    assert [(row[0], int(row[1]), row[2]) for row in db.execute("SELECT token, amount, recipient FROM fee_withdrawals")
            ] == [(ETH, pool * FEE_BPS // 10_000 + ETHER * FEE_BPS // 10_000, w.treasury.address)]


def test_review_events_are_indexed_and_the_summary_equals_the_sdks_proposal(w: World, index_db: Any) -> None:
    ids = story(w)
    db = clean(w, index_db).db
    f1, f2, f3, _ = w.voters
    for name in ("finalized", "disputed", "rejected", "escalated"):
        chain = w.escrow.proposal(ids[name])
        b = queries.bounty(db, ids[name]).bounty
        # The index's approver is the person who proposes (ReviewPolicySet's), not the review
        # contract that BountyCreated names.
        assert b.optimistic and b.approver == chain.approver == w.approver.address
        assert db.execute("SELECT approver FROM created WHERE bounty_id = :value", {"value": ids[name]}).fetchone()[0] == (
            w.escrow.review_contract.address)
        assert (b.review_window, b.quorum_bps, b.arbiter or None, b.arbiter_is_erc792) == (
            chain.review_window, chain.quorum_bps, chain.arbiter, chain.arbiter_is_erc792)
        assert (b.proposal_state, b.proposal_nonce, b.proposed_claims, b.proposed_shares, b.window_end,
                b.decide_by, b.weight_against) == (
            chain.state.name.lower(), chain.nonce, chain.claim_ids, chain.shares_bps, chain.window_end,
            chain.decide_by, chain.weight_against)
        assert (b.dispute_id or None) == (None if chain.dispute_id is None else str(chain.dispute_id))
        if b.proposal_state != "executed":
            # No quorum without an arbiter: the SDK says None, the index 0.
            assert b.proposal_total == chain.total and b.quorum_weight == (chain.quorum_weight or 0)
    finalized = queries.bounty(db, ids["finalized"])
    assert finalized.bounty.status == "awarded" and finalized.bounty.proposal_state == "executed"
    # The objector's pledge was withheld: the award took the other pledge only.
    assert (finalized.bounty.pool, finalized.bounty.total) == (ETHER, ETHER // 2)
    assert finalized.bounty.paid_out == ETHER - ETHER * FEE_BPS // 10_000
    assert [tuple(r) for r in db.execute("SELECT nonce, step, pool FROM proposal_steps WHERE bounty_id = :value",
                                         {"value": ids["finalized"]})] == [(1, "finalized", str(ETHER))]
    assert [(o.funder, o.weight, o.weight_against) for o in finalized.objections] == [(f2.address, ETHER // 2,
                                                                                      ETHER // 2)]
    assert {p.funder: (p.state, p.paid_out, p.outstanding) for p in finalized.pledges} == {
        f1.address: ("awarded", ETHER, 0), f2.address: ("refundable", 0, ETHER // 2)}
    disputed = queries.bounty(db, ids["disputed"]).bounty
    # A plain arbiter has no dispute id (DisputeRaised's is 0) and decides without an ERC-792 Ruling.
    assert (disputed.status, disputed.proposal_state, disputed.dispute_id) == ("under_review", "upheld", "")
    assert disputed.quorum_weight == 3 * ETHER // 10 and disputed.weight_against == 6 * ETHER // 10
    assert [tuple(r) for r in db.execute("SELECT arbiter, dispute_id FROM disputes WHERE bounty_id = :value",
                                         {"value": ids["disputed"]})] == [(w.treasury.address, "0")]
    assert db.execute("SELECT COUNT(*) FROM rulings").fetchone()[0] == 0
    # Escalated: the arbiter has ARBITRATION_PERIOD from the escalation's block.
    escalated = queries.bounty(db, ids["escalated"]).bounty
    escalated_at = db.execute("SELECT escalated_at FROM disputes WHERE bounty_id = :value", {"value": ids["escalated"]}).fetchone()[0]
    assert (escalated.proposal_state, escalated.decide_by) == ("escalated", escalated_at + ARBITRATION_PERIOD)
    assert escalated_at == w.node.w3.eth.get_block(db.execute(
        "SELECT block_number FROM disputes WHERE bounty_id = :value", {"value": ids["escalated"]}).fetchone()[0])["timestamp"]
    again = queries.bounty(db, ids["rejected"]).bounty
    assert (again.status, again.proposal_state, again.proposal_nonce, again.weight_against) == (
        "under_review", "pending", 2, 0)
    assert [tuple(r) for r in db.execute("SELECT nonce, step, reason FROM proposal_steps WHERE bounty_id = :value",
                                         {"value": ids["rejected"]})] == [(1, "rejected", "unanimous")]
    assert {p.funder: p.state for p in queries.bounty(db, ids["rejected"]).pledges} == {f2.address: "frozen"}
    # A funder's objections, oldest first, on every bounty.
    assert [(o.bounty_id, o.nonce, o.weight) for o in queries.funder_objections(db, f2.address)] == [
        (ids["finalized"], 1, ETHER // 2), (ids["rejected"], 1, ETHER // 10)]
    assert [o.bounty_id for o in queries.funder_objections(db, f3.address)] == [ids["escalated"]]
    assert queries.funder_objections(db, w.voters[3].address) == []  # a hunter that never objected
    assert not queries.bounty(db, ids["paid"]).bounty.optimistic
    assert queries.bounty(db, ids["paid"]).bounty.proposal_state == "none"


def test_an_objector_refunds_its_withheld_pledge_after_the_award_and_its_record_stays_exact(
        w: World, index_db: Any) -> None:
    ids = story(w)
    indexer = clean(w, index_db)
    db = indexer.db
    v1, v2 = w.voters[0], w.voters[1]

    def record(funder: LocalAccount) -> tuple[int, int, int, int]:
        eth = {t.token: t for t in queries.sponsor_record(db, funder.address).by_token}[ETH]
        assert eth.pledged == eth.paid_out + eth.to_fundraisers + eth.refunded + eth.outstanding
        return eth.pledged, eth.paid_out, eth.refunded, eth.outstanding

    # Before its refund: v2's withheld 0.5 ether is still held (refundable at once), and its
    # 0.1 ether is frozen by the rejected bounty's new proposal.
    assert record(v2) == (ETHER // 2 + ETHER // 10, 0, 0, ETHER // 2 + ETHER // 10)
    assert record(v1)[:2] == (ETHER + 6 * ETHER // 10, ETHER)  # its pledge funded the award
    assert w.escrow.pledge_of(ids["finalized"], v2.address).amount == ETHER // 2
    assert w.escrow.pledge_of(ids["finalized"], v1.address).amount == 0  # paid to the award
    other = w.hunters[0].address
    w.as_(v2).refund(ids["finalized"], to=other)
    indexer.sync()
    pledge = {p.funder: p for p in queries.bounty(db, ids["finalized"]).pledges}[v2.address]
    assert (pledge.state, pledge.refunded, pledge.outstanding, pledge.paid_out) == ("refunded", ETHER // 2, 0, 0)
    assert record(v2) == (ETHER // 2 + ETHER // 10, 0, ETHER // 2, ETHER // 10)
    summary = queries.bounty(db, ids["finalized"]).bounty
    assert (summary.status, summary.total, summary.refunded, summary.pool) == ("awarded", 0, ETHER // 2, ETHER)
    assert summary.total == w.escrow.bounty(ids["finalized"]).total
    assert [tuple(r) for r in db.execute("SELECT funder, amount, recipient FROM refunds WHERE bounty_id = :value",
                                         {"value": ids["finalized"]})] == [(v2.address, str(ETHER // 2), other)]
    assert dump(db) == dump(clean(w, index_db, "again").db)


def test_a_winner_whose_push_failed_is_credited_and_the_credit_counts_as_earned(w: World, index_db: Any) -> None:
    hunter = deploy_mock(w.node, w.issuer, "HostileReceiver", w.escrow.address)
    send_transaction(w.node.w3, w.issuer, hunter.functions.setMode(1))  # reverts on ETH
    bounty_id = w.escrow.create_bounty("https://github.com/org/credit/issues/1", w.node.now() + 30 * DAY).bounty_id
    w.as_(w.funders[0]).pledge(bounty_id, "1 ether")
    submit = w.escrow.contract.functions.submitSolution(bounty_id, "https://github.com/org/credit/pull/2")
    send_transaction(w.node.w3, w.issuer, hunter.functions.execute(w.escrow.address, 0,
                                                                    submit._encode_transaction_data()))
    award = w.escrow.award(bounty_id, {1: 10_000})
    assert award.payouts[0].credited
    owed = ETHER - ETHER * FEE_BPS // 10_000
    db = clean(w, index_db).db
    assert [tuple(r) for r in db.execute("SELECT hunter, amount, credited FROM payouts WHERE bounty_id = :value",
                                         {"value": bounty_id})] == [(hunter.address, str(owed), 1)]
    assert [(row[0], int(row[1])) for row in db.execute("SELECT account, amount FROM credits")] == [
        (hunter.address, owed)]
    record = queries.hunter_record(db, hunter.address)
    assert [a.paid for a in record.awards] == [owed]
    assert [(e.token, e.paid_out) for e in record.earned] == [(ETH, owed)]
    assert queries.bounty(db, bounty_id).bounty.paid_out == owed
    funder = {t.token: t for t in queries.sponsor_record(db, w.funders[0].address).by_token}[ETH]
    assert (funder.pledged, funder.paid_out, funder.outstanding) == (ETHER, ETHER, 0)


def test_fundraiser_events_are_indexed_with_their_terms_and_payout(w: World, index_db: Any) -> None:
    ids = story(w)
    db = clean(w, index_db).db
    created = {row["bounty_id"]: row for row in db.execute("SELECT * FROM fundraisers")}
    assert set(created) == {ids["met"], ids["missed"], ids["flexible"]}
    assert db.execute("SELECT COUNT(*) FROM created WHERE bounty_id IN (:met, :missed, :flexible)",
                      {name: ids[name] for name in ("met", "missed", "flexible")}).fetchone()[0] == 0
    for fundraiser_id, row in created.items():
        chain = w.escrow.fundraiser(fundraiser_id)
        assert (row["creator"], row["beneficiary"], row["token"], int(row["goal"]), row["deadline"],
                bool(row["all_or_nothing"])) == (chain.creator, chain.beneficiary, chain.token, chain.goal,
                                                 chain.deadline, chain.all_or_nothing)
    assert created[ids["missed"]]["creator"] == w.funders[1].address
    assert created[ids["flexible"]]["uri"] == "https://opencollective.com/cli/11"
    fee = ETHER * FEE_BPS // 10_000
    assert [(r["bounty_id"], r["beneficiary"], int(r["amount"])) for r in db.execute("SELECT * FROM raised_paid")] == [
        (ids["met"], w.beneficiary.address, ETHER - fee)]
    assert dict(db.execute("SELECT token, symbol FROM tokens").fetchall()) == {ETH: "ETH", w.usdc.address: "USDC"}


def test_fundraiser_summaries_and_status_for_goal_met_missed_and_flexible(w: World, index_db: Any) -> None:
    ids = story(w)
    db = clean(w, index_db).db
    fee = ETHER * FEE_BPS // 10_000
    met = queries.bounty(db, ids["met"])
    assert met is not None and met.claims == []
    m = met.bounty
    assert (m.kind, m.status, m.all_or_nothing, m.goal, m.raised, m.total, m.pool, m.fee, m.paid_out) == (
        "fundraiser", "paid", True, ETHER, ETHER, 0, ETHER, fee, ETHER - fee)
    assert (m.issuer, m.approver, m.beneficiary, m.funder_count, m.symbol) == (
        w.issuer.address, "", w.beneficiary.address, 2, "ETH")
    assert m.claim_deadline == m.deadline + 365 * DAY and m.is_fundraiser
    assert w.escrow.fundraiser(ids["met"]).state.value == "paid"
    assert [(p.funder, p.state) for p in met.pledges] == [(w.funders[0].address, "paid"), (w.backer.address, "paid")]

    missed = queries.bounty(db, ids["missed"])
    s = missed.bounty
    # What it raised by the deadline stays shown after its backers took their pledges back.
    assert (s.status, s.goal, s.pledged, s.refunded, s.raised, s.total, s.symbol) == (
        "failed", 500 * USDC, 50 * USDC, 50 * USDC, 50 * USDC, 0, "USDC")
    assert w.escrow.fundraiser(ids["missed"]).state.value == "failed"
    assert [p.state for p in missed.pledges] == ["refunded"]

    flexible = queries.bounty(db, ids["flexible"]).bounty
    assert (flexible.status, flexible.all_or_nothing, flexible.raised, flexible.goal) == (
        "raising", False, ETHER // 2, 10 * ETHER)
    assert queries.bounty(db, ids["flexible"]).pledges[0].state == "locked"
    deadline = ids["flexible_deadline"]
    # Past the deadline a flexible fundraiser succeeds whatever it raised, its pledges stay
    # bound for the beneficiary, and after the claim period the payout lapses.
    later = queries.bounty(db, ids["flexible"], now=deadline)
    assert later.bounty.status == "succeeded" and later.pledges[0].state == "locked"
    lapsed = queries.bounty(db, ids["flexible"], now=deadline + 365 * DAY)
    assert lapsed.bounty.status == "lapsed" and lapsed.pledges[0].state == "refundable"
    assert [b.bounty_id for b in queries.bounties(db, status="succeeded", now=deadline)] == [ids["flexible"]]
    for fundraiser_id in (ids["met"], ids["missed"], ids["flexible"]):
        assert queries.totals(db, fundraiser_id)["total"] == w.escrow.bounty(fundraiser_id).total
    # The index agrees with the chain's state once the chain reaches that time.
    w.node.set_next_block_timestamp(deadline)
    w.node._rpc("evm_mine", [])
    indexer = Indexer.for_client(w.escrow, index_db("clean"))
    indexer.sync()
    assert queries.bounty(indexer.db, ids["flexible"]).bounty.status == w.escrow.fundraiser(ids["flexible"]).state.value
    w.as_(w.issuer).withdraw_raised(ids["flexible"])
    indexer.sync()
    paid = queries.bounty(indexer.db, ids["flexible"]).bounty
    assert (paid.status, paid.raised, paid.total, paid.paid_out) == (
        "paid", ETHER // 2, 0, ETHER // 2 - ETHER // 2 * FEE_BPS // 10_000)


def test_an_all_or_nothing_fundraiser_that_met_its_goal_succeeds_until_paid(w: World, index_db: Any) -> None:
    now = w.node.now()
    fundraiser_id = w.escrow.create_fundraiser("https://opencollective.com/x", w.beneficiary.address, "1 ether",
                                               now + DAY).fundraiser_id
    w.as_(w.backer).pledge(fundraiser_id, "1 ether")
    indexer = clean(w, index_db)
    assert queries.bounty(indexer.db, fundraiser_id).bounty.status == "raising"
    w.node.set_next_block_timestamp(now + DAY)
    w.node._rpc("evm_mine", [])
    indexer.sync()
    detail = queries.bounty(indexer.db, fundraiser_id)
    assert detail.bounty.status == "succeeded" == w.escrow.fundraiser(fundraiser_id).state.value
    assert detail.pledges[0].state == "locked"  # bound for the beneficiary: not refundable


def test_a_cancelled_fundraisers_backers_may_refund(w: World, index_db: Any) -> None:
    fundraiser_id = w.escrow.create_fundraiser("https://opencollective.com/y", w.beneficiary.address, "1 ether",
                                               w.node.now() + DAY).fundraiser_id
    w.as_(w.backer).pledge(fundraiser_id, "0.2 ether")
    w.as_(w.issuer).pledge(fundraiser_id, "0.3 ether")
    w.escrow.cancel(fundraiser_id)
    w.as_(w.backer).refund(fundraiser_id)  # at once, before the deadline
    detail = queries.bounty(clean(w, index_db).db, fundraiser_id)
    assert (detail.bounty.status, detail.bounty.raised, detail.bounty.total) == ("cancelled", 3 * ETHER // 10,
                                                                                 3 * ETHER // 10)
    assert [p.state for p in detail.pledges] == ["refunded", "refundable"]


def test_a_pledge_of_an_id_never_seen_created_does_not_break_a_refresh(w: World, index_db: Any,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """An older index that skips FundraiserCreated still indexes the fundraiser's pledges
    without a summary; the funder's other pledges and records stay right."""
    monkeypatch.delitem(index_events.HANDLERS, "FundraiserCreated")
    ids = story(w)
    db = clean(w, index_db).db
    assert db.execute("SELECT COUNT(*) FROM pledges WHERE bounty_id = :value", {"value": ids["met"]}).fetchone()[0] == 2
    assert queries.bounty(db, ids["met"]) is None and queries.bounties(db, kind="fundraiser") == []
    assert {p.bounty_id for p in queries.funder_pledges(db, w.funders[0].address)} == {ids["paid"], ids["cancelled"]}


def test_a_sponsors_record_includes_fundraisers_and_a_beneficiary_its_receipts(w: World, index_db: Any) -> None:
    ids = story(w)
    db = clean(w, index_db).db
    pool = ETHER + ETHER // 2 + ETHER // 4
    f1 = queries.sponsor_record(db, w.funders[0].address)
    assert (f1.bounties, f1.fundraisers) == (2, 1)
    eth = {t.token: t for t in f1.by_token}[ETH]
    assert (eth.pledged, eth.paid_out, eth.to_fundraisers, eth.refunded, eth.outstanding) == (
        ETHER + ETHER // 4 + 3 * ETHER // 4, ETHER + ETHER // 4, 3 * ETHER // 4, 0, 0)
    backer = queries.sponsor_record(db, w.backer.address)
    assert (backer.bounties, backer.fundraisers) == (0, 3)
    by_token = {t.token: t for t in backer.by_token}
    assert (by_token[ETH].pledged, by_token[ETH].to_fundraisers, by_token[ETH].outstanding) == (
        ETHER // 4 + ETHER // 2, ETHER // 4, ETHER // 2)
    assert (by_token[w.usdc.address].pledged, by_token[w.usdc.address].refunded) == (50 * USDC, 50 * USDC)
    for token in by_token.values():
        assert token.pledged == token.paid_out + token.to_fundraisers + token.refunded + token.outstanding
    assert pool  # the bounty award is not counted as a fundraiser payout above

    record = queries.beneficiary_record(db, w.beneficiary.address)
    assert [f.bounty_id for f in record.fundraisers] == [ids["flexible"], ids["missed"], ids["met"]]
    fee = ETHER * FEE_BPS // 10_000
    assert [(r.bounty_id, r.amount, r.symbol) for r in record.receipts] == [(ids["met"], ETHER - fee, "ETH")]
    assert [(t.token, t.paid_out) for t in record.received] == [(ETH, ETHER - fee)]
    assert w.node.w3.eth.get_balance(w.beneficiary.address) >= ETHER - fee
    empty = queries.beneficiary_record(db, w.funders[2].address)
    assert (empty.fundraisers, empty.receipts, empty.received) == ([], [], [])


# --- the command line ---------------------------------------------------------------------


def test_index_and_list_commands(w: World, tmp_path: Path) -> None:
    ids = story(w)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("BOUNTYCHAIN_", "XDG_"))},
           "BOUNTYCHAIN_RPC": w.node.url, "BOUNTYCHAIN_DEPLOYMENTS": str(w.registry_dir),
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "BOUNTYCHAIN_ANVIL": find_anvil(), "PYTHONPATH": str(REPO)}

    def run(*args: str) -> dict[str, Any]:
        proc = subprocess.run([sys.executable, "-m", "bountychain.cli", "--json", *args], capture_output=True,
                              text=True, env=env, timeout=120, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    assert run("list")["source"] == "chain"  # no index yet
    indexed = run("index")
    assert Path(indexed["db"]).parent == tmp_path / "data" / "bountychain"
    assert indexed["events"] > 20 and indexed["cursor"] == w.node.w3.eth.block_number
    from_index = run("list", "--status", "open")
    assert from_index["source"] == "index" and [b["bounty_id"] for b in from_index["bounties"]] == [ids["extended"]]
    full_index = run("list")["bounties"]
    full_chain = run("list", "--source", "chain")["bounties"]
    assert full_index == full_chain
    proc = subprocess.run([sys.executable, "-m", "bountychain.cli", "list", "--source", "index", "--db",
                           str(tmp_path / "none.sqlite3")], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 1 and "run `bountychain index` first" in proc.stderr
    # Run again with no new block: it says so, not "indexed blocks 62..61 (0 ranges ...)".
    again = subprocess.run([sys.executable, "-m", "bountychain.cli", "index"], capture_output=True, text=True,
                           env=env, timeout=120, cwd=tmp_path)
    said = " ".join(again.stdout.split())
    assert again.returncode == 0 and said.startswith(
        f"the index is up to date at block {indexed['cursor']}; head {indexed['cursor']}, 0 confirmations"), said


def test_index_follow_picks_up_new_blocks_until_interrupted(w: World, tmp_path: Path) -> None:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BOUNTYCHAIN_")},
           "BOUNTYCHAIN_RPC": w.node.url, "BOUNTYCHAIN_DEPLOYMENTS": str(w.registry_dir),
           "BOUNTYCHAIN_ANVIL": find_anvil(), "PYTHONPATH": str(REPO)}
    path = tmp_path / "index.sqlite3"
    proc = subprocess.Popen([sys.executable, "-m", "bountychain.cli", "--json", "index", "--db", str(path), "--follow",
                             "--interval", "0.1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        first = json.loads(proc.stdout.readline())  # the catch-up pass
        bounty_id = w.escrow.create_bounty("https://github.com/org/repo/issues/1", w.node.now() + DAY).bounty_id
        second = json.loads(proc.stdout.readline())  # the pass that saw the new block
        assert second["from_block"] == first["cursor"] + 1 and second["events"] == 1
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    assert [b.bounty_id for b in queries.bounties(open_index(path))] == [bounty_id]


def test_raw_logs_decoded_directly_give_the_rows_of_web3s_formatted_logs(w: World, index_db: Any) -> None:
    """The sync reads eth_getLogs as the node sends it (hex strings) and decodes it with eth_abi
    (`events.decode_log`); before, logs went through web3's formatting (HexBytes, ints). Both
    paths end in exactly the same rows."""
    ids = story(w)

    class Web3Formatted(Indexer):
        def _get_logs(self, from_block: int, to_block: int) -> list[Any]:
            return list(self.w3.eth.get_logs({"address": [self.escrow, self.review], "fromBlock": from_block,
                                              "toBlock": to_block}))

    formatted = Web3Formatted.for_client(w.escrow, index_db("formatted"), batch=7)
    direct = Indexer.for_client(w.escrow, index_db("direct"), batch=7)
    counted = formatted.sync().events
    assert counted > 50 and direct.sync().events == counted
    assert dump(direct.db) == dump(formatted.db)
    assert len(dump(direct.db)["pledges"]) > 10 and queries.bounty(direct.db, ids["paid"]) == queries.bounty(
        formatted.db, ids["paid"])


def test_the_set_based_refresh_gives_the_rows_of_the_per_bounty_reference(
        w: World, index_db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sync recomputes the summaries of a range's bounties a chunk at a time
    (`summaries.refresh_bounties`, a few statements per 500 bounties); `summaries.refresh_bounty` reads
    one bounty at a time, the plain statement of what a summary is. Every kind of bounty and
    fundraiser of the story, in ranges of every size and with chunks cut anywhere, gets the
    same rows both ways, on both backends."""
    ids = story(w)
    w.as_(w.funders[0]).pledge(ids["flexible"], "0.01 ether")  # touched again in a later range
    fast = Indexer.for_client(w.escrow, index_db("fast"), batch=4)
    fast.sync()
    # The reference: the same sync, refreshing each touched bounty on its own.
    with monkeypatch.context() as patch:
        patch.setattr(summaries, "refresh_bounties",
                      lambda db, chain_id, escrow, touched: [summaries.refresh_bounty(db, chain_id, escrow, bounty_id)
                                                             for bounty_id in sorted(touched)])
        reference = Indexer.for_client(w.escrow, index_db("reference"), batch=4)
        reference.sync()
    expected = dump(reference.db)
    assert len(expected["bounties"]) == 11 and {row[11] for row in expected["bounties"]} >= {
        "open", "awarded", "cancelled", "under_review", "raising", "paid"}
    assert dump(fast.db) == expected
    # All at once, and in chunks of 3 (a chunk boundary between a bounty's rows and the next).
    for chunk in (500, 3):
        monkeypatch.setattr(summaries, "_REFRESH_CHUNK", chunk)
        with fast.db.transaction():
            fast.db.execute("DELETE FROM bounties")
            summaries.refresh_bounties(fast.db, fast.chain_id, fast.escrow, [*ids.values(), 10**6])  # an id with no events: no row
        assert dump(fast.db) == expected, chunk
