"""The index against hostile chain data (issue 18, findings 1 and 10), on the in-process
chain and on anvil.

- The contract takes any bytes as a `string` URI. Real `createBounty`, `submitSolution` and
  `createFundraiser` transactions carry invalid UTF-8 (their calldata is built here: the ABI
  encoding of a `string` is that of `bytes`), and one carries valid UTF-8 that Python's URL
  parser refuses. Normal bounties and pledges follow. One sync must index every one of them
  and move past those blocks; the bad strings are stored with U+FFFD in place of the invalid
  bytes, next to the chain's own hash of the raw bytes.
- A node that ignores the address filter hands the index the logs of a second escrow on the
  same chain: none of them is indexed.
- A forged escrow log that cannot be decoded at all is skipped and recorded (its
  transaction hash and log index are logged), and the range is still committed.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from eth_abi import encode
from hypothesis import given
from hypothesis import strategies as st
from eth_utils import keccak
from hexbytes import HexBytes
from web3 import Web3
from web3.middleware import Web3Middleware

from bountychain import BountyClient, ReviewTerms, deploy_contract
from bountychain.index import Index, Indexer, open_index, queries
from tests.conftest import DAY, FEE_BPS, ISSUE, PR, deploy_mock

ETH_ADDRESS = "0x0000000000000000000000000000000000000000"

ETHER = 10**18
REPLACEMENT = "\ufffd"
# Invalid UTF-8: bytes that never start a sequence, a truncated sequence, a lone continuation
# byte, and an encoded surrogate (which a "surrogateescape" decoder would let through to
# SQLite, where it fails).
BAD_ISSUE = b"https://github.com/Hostile/Repo/issues/1\xff\xfe\xc3("
BAD_PR = b"https://github.com/Hostile/Repo/pull/2\x80"
BAD_PROJECT = b"https://example.org/\xed\xa0\x80project"
# Valid UTF-8 that urllib.parse refuses (an unclosed IPv6 bracket; a fullwidth solidus that
# NFKC folds to "/" in the host).
BRACKET_ISSUE = "https://[github.com/Org/Repo/issues/3"
NFKC_ISSUE = "https://exa\uff0fmple.org/Org/Repo/issues/4"


def lenient(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def send_raw(world: Any, signer: Any, signature: str, types: list[str], args: list[Any]) -> Any:
    """Signs and sends a call to the escrow from calldata built here (`bytes` for a string
    argument: the same encoding, without the text check); returns the mined receipt."""
    w3 = world.chain.w3
    data = keccak(text=signature)[:4] + encode(types, args)
    tip = 10**9
    tx = {
        "to": world.escrow.address, "data": data, "value": 0, "gas": 1_000_000, "chainId": int(w3.eth.chain_id),
        "nonce": w3.eth.get_transaction_count(signer.address, "pending"),
        "maxPriorityFeePerGas": tip, "maxFeePerGas": 2 * int(w3.eth.get_block("latest")["baseFeePerGas"]) + tip,
    }
    tx_hash = w3.eth.send_raw_transaction(signer.sign_transaction(tx).raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, poll_latency=0.005)
    assert receipt["status"] == 1, f"{signature} reverted"
    return receipt


def raw_bounty(world: Any, uri: bytes) -> int:
    send_raw(world, world.issuer, "createBounty(address,uint64,address,string)",
             ["address", "uint64", "address", "bytes"],
             [world.token("eth"), world.chain.now() + 30 * DAY, world.approver.address, uri])
    return world.escrow.bounty_count()


def raw_solution(world: Any, hunter: Any, bounty_id: int, uri: bytes) -> None:
    send_raw(world, hunter, "submitSolution(uint256,string)", ["uint256", "bytes"], [bounty_id, uri])


def raw_fundraiser(world: Any, uri: bytes) -> int:
    send_raw(world, world.issuer, "createFundraiser(address,address,uint256,uint64,bool,string)",
             ["address", "address", "uint256", "uint64", "bool", "bytes"],
             [world.outsider.address, world.token("eth"), ETHER, world.chain.now() + 30 * DAY, True, uri])
    return world.escrow.bounty_count()


def indexer_for(world: Any, db: str, w3: Web3 | None = None, **options: Any) -> Indexer:
    escrow = world.escrow
    return Indexer(w3 or escrow.w3, open_index(db), escrow.address, escrow.from_block, confirmations=0,
                   **options)


def rows(db: Index, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in db.execute(sql, params)]


# --- finding 1: one bad URI must not stop the index ---------------------------------------


def test_invalid_utf8_uris_are_indexed_flagged_and_the_sync_moves_on(world, index_db) -> None:
    f1, f2, _ = world.funders
    h1, h2, _ = world.hunters
    before = world.escrow.bounty_count()
    good = world.new_bounty()
    world.as_(f1).pledge(good, "1 ether")
    bad = raw_bounty(world, BAD_ISSUE)
    raw_solution(world, h1, bad, BAD_PR)
    world.as_(h2).submit_solution(bad, PR)
    raw_solution(world, h2, good, BAD_PR)
    fundraiser = raw_fundraiser(world, BAD_PROJECT)
    # Everything after the bad blocks must be indexed too.
    later = world.new_bounty()
    world.as_(f1).pledge(bad, "0.5 ether")
    world.as_(f2).pledge(later, "0.25 ether")
    world.as_(f2).pledge(fundraiser, "0.1 ether")
    head = world.chain.w3.eth.block_number

    indexer = indexer_for(world, index_db(), batch=3)  # several ranges, one of them starting at a bad block
    report = indexer.sync()
    assert report.cursor == head == indexer.cursor
    db = indexer.db

    ids = {good, bad, fundraiser, later}
    assert {s.bounty_id for s in queries.bounties(db)} >= ids
    assert len(queries.bounties(db)) == world.escrow.bounty_count()
    assert {row[0] for row in rows(db, "SELECT bounty_id FROM created")} >= ids - {fundraiser}

    # Stored as text with U+FFFD in place of each invalid sequence; the chain's hash of the
    # raw bytes is kept beside it, so the replacement can be proved.
    stored, uri_hash = rows(db, "SELECT uri, uri_hash FROM created WHERE bounty_id = :bounty_id", bounty_id=bad)[0]
    assert stored == lenient(BAD_ISSUE) and REPLACEMENT in stored
    assert stored.startswith("https://github.com/Hostile/Repo/issues/1")
    assert uri_hash == "0x" + keccak(BAD_ISSUE).hex() != "0x" + keccak(text=stored).hex()
    assert rows(db, "SELECT uri FROM fundraisers WHERE bounty_id = :bounty_id", bounty_id=fundraiser) == [(lenient(BAD_PROJECT),)]
    summary = queries.bounty(db, bad)
    assert summary is not None
    assert summary.bounty.uri == lenient(BAD_ISSUE) and summary.bounty.repo == "hostile/repo"
    assert [(c.hunter, c.uri) for c in summary.claims] == [(h1.address, lenient(BAD_PR)), (h2.address, PR)]
    assert [c.uri for c in queries.bounty(db, good).claims] == [lenient(BAD_PR)]

    # The pledges around and after the bad blocks, and the totals.
    pledged = {bounty_id: queries.bounty(db, bounty_id).bounty.pledged for bounty_id in ids}
    assert pledged == {good: ETHER, bad: ETHER // 2, fundraiser: ETHER // 10, later: ETHER // 4}
    for bounty_id in ids:
        assert queries.bounty(db, bounty_id).bounty.total == world.escrow.bounty(bounty_id).total
    assert before + 4 == world.escrow.bounty_count()

    # Idempotent: the next pass has nothing to do, and a new bounty is picked up.
    assert indexer.sync().events == 0
    newest = world.new_bounty()
    indexer.sync()
    assert queries.bounty(db, newest) is not None


def test_valid_text_that_the_url_parser_refuses_is_indexed(world, index_db) -> None:
    f1, _, _ = world.funders
    bracket = raw_bounty(world, BRACKET_ISSUE.encode())
    nfkc = raw_bounty(world, NFKC_ISSUE.encode())
    world.as_(f1).pledge(bracket, "0.2 ether")
    later = world.new_bounty()
    world.as_(f1).pledge(later, "0.1 ether")
    indexer = indexer_for(world, index_db())
    assert indexer.sync().cursor == world.chain.w3.eth.block_number
    for bounty_id, uri in ((bracket, BRACKET_ISSUE), (nfkc, NFKC_ISSUE)):
        summary = queries.bounty(indexer.db, bounty_id).bounty
        assert (summary.uri, summary.host, summary.repo) == (uri, "", "")  # kept as it is, no repository
    assert queries.bounty(indexer.db, bracket).bounty.pledged == ETHER // 5
    assert queries.bounty(indexer.db, later).bounty.repo == "bountychain/toolkit"


def test_chain_strings_decoding() -> None:
    from bountychain.chainstrings import decode_chain_string

    for raw in (b"", b"https://github.com/org/repo/issues/1", "caf\u00e9 \u2603".encode(), b"\x00\x1b[2J"):
        decoded = decode_chain_string(raw)
        assert (decoded.text, decoded.valid) == (raw.decode(), True)
    for raw in (BAD_ISSUE, BAD_PR, BAD_PROJECT, b"\xff" * 100):
        decoded = decode_chain_string(raw)
        assert decoded.valid is False
        assert decoded.text == lenient(raw) and REPLACEMENT in decoded.text
        decoded.text.encode("utf-8")  # always storable: no lone surrogates
        assert decoded.raw == raw


def test_the_lenient_decoder_matches_web3_on_every_valid_log(world) -> None:
    """On valid logs the index's own decoding gives exactly what web3's strict decoding
    gives (checksummed addresses, bytes32 as bytes, integers, booleans, lists)."""
    from bountychain.index.events import decode_log

    f1, f2, _ = world.funders
    h1, h2, _ = world.hunters
    bounty_id = world.new_bounty()
    world.as_(f1).pledge(bounty_id, "1 ether")
    world.as_(h1).submit_solution(bounty_id, PR)
    world.escrow.extend_deadline(bounty_id, world.chain.now() + 40 * DAY)
    world.escrow.cancel(bounty_id)
    world.as_(f1).refund(bounty_id)
    fundraiser = world.escrow.create_fundraiser(ISSUE, world.outsider.address, "1 ether",
                                                world.chain.now() + 30 * DAY).fundraiser_id
    world.as_(f1).pledge(fundraiser, "0.5 ether")
    awarded = world.new_bounty(approver=world.approver)
    world.as_(f2).pledge(awarded, "1 ether")
    claims = [world.as_(hunter).submit_solution(awarded, PR).claim_id for hunter in (h1, h2)]
    world.as_(world.approver).award(awarded, {claims[0]: 7_000, claims[1]: 3_000})
    world.as_(world.treasury).withdraw_fees(to=world.outsider.address)  # FeesWithdrawn
    # A winner that refuses ETH is credited (WinnerCredited, Credited), then withdraws its
    # credit to another address (Withdrawn with `to`); a beneficiary that refuses it too
    # (RaisedCredited).
    hostile = deploy_mock(world.chain, world.issuer, "HostileReceiver", world.escrow.address)
    world.send(world.issuer, hostile.functions.setMode(1))  # reverts on ETH
    credited = world.new_bounty()
    world.as_(f2).pledge(credited, "1 ether")
    contract = world.escrow.contract
    world.send(world.issuer, hostile.functions.execute(
        contract.address, 0, contract.functions.submitSolution(credited, PR)._encode_transaction_data()))
    owed = world.escrow.award(credited, {1: 10_000}).payouts[0].amount
    world.send(world.issuer, hostile.functions.execute(contract.address, 0, contract.functions.withdrawTo(
        ETH_ADDRESS, owed, world.outsider.address)._encode_transaction_data()))
    raising = world.escrow.create_fundraiser(ISSUE, hostile.address, "1 ether", world.chain.now() + DAY).fundraiser_id
    world.as_(f2).pledge(raising, "1 ether")
    # The review contract's events: a policy with an arbiter and a quorum, a proposal, an
    # objection that blocks it, the escalation to the plain arbiter, its decision for the
    # proposal and the finalization; and a proposal that every funder objected to, rejected
    # when finalized (unanimous).
    reviewed = world.escrow.create_bounty(ISSUE, world.chain.now() + 30 * DAY, review=ReviewTerms(
        review_window=DAY, quorum_bps=5_000, arbiter=world.approver.address, meta_evidence="ipfs://meta")).bounty_id
    world.as_(f1).pledge(reviewed, "1 ether")
    claim = world.as_(h1).submit_solution(reviewed, PR).claim_id
    world.escrow.propose(reviewed, {claim: 10_000})
    world.as_(f1).object(reviewed)
    world.as_(h1).escalate(reviewed)
    world.as_(world.approver).rule(reviewed, "pay")
    world.escrow.finalize(reviewed)
    unanimous = world.escrow.create_bounty(ISSUE, world.chain.now() + 30 * DAY,
                                           review=ReviewTerms(review_window=DAY)).bounty_id
    world.as_(f1).pledge(unanimous, "0.5 ether")
    claim = world.as_(h1).submit_solution(unanimous, PR).claim_id
    world.escrow.propose(unanimous, {claim: 10_000})
    world.as_(f1).object(unanimous)
    world.chain.set_next_block_timestamp(world.chain.now() + 2 * DAY)
    assert world.escrow.finalize(unanimous).rejected == "unanimous"
    world.as_(world.issuer).withdraw_raised(raising)
    names = set()
    for source in (contract, world.escrow.review_contract):  # each address decoded with its own ABI
        by_topic = {bytes.fromhex(event.topic[2:]): event for event in source.all_events()}
        logs = world.chain.w3.eth.get_logs({"address": source.address, "fromBlock": world.escrow.from_block})
        for log in logs:
            event = by_topic[bytes(log["topics"][0])]
            args, replaced = decode_log(event.abi, log)
            assert args == dict(event.process_log(log)["args"]), event.event_name
            assert replaced == []
            names.add(event.event_name)
    assert {"BountyCreated", "Pledged", "SolutionSubmitted", "DeadlineExtended", "Cancelled", "Refunded",
            "FundraiserCreated", "Awarded", "WinnerPaid", "WinnerCredited", "Credited", "Withdrawn", "FeesWithdrawn",
            "RaisedCredited", "ReviewPolicySet", "AwardProposed", "Objected", "ProposalBlocked", "DisputeRaised",
            "ProposalUpheld", "ProposalFinalized", "ProposalRejected", "MetaEvidence"} <= names, names


# --- finding 10: a node that ignores the address filter ----------------------------------


class IgnoresAddressFilter(Web3Middleware):
    """A lying node: eth_getLogs answers for every contract, whatever address was asked."""

    def request_processor(self, method: str, params: Any) -> Any:
        if method == "eth_getLogs":
            params = [{key: value for key, value in params[0].items() if key != "address"}]
        return method, params


def test_logs_of_another_contract_are_never_indexed(world, index_db) -> None:
    f1, f2, _ = world.funders
    h1, _, _ = world.hunters
    ours = world.new_bounty()
    world.as_(f1).pledge(ours, "1 ether")
    # A second escrow on the same chain, emitting the same events with the same ids.
    foreign = BountyClient.deploy(world.chain, world.outsider, fee_recipient=world.outsider.address,
                                  fee_bps=FEE_BPS, poll_latency=0.005)
    evil, evil_solution = "https://github.com/evil/phish/issues/1", "https://github.com/evil/phish/pull/1"
    now = world.chain.now()
    foreign_ids = [foreign.create_bounty(evil, now + 30 * DAY).bounty_id for _ in range(ours + 2)]
    foreign.as_signer(f2).pledge(foreign_ids[-1], "3 ether")
    foreign.as_signer(h1).submit_solution(foreign_ids[-1], evil_solution)
    foreign.create_fundraiser(evil, world.outsider.address, "1 ether", now + 30 * DAY)
    later = world.new_bounty()
    world.as_(f2).pledge(later, "0.5 ether")

    lying = Web3(world.chain.w3.provider)
    lying.middleware_onion.add(IgnoresAddressFilter, "ignores_address_filter")
    assert any(log["address"] == foreign.address  # the node does lie
               for log in lying.eth.get_logs({"address": world.escrow.address, "fromBlock": foreign.from_block}))
    indexer = indexer_for(world, index_db(), lying)
    report = indexer.sync()
    assert report.cursor == lying.eth.block_number
    db = indexer.db
    for table in ("created", "fundraisers"):
        assert not rows(db, f"SELECT * FROM {table} WHERE uri = :uri", uri=evil), table  # noqa: S608
    assert not rows(db, "SELECT * FROM claims WHERE uri = :uri", uri=evil_solution)
    assert not rows(db, "SELECT * FROM pledges WHERE amount = :amount", amount=str(3 * ETHER))
    listed = queries.bounties(db)
    assert len(listed) == world.escrow.bounty_count()
    assert all(s.uri != evil for s in listed)
    assert queries.bounty(db, later).bounty.pledged == ETHER // 2
    assert queries.bounty(db, ours).bounty.pledged == ETHER
    assert not rows(db, "SELECT * FROM fundraisers")


# --- a log that cannot be decoded at all -------------------------------------------------


def test_an_undecodable_log_is_skipped_recorded_and_the_range_committed(world, caplog, index_db) -> None:
    f1, _, _ = world.funders
    before = world.new_bounty()
    world.as_(f1).pledge(before, "1 ether")
    after = world.new_bounty()
    world.as_(f1).pledge(after, "0.5 ether")
    w3 = world.chain.w3
    created = w3.eth.get_logs({"address": world.escrow.address, "fromBlock": w3.eth.block_number - 1,
                               "toBlock": w3.eth.block_number - 1})[0]
    assert created["topics"][0] == keccak(text="BountyCreated(uint256,address,bytes32,address,address,uint64,string)")
    forged_hash = HexBytes(b"\x11" * 32)
    truncated = {**created, "data": HexBytes(bytes(created["data"])[:70]), "transactionHash": forged_hash,
                 "logIndex": 99}
    wrong_topics = {**created, "topics": created["topics"][:2], "transactionHash": forged_hash, "logIndex": 100}

    class ForgingNode(Indexer):
        def _get_logs(self, from_block: int, to_block: int) -> list[Any]:
            logs = super()._get_logs(from_block, to_block)
            if from_block <= created["blockNumber"] <= to_block:
                logs += [truncated, wrong_topics]
            return logs

    escrow = world.escrow
    indexer = ForgingNode(w3, open_index(index_db()), escrow.address, escrow.from_block, confirmations=0)
    with caplog.at_level(logging.WARNING, logger="bountychain.index"):
        report = indexer.sync()
    assert report.cursor == w3.eth.block_number
    assert report.skipped == 2
    db = indexer.db
    assert not rows(db, "SELECT * FROM created WHERE tx_hash = :tx_hash", tx_hash=forged_hash.to_0x_hex())
    assert queries.bounty(db, before).bounty.pledged == ETHER
    assert queries.bounty(db, after).bounty.pledged == ETHER // 2
    skipped = [record.getMessage() for record in caplog.records if forged_hash.to_0x_hex() in record.getMessage()]
    assert len(skipped) == 2 and "log index 99" in skipped[0] and "log index 100" in skipped[1]


# --- finding 5: a token's decimals ---------------------------------------------------------


def test_a_token_reporting_unusable_decimals_is_indexed_without_metadata(world, caplog, index_db) -> None:
    """255 decimals (ethers' formatUnits throws above 80, and no whole token fits a uint256
    above 77): stored as "?" with 0 decimals, amounts in base units; 77 is kept."""
    huge = deploy_contract(world.chain.w3, world.issuer, "TestToken", "Huge", "HUGE", 255)
    edge = deploy_contract(world.chain.w3, world.issuer, "TestToken", "Edge", "EDGE", 77)
    deadline = world.chain.now() + 30 * DAY
    huge_id = world.escrow.create_bounty(ISSUE, deadline, token=huge.address).bounty_id
    edge_id = world.escrow.create_bounty(ISSUE, deadline, token=edge.address).bounty_id
    later = world.new_bounty()
    indexer = indexer_for(world, index_db())
    with caplog.at_level(logging.WARNING, logger="bountychain.index"):
        assert indexer.sync().cursor == world.chain.w3.eth.block_number
    assert f"token {huge.address} reports 255 decimals" in caplog.text
    for bounty_id, expected in ((huge_id, ("?", 0)), (edge_id, ("EDGE", 77)), (later, ("ETH", 18))):
        summary = queries.bounty(indexer.db, bounty_id).bounty
        assert (summary.symbol, summary.decimals) == expected


def test_the_command_lines_log_reads_ignore_another_contracts_logs_too(world) -> None:
    """Finding 10 for the CLI's own log reads (`issue`, claims, `list --source chain`): through a
    node that ignores the address filter, a second escrow's events with the same ids are dropped."""
    from bountychain.cli._lookups import bounties_created, claims, issue_url

    ours = world.new_bounty()
    world.as_(world.hunters[0]).submit_solution(ours, PR)
    foreign = BountyClient.deploy(world.chain, world.outsider, poll_latency=0.005)
    evil = "https://github.com/evil/phish/issues/1"
    for _ in range(ours + 1):
        foreign_id = foreign.create_bounty(evil, world.chain.now() + 30 * DAY).bounty_id
        foreign.as_signer(world.hunters[1]).submit_solution(foreign_id, "https://github.com/evil/phish/pull/1")
    lying = Web3(world.chain.w3.provider)
    lying.middleware_onion.add(IgnoresAddressFilter, "ignores_address_filter")
    client = BountyClient(lying, world.escrow.address, from_block=world.escrow.from_block)
    assert issue_url(client, ours) == ISSUE
    assert [(c.claim_id, c.uri) for c in claims(client, ours)] == [(1, PR)]
    assert all(args["uri"] != evil for args in bounties_created(client))
    assert bounties_created(client, evil) == []


@given(kind=st.sampled_from(["address", "uint8", "uint40", "uint64", "uint256", "bool", "bytes32", "int256"]),
       word=st.one_of(st.binary(min_size=32, max_size=32),
                      st.integers(0, 2**256 - 1).map(lambda n: n.to_bytes(32, "big")),
                      st.integers(0, 2**70).map(lambda n: n.to_bytes(32, "big")),
                      st.binary(min_size=20, max_size=20).map(lambda b: bytes(12) + b)))
def test_the_fast_topic_decoder_agrees_with_eth_abi_on_every_word(kind: str, word: bytes) -> None:
    """`events.decode_log` reads indexed addresses and numbers without eth_abi: it must give the
    same value, and refuse the same words (non-zero padding, a number too wide for its type)."""
    from eth_abi import decode as abi_decode
    from eth_utils import to_checksum_address

    from bountychain.index.events import _topic_word

    try:
        expected: Any = abi_decode([kind], word)[0]
        expected = to_checksum_address(expected) if kind == "address" else expected
    except Exception:  # eth_abi refuses it
        with pytest.raises(Exception):  # noqa: B017 - eth_abi's and ours differ in type, not in refusing
            _topic_word({"name": "x", "type": kind}, kind, word, [])
        return
    assert _topic_word({"name": "x", "type": kind}, kind, word, []) == expected


# An event mixing words, strings and bytes in its data, as BountyCreated and SolutionSubmitted do.
_MIXED = {"name": "Mixed", "anonymous": False, "inputs": [
    {"name": "id", "type": "uint256", "indexed": True}, {"name": "who", "type": "address", "indexed": False},
    {"name": "uri", "type": "string", "indexed": False}, {"name": "at", "type": "uint64", "indexed": False},
    {"name": "blob", "type": "bytes", "indexed": False}, {"name": "flag", "type": "bool", "indexed": False}]}


def _outcome(decode: Any) -> Any:
    try:
        return decode()
    except Exception:  # noqa: BLE001 - eth_abi's and ours differ in type, not in refusing
        return "refused"


@given(who=st.binary(min_size=20, max_size=20), uri=st.binary(max_size=80), at=st.integers(0, 2**64 - 1),
       blob=st.binary(max_size=70), flag=st.booleans(),
       mutation=st.one_of(
           st.none(),
           st.tuples(st.just("byte"), st.integers(0, 400), st.integers(0, 255)),
           st.tuples(st.just("cut"), st.integers(0, 400)),
           st.tuples(st.just("append"), st.binary(min_size=1, max_size=40)),
           st.tuples(st.just("word"), st.integers(0, 4), st.integers(0, 2**256 - 1))))
def test_the_canonical_data_reader_agrees_with_eth_abi(who: bytes, uri: bytes, at: int, blob: bytes, flag: bool,
                                                        mutation: Any) -> None:
    """The sync reads a log's data itself when it is the canonical encoding of words, strings and
    bytes (`events._read_canonical`), else through eth_abi. Both give the same arguments for
    every encoding, canonical or altered (a byte changed, cut short, bytes appended, an offset or
    length word replaced), and refuse the same ones."""
    from dataclasses import replace

    from bountychain.index.events import decode_planned, event_plan

    data = bytearray(encode(["address", "bytes", "uint64", "bytes", "bool"], [who, uri, at, blob, flag]))
    if mutation is not None and mutation[0] == "byte" and mutation[1] < len(data):
        data[mutation[1]] = mutation[2]
    elif mutation is not None and mutation[0] == "cut":
        data = data[:mutation[1]]
    elif mutation is not None and mutation[0] == "append":
        data += mutation[1]
    elif mutation is not None and mutation[0] == "word":
        data[32 * mutation[1]:32 * mutation[1] + 32] = mutation[2].to_bytes(32, "big")
    log = {"topics": ["0x" + "11" * 32, "0x" + (7).to_bytes(32, "big").hex()], "data": "0x" + bytes(data).hex()}
    plan = event_plan(_MIXED)
    assert plan.readable
    fast = _outcome(lambda: decode_planned(plan, log))
    assert fast == _outcome(lambda: decode_planned(replace(plan, readable=False), log))  # eth_abi throughout
    if mutation is None:
        assert fast[0]["uri"] == uri.decode("utf-8", errors="replace") and fast[0]["blob"] == blob
