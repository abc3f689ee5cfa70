"""Several escrows of one chain in one index (issues 13 and 15), on both backends: a chain's
deployment history (`deploy --replace` keeps the old escrow, which still holds money) indexed
beside the current escrow. Bounty 1 exists in both; the queries, the API, a reorganisation, the
writer locks and the commands must keep them apart. And what milestones and slashed claim bonds
(issue 16) leave each funder, checked against the chain to the wei."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from eth_account.signers.local import LocalAccount

from bountychain import AnvilNode, BountyClient
from bountychain import deployments as registry
from bountychain.devchain import find_anvil
from bountychain.index import IndexBusy, Indexer, migrations, open_index, queries
from bountychain.index.schema import EVENT_TABLES
from bountychain.index.store import get_meta, set_meta
from bountychain.web import WebApp
from tests.test_web_api import _start

pytestmark = pytest.mark.anvil

DAY = 86_400
ETHER = 10**18
LOCAL = 31337
REPO = Path(__file__).resolve().parent.parent


@dataclass
class History:
    node: AnvilNode
    old: BountyClient  # the escrow `deploy --replace` replaced: still holding pledges
    new: BountyClient  # the registry's current escrow
    funders: list[LocalAccount]
    hunters: list[LocalAccount]
    registry_dir: Path

    def as_(self, escrow: BountyClient, account: LocalAccount) -> BountyClient:
        return escrow.as_signer(account)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    node = AnvilNode()
    try:
        issuer = node.new_account()
        funders = [node.new_account(100 * ETHER) for _ in range(2)]
        hunters = [node.new_account() for _ in range(2)]
        old = BountyClient.deploy(node, issuer, fee_recipient=node.new_account().address, fee_bps=100,
                                  poll_latency=0.005)
        now = node.now()
        assert old.create_bounty("https://github.com/alpha/app/issues/1", now + 30 * DAY).bounty_id == 1
        assert old.create_bounty("https://github.com/alpha/lib/issues/2", now + 30 * DAY).bounty_id == 2
        old.as_signer(funders[0]).pledge(1, "1 ether")
        old.as_signer(funders[1]).pledge(2, "0.3 ether")
        new = BountyClient.deploy(node, issuer, fee_recipient=node.new_account().address, fee_bps=100,
                                  poll_latency=0.005)
        assert new.create_bounty("https://github.com/beta/tool/issues/1", now + 30 * DAY).bounty_id == 1
        new.as_signer(funders[0]).pledge(1, "0.5 ether")
        new.as_signer(hunters[0]).submit_solution(1, "https://github.com/beta/tool/pull/2")
        # The registry as `deploy --replace` leaves it: the new escrow, the old one in `previous`.
        directory = tmp_path_factory.mktemp("registry")
        assert old.deployment is not None and new.deployment is not None
        first = registry.record_for(node.chain_id, old.deployment, issuer.address)
        registry.save(replace(registry.record_for(node.chain_id, new.deployment, issuer.address),
                              previous=({k: v for k, v in asdict(first).items() if k != "previous"},)), directory)
        yield History(node, old, new, funders, hunters, directory)
    finally:
        node.close()


@pytest.fixture
def h(history: History) -> Iterator[History]:
    snapshot = history.node.snapshot()
    try:
        yield history
    finally:
        history.node.revert(snapshot)


def _indexers(h: History, target: str) -> tuple[Indexer, Indexer]:
    old, new = Indexer.for_client(h.old, target), Indexer.for_client(h.new, target)
    old.sync()
    new.sync()
    return old, new


def _rows_of(db: Any, escrow: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row one escrow has in the index, its blocks and cursor included."""
    return {table: sorted(tuple(row) for row in db.execute(f"SELECT * FROM {table} WHERE escrow = :escrow",  # noqa: S608
                                                           {"escrow": escrow}))
            for table in (*EVENT_TABLES, "bounties", "blocks", "chains")}


def _held(db: Any, escrow: str) -> int:
    return sum(b.total for b in queries.bounties(db, escrow=escrow))


def test_two_escrows_of_one_chain_share_the_index_and_keep_their_bounties_apart(h: History, index_db: Any) -> None:
    old, new = _indexers(h, index_db())
    db = new.db
    head = h.node.w3.eth.block_number
    assert [(c.chain_id, c.escrow, c.cursor) for c in queries.chains(db)] == [
        (LOCAL, h.old.address, head), (LOCAL, h.new.address, head)]  # oldest first
    status = queries.status(db)
    assert (status.chain_id, status.escrow, status.cursor) == (LOCAL, h.new.address, head)
    # The money in each escrow is what the index says its bounties hold.
    for escrow, expected in ((h.old.address, ETHER + 3 * ETHER // 10), (h.new.address, ETHER // 2)):
        assert _held(db, escrow) == h.node.w3.eth.get_balance(escrow) == expected

    listed = [(b.escrow, b.bounty_id, b.repo) for b in queries.bounties(db)]  # newest (largest id) first
    assert listed[0] == (h.old.address, 2, "alpha/lib") and sorted(listed[1:]) == sorted(
        [(h.old.address, 1, "alpha/app"), (h.new.address, 1, "beta/tool")])
    assert queries.count_bounties(db, escrow=h.old.address) == 2
    with pytest.raises(queries.AmbiguousBounty, match="several escrows") as raised:
        queries.bounty(db, 1)
    assert raised.value.choices == sorted([(LOCAL, h.old.address), (LOCAL, h.new.address)])
    assert raised.value.chain_ids == [LOCAL]
    in_new = queries.bounty(db, 1, escrow=h.new.address)
    assert in_new is not None and in_new.bounty.repo == "beta/tool" and in_new.bounty.escrow == h.new.address
    assert [(c.escrow, c.hunter) for c in in_new.claims] == [(h.new.address, h.hunters[0].address)]
    in_old = queries.bounty(db, 1, chain=LOCAL, escrow=h.old.address)
    assert in_old is not None and in_old.bounty.total == ETHER and in_old.claims == []
    assert queries.bounty(db, 2).bounty.escrow == h.old.address  # only one escrow has it
    assert queries.bounty(db, 2, escrow=h.new.address) is None
    assert [(h_["kind"], h_["amount"]) for h_ in queries.funding_history(db, 1, escrow=h.old.address)] == [
        ("pledge", ETHER)]

    funder = h.funders[0].address
    record = queries.sponsor_record(db, funder)
    assert [(t.chain_id, t.symbol, t.pledged, t.outstanding) for t in record.by_token] == [
        (LOCAL, "ETH", ETHER + ETHER // 2, ETHER + ETHER // 2)]  # one chain, one token: both escrows' pledges
    assert sorted((p.escrow, p.bounty_id, p.pledged) for p in record.pledges) == sorted(
        [(h.old.address, 1, ETHER), (h.new.address, 1, ETHER // 2)])
    assert [(p.escrow, p.bounty_id) for p in queries.funder_pledges(db, funder, escrow=h.new.address)] == [
        (h.new.address, 1)]
    assert queries.hunter_record(db, h.hunters[0].address, escrow=h.old.address).claims == []
    assert {(b.escrow, b.bounty_id) for b in queries.bounties_by_ids(db, [(LOCAL, h.old.address, 1),
                                                                         (LOCAL, h.new.address, 1)])} == {
        (h.old.address, 1), (h.new.address, 1)}


def test_the_api_filters_by_escrow_and_asks_which_escrow_for_an_ambiguous_id(h: History, index_db: Any) -> None:
    old, new = _indexers(h, index_db())
    web = WebApp([old, new], new.db)  # as `bountychain serve` follows the chain's history
    server, base = _start(web)
    try:
        with httpx.Client(base_url=base, timeout=10) as http:
            # A pledge to the old escrow after the server started: POST /api/sync syncs both.
            h.old.as_signer(h.funders[1]).pledge(2, "0.2 ether")
            assert http.post("/api/sync").status_code == 200
            info = http.get("/api/info").json()
            assert [(c["chain_id"], c["escrow"], [e["escrow"] for e in c["escrows"]]) for c in info["chains"]] == [
                (LOCAL, h.new.address, [h.old.address, h.new.address])]
            assert info["escrow"] == h.new.address  # the current escrow, as before

            every = http.get("/api/bounties").json()
            assert every["count"] == 3 and {b["escrow"] for b in every["bounties"]} == {h.old.address, h.new.address}
            in_old = http.get("/api/bounties", params={"escrow": h.old.address.lower()}).json()
            assert [(b["bounty_id"], b["total"]) for b in in_old["bounties"]] == [(2, str(ETHER // 2)),
                                                                                 (1, str(ETHER))]
            bad = http.get("/api/bounties", params={"escrow": "0x12"})
            assert bad.status_code == 400 and bad.json()["error"] == "escrow: '0x12' is not an address"

            ambiguous = http.get("/api/bounties/1")
            assert ambiguous.status_code == 409
            first, second = sorted([h.old.address, h.new.address])
            assert ambiguous.json()["error"] == (
                f"bounty 1 is in several escrows on Local dev chain in this index: escrow {first} (?escrow={first}), "
                f"escrow {second} (?escrow={second}); add ?escrow= to choose")
            chosen = http.get("/api/bounties/1", params={"escrow": h.new.address}).json()
            assert (chosen["bounty"]["repo"], chosen["bounty"]["escrow"]) == ("beta/tool", h.new.address)
            assert [c["hunter"] for c in chosen["claims"]] == [h.hunters[0].address]
            assert http.get("/api/bounties/1", params={"chain": "local", "escrow": h.old.address}).json()[
                "bounty"]["repo"] == "alpha/app"
            assert http.get("/api/bounties/2").json()["bounty"]["escrow"] == h.old.address  # one escrow has it
            missing = http.get("/api/bounties/2", params={"escrow": h.new.address})
            assert missing.status_code == 404
            assert missing.json()["error"] == f"bounty 2 is not in the index in escrow {h.new.address} (yet)"
            assert http.get("/api/bounties/1/funding").status_code == 409
            history = http.get("/api/bounties/1/funding", params={"escrow": h.new.address}).json()["history"]
            assert [(x["kind"], x["amount"]) for x in history] == [("pledge", str(ETHER // 2))]
            assert http.get("/badge/1.svg").status_code == 409
            badge = http.get("/badge/1.svg", params={"escrow": h.old.address})
            assert badge.status_code == 200 and "1 ETH" in badge.text
            assert http.get("/api/amount", params={"bounty": "1", "text": "0.1"}).status_code == 409
            assert http.get("/api/amount", params={"bounty": "1", "text": "0.1", "escrow": h.new.address}).json()[
                "amount"] == str(ETHER // 10)

            funder = http.get(f"/api/funders/{h.funders[0].address}").json()
            assert sorted((x["escrow"], x["pledged"]) for x in funder["pledges"]) == sorted(
                [(h.old.address, str(ETHER)), (h.new.address, str(ETHER // 2))])
            assert sorted((b["escrow"], b["repo"]) for b in funder["recent"]) == sorted(
                [(h.old.address, "alpha/app"), (h.new.address, "beta/tool")])
            only = http.get(f"/api/funders/{h.funders[0].address}", params={"escrow": h.old.address}).json()
            assert [(x["escrow"], x["bounty_id"]) for x in only["pledges"]] == [(h.old.address, 1)]
            hunter = http.get(f"/api/hunters/{h.hunters[0].address}", params={"escrow": h.old.address}).json()
            assert hunter["claims"] == []
            described = http.get("/openapi.json").json()["paths"]
            for path in ("/api/bounties", "/api/bounties/{bounty_id}", "/api/funders/{address}",
                         "/api/hunters/{address}", "/api/beneficiaries/{address}", "/api/amount",
                         "/api/bounties/{bounty_id}/funding"):
                assert "escrow" in [x["name"] for x in described[path]["get"]["parameters"]], path
    finally:
        server.shutdown()
        server.server_close()
        web.stop()


def test_a_reorganisation_in_one_escrow_leaves_the_other_escrows_rows_alone(h: History, index_db: Any) -> None:
    old, new = _indexers(h, index_db())
    untouched = _rows_of(new.db, h.new.address)
    snapshot = h.node.snapshot()
    h.old.as_signer(h.funders[1]).pledge(2, "2 ether")
    h.old.create_bounty("https://github.com/alpha/abandoned/issues/3", h.node.now() + DAY)
    old.sync()
    assert queries.count_bounties(old.db, escrow=h.old.address) == 3
    h.node.revert(snapshot)
    h.old.as_signer(h.funders[1]).pledge(1, "0.25 ether")  # another history from the fork on
    for _ in range(3):
        h.node._rpc("evm_mine", [])
    report = old.sync()
    assert report.rolled_back_to is not None
    assert [b.repo for b in queries.bounties(old.db, escrow=h.old.address)] == ["alpha/lib", "alpha/app"]
    assert queries.totals(old.db, 1, escrow=h.old.address)["total"] == ETHER + ETHER // 4
    assert _rows_of(new.db, h.new.address) == untouched  # its rows, blocks and cursor as they were
    clean = Indexer.for_client(h.old, index_db("clean"))
    clean.sync()
    mine, theirs = _rows_of(old.db, h.old.address), _rows_of(clean.db, h.old.address)
    assert {t: r for t, r in mine.items() if t not in ("blocks", "chains")} == {
        t: r for t, r in theirs.items() if t not in ("blocks", "chains")}
    assert new.sync().rolled_back_to is None


def test_the_writer_lock_is_per_escrow(h: History, index_db: Any) -> None:
    old, new = _indexers(h, index_db())
    again = Indexer.for_client(h.old, index_db())
    with old.writing(), new.writing():  # two escrows of one chain write side by side
        with pytest.raises(IndexBusy, match=f"the rows of escrow {h.old.address} on Local dev chain"):
            again.sync()
    assert again.sync().ranges == 0


def _cli(h: History, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("BOUNTYCHAIN_", "XDG_"))},
           "BOUNTYCHAIN_RPC": h.node.url, "BOUNTYCHAIN_DEPLOYMENTS": str(h.registry_dir),
           "XDG_DATA_HOME": str(tmp_path / "data"), "BOUNTYCHAIN_ANVIL": find_anvil(), "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "bountychain.cli", *args], capture_output=True, text=True, env=env,
                          timeout=120, cwd=tmp_path)


def test_the_index_command_follows_every_escrow_of_the_deployment_history(h: History, tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    proc = _cli(h, tmp_path, "--json", "index", "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    reports = [json.loads(line) for line in proc.stdout.splitlines()]
    head = h.node.w3.eth.block_number
    assert [(r["escrow"], r["cursor"]) for r in reports] == [(h.old.address, head), (h.new.address, head)]
    index = open_index(db)
    assert {b.escrow for b in queries.bounties(index)} == {h.old.address, h.new.address}
    index.close()
    words = _cli(h, tmp_path, "index", "--db", str(db))
    assert words.returncode == 0, words.stderr
    # Run again with no new block: each escrow's index says it is up to date.
    assert f"escrow {h.old.address}: the index is up to date at block {head}" in words.stdout
    assert f"escrow {h.new.address}: the index is up to date at block {head}" in words.stdout
    # `list` lists the escrow it talks to (the current one, else --escrow's).
    listed = json.loads(_cli(h, tmp_path, "--json", "list", "--db", str(db)).stdout)
    assert [b["bounty_id"] for b in listed["bounties"]] == [1] and listed["source"] == "index"
    older = json.loads(_cli(h, tmp_path, "--json", "--escrow", h.old.address, "list", "--db", str(db)).stdout)
    assert [b["bounty_id"] for b in older["bounties"]] == [1, 2]
    # --escrow names one escrow: only that one is followed.
    only = tmp_path / "only.sqlite3"
    proc = _cli(h, tmp_path, "--json", "--escrow", h.old.address, "index", "--db", str(only))
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line)["escrow"] for line in proc.stdout.splitlines()] == [h.old.address]


# --- milestones and slashed claim bonds (issue 16), checked against the chain -------------------


def test_each_funders_pledge_shows_what_is_left_after_milestones_and_its_slashed_bond_credit(
        h: History, index_db: Any) -> None:
    escrow, node = h.new, h.node
    first, second = h.funders
    bond = 10**16 + 3  # an awkward bond
    bounty_id = escrow.create_bonded_bounty("https://github.com/beta/tool/issues/7", node.now() + 10 * DAY,
                                            bond).bounty_id
    h.as_(escrow, first).pledge(bounty_id, 10**18 + 7)
    h.as_(escrow, second).pledge(bounty_id, 3 * 10**18 + 11)
    spam = h.as_(escrow, h.hunters[0]).submit_bonded_solution(bounty_id, "https://github.com/beta/tool/pull/8")
    escrow.mark_spam(bounty_id, spam.claim_id)  # the bond goes to the funders, pro rata
    owed = escrow.slashed_owed(bounty_id, first.address)
    assert owed > 0
    h.as_(escrow, first).claim_slashed(bounty_id)  # SlashedBondsCredited
    good = h.as_(escrow, h.hunters[1]).submit_bonded_solution(bounty_id, "https://github.com/beta/tool/pull/9")
    escrow.award_part(bounty_id, 3_333, {good.claim_id: 10_000})  # a third of the pool, to a milestone
    h.as_(escrow, second).pledge(bounty_id, 10**17 + 5)  # a top-up at the new share price; settles its bond part
    node.set_next_block_timestamp(node.now() + 11 * DAY)  # past the deadline: pledges unlock
    h.as_(escrow, first).refund(bounty_id, amount=10**17 + 1)  # a part: burns its shares rounded up

    indexer = Indexer.for_client(escrow, index_db())
    indexer.sync()
    detail = queries.bounty(indexer.db, bounty_id, escrow=escrow.address)
    assert detail is not None
    by_funder = {p.funder: p for p in detail.pledges}
    for funder in (first, second):
        pledge = by_funder[funder.address]
        on_chain = escrow.pledge_of(bounty_id, funder.address).amount
        assert pledge.outstanding == on_chain  # what its shares are worth now, to the wei
        assert pledge.to_milestones > 0 and pledge.paid_out == pledge.to_milestones
        assert pledge.pledged == pledge.refunded + pledge.outstanding + pledge.paid_out
        assert pledge.state == "refundable"
    # Together they hold what the bounty holds (the shares' rounding stays in the pool).
    assert detail.bounty.total - sum(p.outstanding for p in detail.pledges) in (0, 1)
    for funder in (first, second):
        record = queries.sponsor_record(indexer.db, funder.address, escrow=escrow.address)
        (tokens,) = record.by_token
        assert tokens.slashed_credit == escrow.credit_of(funder.address) > 0  # credited, not yet withdrawn
        assert tokens.pledged == tokens.refunded + tokens.outstanding + tokens.paid_out
    assert queries.sponsor_record(indexer.db, first.address, escrow=escrow.address).by_token[0].slashed_credit == owed

    # An index upgraded from schema 8 had read these blocks without their credits: the upgrade
    # notes the escrow (`migrations._to_9`), and its indexer reads the credits once.
    credits = sorted(tuple(row) for row in indexer.db.execute("SELECT * FROM slashed_credits"))
    assert len(credits) == 2
    with indexer.db.transaction():
        indexer.db.execute("DELETE FROM slashed_credits")
        set_meta(indexer.db, f"{migrations.BACKFILL_SLASHED}{LOCAL}:{escrow.address}", indexer.cursor)
    assert indexer.sync().ranges == 0
    assert sorted(tuple(row) for row in indexer.db.execute("SELECT * FROM slashed_credits")) == credits
    assert get_meta(indexer.db, f"{migrations.BACKFILL_SLASHED}{LOCAL}:{escrow.address}") is None
