"""Several chains in one index, on both backends: two anvil nodes with different chain ids,
each with its own escrow, indexed into one database. Bounty 1 exists on both; the queries, the
API, a reorganisation, the writer locks and a chain whose endpoint is down must keep them apart."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from bountychain import AnvilNode, BountyClient
from bountychain import deployments as registry
from bountychain.devchain import find_anvil
from bountychain.index import IndexBusy, Indexer, open_index, queries
from bountychain.index.schema import EVENT_TABLES
from bountychain.index.several import ConfigError, follow_chains, load_config, wait_for
from bountychain.web import WebApp
from tests.test_web_api import _start

pytestmark = pytest.mark.anvil

DAY = 86_400
ETHER = 10**18
LOCAL, OTHER = 31337, 1337  # "Local dev chain" (a listed chain) and an unlisted one, "chain 1337"
REPO = Path(__file__).resolve().parent.parent


@dataclass
class Side:
    node: AnvilNode
    escrow: BountyClient
    hunter: LocalAccount


@dataclass
class Pair:
    local: Side
    other: Side
    funder: LocalAccount  # the same address pledges on both chains
    registry_dir: Path

    def sides(self) -> tuple[Side, Side]:
        return self.local, self.other


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    nodes = [AnvilNode(chain_id=LOCAL), AnvilNode(chain_id=OTHER)]
    try:
        funder = Account.create()
        directory = tmp_path_factory.mktemp("registry")
        sides = []
        for node in nodes:
            node._rpc("anvil_setBalance", [funder.address, hex(100 * ETHER)])
            issuer = node.new_account()
            escrow = BountyClient.deploy(node, issuer, fee_recipient=node.new_account().address, fee_bps=100,
                                         poll_latency=0.005)
            assert escrow.deployment is not None
            registry.save(registry.record_for(node.chain_id, escrow.deployment, issuer.address), directory)
            sides.append(Side(node, escrow, node.new_account()))
        local, other = sides
        now = local.node.now()
        # Bounty 1 on both chains, another bounty (2) on the local one only.
        assert local.escrow.create_bounty("https://github.com/alpha/app/issues/1", now + 30 * DAY).bounty_id == 1
        assert local.escrow.create_bounty("https://github.com/alpha/lib/issues/2", now + 30 * DAY).bounty_id == 2
        assert other.escrow.create_bounty("https://github.com/beta/tool/issues/1",
                                          other.node.now() + 30 * DAY).bounty_id == 1
        local.escrow.as_signer(funder).pledge(1, "1 ether")
        other.escrow.as_signer(funder).pledge(1, "0.5 ether")
        other.escrow.as_signer(other.hunter).submit_solution(1, "https://github.com/beta/tool/pull/2")
        yield Pair(local, other, funder, directory)
    finally:
        for node in nodes:
            node.close()


@pytest.fixture
def p(pair: Pair) -> Iterator[Pair]:
    snapshots = [side.node.snapshot() for side in pair.sides()]
    try:
        yield pair
    finally:
        for side, snapshot in zip(pair.sides(), snapshots, strict=True):
            side.node.revert(snapshot)


def _indexers(p: Pair, target: str) -> tuple[Indexer, Indexer]:
    local, other = (Indexer.for_client(side.escrow, target) for side in p.sides())
    local.sync()
    other.sync()
    return local, other


def _rows_of(db: Any, chain_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every row one chain has in the index, its cursor included."""
    return {table: sorted(tuple(row) for row in db.execute(f"SELECT * FROM {table} WHERE chain_id = :chain",  # noqa: S608
                                                           {"chain": chain_id}))
            for table in (*EVENT_TABLES, "bounties", "tokens", "blocks", "chains")}


def test_two_chains_share_one_index_and_keep_their_bounties_apart(p: Pair, index_db: Any) -> None:
    local, other = _indexers(p, index_db())
    db = local.db
    chains = queries.chains(db)
    assert [(c.chain_id, c.chain_name, c.escrow) for c in chains] == [
        (OTHER, "chain 1337", p.other.escrow.address), (LOCAL, "Local dev chain", p.local.escrow.address)]
    assert [c.cursor for c in chains] == [p.other.node.w3.eth.block_number, p.local.node.w3.eth.block_number]
    assert queries.status(db).chain_id is None  # several chains: no single position
    assert queries.status(db, LOCAL).cursor == p.local.node.w3.eth.block_number

    listed = queries.bounties(db)
    assert [(b.chain_name, b.bounty_id, b.repo) for b in listed] == [
        ("Local dev chain", 2, "alpha/lib"), ("Local dev chain", 1, "alpha/app"), ("chain 1337", 1, "beta/tool")]
    assert [b.repo for b in queries.bounties(db, chain=OTHER)] == ["beta/tool"]
    assert queries.count_bounties(db, chain=LOCAL) == 2 and queries.count_bounties(db, chain=1) == 0

    with pytest.raises(queries.AmbiguousBounty, match="Local dev chain.*chain 1337|chain 1337.*Local dev chain"):
        queries.bounty(db, 1)
    on_other = queries.bounty(db, 1, chain=OTHER)
    assert on_other is not None and on_other.bounty.repo == "beta/tool" and on_other.bounty.total == ETHER // 2
    assert [(c.chain_id, c.uri) for c in on_other.claims] == [(OTHER, "https://github.com/beta/tool/pull/2")]
    on_local = queries.bounty(db, 1, chain=LOCAL)
    assert on_local is not None and on_local.bounty.total == ETHER and on_local.claims == []
    assert queries.bounty(db, 2).bounty.chain_id == LOCAL  # only one chain has it: no chain needed
    assert queries.bounty(db, 2, chain=OTHER) is None

    record = queries.sponsor_record(db, p.funder.address)
    assert sorted((t.chain_name, t.symbol, t.pledged, t.outstanding) for t in record.by_token) == [
        ("Local dev chain", "ETH", ETHER, ETHER), ("chain 1337", "ETH", ETHER // 2, ETHER // 2)]
    assert [(x.chain_id, x.bounty_id) for x in queries.funder_pledges(db, p.funder.address, chain=OTHER)] == [(OTHER, 1)]
    assert [c.chain_name for c in queries.hunter_record(db, p.other.hunter.address).claims] == ["chain 1337"]
    assert queries.hunter_record(db, p.other.hunter.address, chain=LOCAL).claims == []


def test_the_api_filters_by_chain_and_asks_which_chain_for_an_ambiguous_id(p: Pair, index_db: Any) -> None:
    _indexers(p, index_db())
    web = WebApp(None, index_db())
    server, base = _start(web)
    try:
        with httpx.Client(base_url=base, timeout=10) as http:
            info = http.get("/api/info").json()
            assert [(c["chain_id"], c["chain_name"], c["shorthand"], c["escrow"]) for c in info["chains"]] == [
                (OTHER, "chain 1337", "1337", p.other.escrow.address),
                (LOCAL, "Local dev chain", "local", p.local.escrow.address)]
            assert [c["chain_name"] for c in info["index"]["chains"]] == ["chain 1337", "Local dev chain"]

            every = http.get("/api/bounties").json()
            assert [(b["chain_id"], b["chain_name"], b["bounty_id"]) for b in every["bounties"]] == [
                (LOCAL, "Local dev chain", 2), (LOCAL, "Local dev chain", 1), (OTHER, "chain 1337", 1)]
            by_name = http.get("/api/bounties", params={"chain": "local"}).json()
            assert [b["repo"] for b in by_name["bounties"]] == ["alpha/lib", "alpha/app"] and by_name["count"] == 2
            by_id = http.get("/api/bounties", params={"chain": str(OTHER)}).json()
            assert [(b["repo"], [s["uri"] for s in b["solutions"]]) for b in by_id["bounties"]] == [
                ("beta/tool", ["https://github.com/beta/tool/pull/2"])]
            assert http.get("/api/bounties", params={"chain": "sepolia"}).json()["count"] == 0

            ambiguous = http.get("/api/bounties/1")
            assert ambiguous.status_code == 409
            assert ambiguous.json()["error"] == ("bounty 1 is on several chains of this index: chain 1337 (?chain=1337), "
                                                 "Local dev chain (?chain=local); add ?chain= to choose")
            chosen = http.get("/api/bounties/1", params={"chain": "1337"}).json()
            assert (chosen["bounty"]["repo"], chosen["bounty"]["chain_name"]) == ("beta/tool", "chain 1337")
            assert http.get("/api/bounties/1", params={"chain": "local"}).json()["bounty"]["repo"] == "alpha/app"
            assert http.get("/api/bounties/2").json()["bounty"]["chain_name"] == "Local dev chain"
            missing = http.get("/api/bounties/2", params={"chain": "1337"})
            assert missing.status_code == 404 and missing.json()["error"] == "bounty 2 is not in the index on chain 1337 (yet)"

            funder = http.get(f"/api/funders/{p.funder.address}").json()
            assert sorted((x["chain_name"], x["pledged"]) for x in funder["pledges"]) == [
                ("Local dev chain", str(ETHER)), ("chain 1337", str(ETHER // 2))]
            assert sorted((b["chain_name"], b["repo"]) for b in funder["recent"]) == [
                ("Local dev chain", "alpha/app"), ("chain 1337", "beta/tool")]
            history = http.get("/api/bounties/1/funding", params={"chain": "1337"}).json()["history"]
            assert [(h["kind"], h["amount"]) for h in history] == [("pledge", str(ETHER // 2))]
            assert http.get("/api/bounties/1/funding").status_code == 409
            assert http.get("/badge/1.svg").status_code == 409
            badge = http.get("/badge/1.svg", params={"chain": "local"})
            assert badge.status_code == 200 and "1 ETH" in badge.text
            only = http.get(f"/api/funders/{p.funder.address}", params={"chain": "local"}).json()
            assert [(x["chain_id"], x["bounty_id"]) for x in only["pledges"]] == [(LOCAL, 1)]
            hunter = http.get(f"/api/hunters/{p.other.hunter.address}", params={"chain": "local"}).json()
            assert hunter["claims"] == []
            assert http.get("/api/amount", params={"bounty": "1", "text": "0.1"}).status_code == 409
            amount = http.get("/api/amount", params={"bounty": "1", "text": "0.1", "chain": "1337"}).json()
            assert (amount["amount"], amount["symbol"]) == (str(ETHER // 10), "ETH")
            unknown = http.get("/api/bounties", params={"chain": "atlantis"})
            assert unknown.status_code == 400 and "1337 (chain 1337), local (Local dev chain)" in unknown.json()["error"]
            described = http.get("/openapi.json").json()["paths"]
            for path in ("/api/bounties", "/api/bounties/{bounty_id}", "/api/funders/{address}", "/api/hunters/{address}",
                         "/api/beneficiaries/{address}", "/api/amount"):
                assert "chain" in [x["name"] for x in described[path]["get"]["parameters"]], path
            assert "409" in described["/api/bounties/{bounty_id}"]["get"]["responses"]
    finally:
        server.shutdown()
        server.server_close()
        web.stop()


def test_a_reorganisation_on_one_chain_leaves_the_other_chains_rows_alone(p: Pair, index_db: Any) -> None:
    local, other = _indexers(p, index_db())
    untouched = _rows_of(local.db, OTHER)
    snapshot = p.local.node.snapshot()
    p.local.escrow.as_signer(p.funder).pledge(2, "2 ether")
    p.local.escrow.create_bounty("https://github.com/alpha/abandoned/issues/3", p.local.node.now() + DAY)
    local.sync()
    assert queries.count_bounties(local.db, chain=LOCAL) == 3
    p.local.node.revert(snapshot)
    p.local.escrow.as_signer(p.funder).pledge(1, "0.25 ether")  # another history from the fork on
    for _ in range(3):
        p.local.node._rpc("evm_mine", [])
    report = local.sync()
    assert report.rolled_back_to is not None
    assert [b.repo for b in queries.bounties(local.db, chain=LOCAL)] == ["alpha/lib", "alpha/app"]
    assert queries.totals(local.db, 1, chain=LOCAL)["total"] == ETHER + ETHER // 4
    assert _rows_of(local.db, OTHER) == untouched  # the other chain's rows, blocks and cursor as they were
    clean = Indexer.for_client(p.local.escrow, index_db("clean"))
    clean.sync()
    mine, theirs = _rows_of(local.db, LOCAL), _rows_of(clean.db, LOCAL)
    assert {t: r for t, r in mine.items() if t not in ("blocks", "chains")} == {
        t: r for t, r in theirs.items() if t not in ("blocks", "chains")}
    assert other.sync().ranges == 0


def test_the_writer_lock_is_per_chain(p: Pair, index_db: Any) -> None:
    local, other = _indexers(p, index_db())
    again = Indexer.for_client(p.local.escrow, index_db())
    with local.writing(), other.writing():  # two chains write side by side
        with pytest.raises(IndexBusy, match=r"another indexer is already writing to .*\(the rows of escrow "
                           + p.local.escrow.address + r" on Local dev chain\)"):
            again.sync()
    assert again.sync().ranges == 0


def _dead_url() -> str:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v3/SECRETKEY"


def _config(tmp_path: Path, p: Pair, db: str, other_url: str) -> Path:
    path = tmp_path / "chains.toml"
    path.write_text(f'''db = "{db}"

[[chain]]
chain = "local"
rpc_url_env = "LOCAL_RPC_URL"
escrow = "{p.local.escrow.address}"
from_block = {p.local.escrow.from_block}
log_range = 3

[[chain]]
chain = {OTHER}
rpc_url = "{other_url}"
''')
    return path


def test_one_chain_down_does_not_stop_the_other(p: Pair, index_db: Any, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("LOCAL_RPC_URL", p.local.node.url)
    monkeypatch.setenv("BOUNTYCHAIN_DEPLOYMENTS", str(p.registry_dir))  # the other chain's escrow: the registry's
    config = load_config(_config(tmp_path, p, index_db(), _dead_url()))
    db = open_index(index_db())
    errors: list[tuple[str, str, float | None]] = []
    stop = threading.Event()
    followers = follow_chains(config.chains, db, stop, interval=0.1,
                              on_error=lambda follower, reason, retry: errors.append((follower.name, reason, retry)))
    try:
        def indexed_to_head() -> bool:
            status = queries.status(db, LOCAL)
            return status.cursor is not None and status.cursor >= p.local.node.w3.eth.block_number

        _wait(indexed_to_head)
        p.local.escrow.create_bounty("https://github.com/alpha/later/issues/9", p.local.node.now() + DAY)
        _wait(indexed_to_head)  # the local chain keeps syncing while the other is down
        assert [b.repo for b in queries.bounties(db, chain=LOCAL)][0] == "alpha/later"
        assert queries.chains(db)[0].chain_id == LOCAL  # the other chain was never reached
        _wait(lambda: len(errors) >= 2)  # ... and is retried
    finally:
        stop.set()
        wait_for(followers)
        db.close()
    assert {name for name, _, _ in errors} == {"chain 1337"}
    assert all(reason.startswith("cannot reach 127.0.0.1:") and reason.endswith("connection refused (is the node running?)")
               and retry for _, reason, retry in errors), errors

    # The endpoint comes back (the URL now the other node's): it is indexed from the registry's escrow.
    config = load_config(_config(tmp_path, p, index_db(), p.other.node.url))
    db = open_index(index_db())
    followers = follow_chains(config.chains, db, threading.Event(), once=True)
    wait_for(followers)
    assert [(c.chain_id, c.escrow) for c in queries.chains(db)] == [(OTHER, p.other.escrow.address),
                                                                    (LOCAL, p.local.escrow.address)]
    assert [b.repo for b in queries.bounties(db, chain=OTHER)] == ["beta/tool"]
    db.close()


def _wait(condition: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_the_index_command_reads_the_file_and_names_the_chain_that_failed(p: Pair, tmp_path: Path) -> None:
    db = tmp_path / "several.sqlite3"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BOUNTYCHAIN_")},
           "LOCAL_RPC_URL": p.local.node.url, "BOUNTYCHAIN_DEPLOYMENTS": str(p.registry_dir),
           "BOUNTYCHAIN_ANVIL": find_anvil(), "PYTHONPATH": str(REPO)}
    config = _config(tmp_path, p, str(db), _dead_url())
    proc = subprocess.run([sys.executable, "-m", "bountychain.cli", "--json", "index", "--config", str(config)],
                          capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    report = json.loads(proc.stdout.splitlines()[0])
    assert (report["chain_name"], report["cursor"]) == ("Local dev chain", p.local.node.w3.eth.block_number)
    assert "chain 1337: cannot reach 127.0.0.1:" in proc.stderr and "not indexed: chain 1337" in proc.stderr
    assert "SECRETKEY" not in proc.stderr + proc.stdout
    index = open_index(db)
    assert [b.repo for b in queries.bounties(index)] == ["alpha/lib", "alpha/app"]
    index.close()

    both = _config(tmp_path, p, str(db), p.other.node.url)
    proc = subprocess.run([sys.executable, "-m", "bountychain.cli", "index", "--config", str(both)],
                          capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    # The other chain is indexed now; this one has no new block since the pass above.
    assert "chain 1337: indexed blocks" in proc.stdout
    assert "Local dev chain: the index is up to date at block" in proc.stdout


def test_serve_follows_every_chain_of_the_file_in_one_process(p: Pair, tmp_path: Path) -> None:
    db = tmp_path / "served.sqlite3"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BOUNTYCHAIN_")},
           "LOCAL_RPC_URL": p.local.node.url, "BOUNTYCHAIN_DEPLOYMENTS": str(p.registry_dir),
           "BOUNTYCHAIN_ANVIL": find_anvil(), "PYTHONPATH": str(REPO)}
    config = _config(tmp_path, p, str(db), p.other.node.url)
    proc = subprocess.Popen([sys.executable, "-m", "bountychain.cli", "--json", "serve", "--config", str(config),
                             "--port", "0", "--interval", "0.1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=tmp_path)
    try:
        started = json.loads(proc.stdout.readline())
        assert sorted(started["chains"]) == [OTHER, LOCAL] and started["url"].startswith("http://127.0.0.1:")
        with httpx.Client(base_url=started["url"], timeout=10) as http:
            listed = http.get("/api/bounties").json()["bounties"]
            assert sorted((b["chain_name"], b["repo"]) for b in listed) == [
                ("Local dev chain", "alpha/app"), ("Local dev chain", "alpha/lib"), ("chain 1337", "beta/tool")]
            # Both chains keep syncing in the background.
            p.other.escrow.create_bounty("https://github.com/beta/later/issues/5", p.other.node.now() + DAY)
            p.local.escrow.create_bounty("https://github.com/alpha/later/issues/6", p.local.node.now() + DAY)
            _wait(lambda: http.get("/api/bounties").json()["count"] == 5)
            status = http.get("/api/status").json()
            assert status["last_error"] is None and len(status["chains"]) == 2
    finally:
        proc.terminate()
        _, errors = proc.communicate(timeout=60)
    assert "Traceback" not in errors, errors


@pytest.mark.parametrize(("text", "words"), [
    ('[[chain]]\nrpc_url = "http://x:1"\nrpc_url_env = "X"\n', "give rpc_url_env"),
    ('[[chain]]\nrpc_url_env = "NOT_SET_ANYWHERE"\n', "NOT_SET_ANYWHERE (its RPC URL) is not set"),
    ('[[chain]]\nchain = "sepolia"\nrpc_url = "http://x:1"\nescrow = "0x' + "1" * 40 + '"\n',
     "[[chain]] number 1 (Sepolia): with an escrow address, give from_block"),
    ('[[chain]]\nrpc_url = "http://x:1"\nlog_range = 0\n', "log_range must be a whole number of at least 1"),
    ('[[chain]]\nrpc_url = "http://x:1"\nrpc = 1\n', "unknown setting rpc"),
    ('[[chain]]\nchain = "atlantis"\nrpc_url = "http://x:1"\n', "unknown network 'atlantis'"),
    ('[[chain]]\nchain = 1\nrpc_url = "http://x:1"\n[[chain]]\nchain = "mainnet"\nrpc_url = "http://y:1"\n',
     "a chain is listed twice"),
    ('db = "sqlite:///x"\n', "no [[chain]] entry"),
    ("[[chain]\n", "cannot read it as TOML"),
])
def test_a_configuration_mistake_is_named_with_its_entry(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "chains.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as raised:
        load_config(path, environ={})
    assert words in str(raised.value) and str(path) in str(raised.value)
