"""Private security reports: the commitment is the documented EIP-712 hash and binds the
bounty, hunter, chain and escrow; the envelope opens only with the security contact's key (or
the hunter's own); a revealed report verifies against its on-chain claim and nothing else; a
report claim is awarded like any claim; and neither the plaintext nor a key is ever sent."""

from __future__ import annotations

import json
import logging
import secrets
from datetime import UTC, datetime
from typing import Any

import ecies
import pytest
from eth_abi import encode as abi_encode
from eth_account import Account
from eth_utils import keccak
from hypothesis import given, settings
from hypothesis import strategies as st
from web3 import Web3
from web3.middleware import Web3Middleware

from bountychain.errors import InvalidReport, ReportNotVerified
from bountychain.github.render import PageLinks, status_body
from bountychain.index import Indexer, queries
from bountychain.reports import (
    ECIES_SCHEME,
    ReportBundle,
    SealedReport,
    commitment_of_uri,
    decrypt_report,
    is_report_uri,
    public_key_of,
    report_commitment,
    security_contact_of,
    with_security_contact,
)
from bountychain.devchain import AnvilNode
from bountychain.sdk import BountyClient
from tests.conftest import DAY, FEE_BPS, ISSUE

ETHER = 10**18
REPORT = b"SQL injection in /api/login: the 'user' field reaches the query unescaped.\n"
ESCROW = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
HUNTER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def _report_bounty(world: Any, contact: Any) -> int:
    """An ETH bounty whose URI names `contact`'s key as its security contact, funded with 1 ETH."""
    created = world.escrow.create_bounty(with_security_contact(ISSUE, public_key_of(contact)),
                                         world.chain.now() + 30 * DAY)
    world.as_(world.funders[0]).pledge(created.bounty_id, ETHER)
    return created.bounty_id


# --- the commitment, offline ------------------------------------------------------------------


def test_commitment_is_the_documented_eip712_hash_computed_independently() -> None:
    salt = bytes(range(32))
    domain_type = b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    domain = keccak(abi_encode(["bytes32", "bytes32", "bytes32", "uint256", "address"], [
        keccak(domain_type), keccak(b"Bountychain security report"), keccak(b"1"), 31337, ESCROW]))
    struct = keccak(abi_encode(["bytes32", "uint256", "address", "bytes32", "bytes32"], [
        keccak(b"SecurityReport(uint256 bountyId,address hunter,bytes32 salt,bytes report)"), 7, HUNTER, salt,
        keccak(REPORT)]))
    expected = keccak(b"\x19\x01" + domain + struct)
    assert report_commitment(chain_id=31337, escrow=ESCROW, bounty_id=7, hunter=HUNTER, salt=salt,
                             report=REPORT) == expected


FIELDS = {"chain_id": st.integers(1, 2**64), "bounty_id": st.integers(1, 2**40),
          "escrow": st.binary(min_size=20, max_size=20).map(lambda b: Web3.to_checksum_address(b)),
          "hunter": st.binary(min_size=20, max_size=20).map(lambda b: Web3.to_checksum_address(b)),
          "salt": st.binary(min_size=32, max_size=32), "report": st.binary(min_size=1, max_size=200)}


@settings(max_examples=60, deadline=None)
@given(base=st.fixed_dictionaries(FIELDS), changed=st.sampled_from(sorted(FIELDS)), data=st.data())
def test_changing_any_committed_field_changes_the_commitment(base: dict[str, Any], changed: str,
                                                             data: st.DataObject) -> None:
    other = data.draw(FIELDS[changed].filter(lambda value: value != base[changed]))
    assert report_commitment(**base) != report_commitment(**{**base, changed: other})


def test_the_contact_key_lives_in_the_bounty_uri_fragment_and_a_bad_one_is_refused() -> None:
    contact = Account.create()
    uri = with_security_contact(ISSUE, public_key_of(contact))
    assert uri.startswith(ISSUE + "#security-key=0x0") and len(uri) == len(ISSUE) + len("#security-key=") + 68
    assert security_contact_of(uri) == public_key_of(contact)
    assert security_contact_of(ISSUE) is None
    with pytest.raises(InvalidReport, match="not a secp256k1 public key"):
        security_contact_of(ISSUE + "#security-key=0x1234")
    with pytest.raises(InvalidReport, match="not a point on secp256k1"):
        security_contact_of(ISSUE + "#security-key=0x02" + "ff" * 32)
    with pytest.raises(InvalidReport, match="already has a #fragment"):
        with_security_contact(ISSUE + "#issuecomment-1", public_key_of(contact))


def test_report_uris_are_recognised_and_urls_are_not() -> None:
    commitment = secrets.token_bytes(32)
    assert commitment_of_uri("bountychain-report:v1:0x" + commitment.hex()) == commitment
    for uri in (ISSUE, "bountychain-report:v1:0x" + "ab" * 31, "bountychain-report:v2:0x" + "ab" * 32, ""):
        assert not is_report_uri(uri)


# --- on the chain -----------------------------------------------------------------------------


def test_a_submitted_report_is_a_claim_whose_uri_is_its_commitment_and_it_verifies(world) -> None:
    contact, hunter = world.chain.new_account(), world.hunters[0]
    bounty_id = _report_bounty(world, contact)
    submission = world.as_(hunter).submit_report(bounty_id, REPORT)
    claim = world.escrow.claims(bounty_id)[-1]
    assert (claim.claim_id, claim.hunter) == (submission.claim.claim_id, hunter.address)
    assert claim.uri == submission.envelope.uri == "bountychain-report:v1:0x" + submission.envelope.commitment.hex()
    opened = decrypt_report(SealedReport.from_json(submission.envelope.to_json()), contact)
    assert (opened.report, opened.claim_id) == (REPORT, claim.claim_id)
    checked = world.escrow.verify_report(ReportBundle.from_json(opened.to_json()))
    block = world.chain.w3.eth.get_block(submission.claim.block_number)
    assert (checked.claim_id, checked.hunter, checked.committed_at) == (claim.claim_id, hunter.address,
                                                                        block["timestamp"])
    assert checked.tx_hash == submission.claim.tx_hash


def test_the_envelope_opens_only_with_the_contacts_key_or_the_hunters(world) -> None:
    contact, hunter, stranger = world.chain.new_account(), world.hunters[0], world.outsider
    envelope = world.as_(hunter).submit_report(_report_bounty(world, contact), REPORT).envelope
    assert decrypt_report(envelope, contact).report == REPORT
    assert decrypt_report(envelope, hunter).report == REPORT  # so the hunter can reveal it later
    with pytest.raises(InvalidReport, match="neither this bounty's security contact"):
        decrypt_report(envelope, stranger)
    # The ciphertext itself: AES-GCM refuses any other key, and any changed byte.
    for wrong in (stranger, hunter):
        with pytest.raises(ValueError):
            ecies.decrypt(bytes(wrong.key), envelope.for_contact, ECIES_SCHEME)
    assert ecies.decrypt(bytes(contact.key), envelope.for_contact, ECIES_SCHEME)[32:] == REPORT
    tampered = bytearray(envelope.for_contact)
    tampered[-1] ^= 1
    with pytest.raises(InvalidReport, match="does not open with this key"):
        decrypt_report(SealedReport(**{**envelope.__dict__, "for_contact": bytes(tampered)}), contact)


def test_an_envelope_relabelled_for_another_bounty_or_hunter_does_not_open(world) -> None:
    contact, hunter = world.chain.new_account(), world.hunters[0]
    envelope = world.as_(hunter).submit_report(_report_bounty(world, contact), REPORT).envelope
    for change in ({"bounty_id": envelope.bounty_id + 1}, {"hunter": world.hunters[1].address},
                   {"chain_id": envelope.chain_id + 1}, {"escrow": world.escrow.review_contract.address}):
        with pytest.raises(InvalidReport, match="does not match its commitment"):
            decrypt_report(SealedReport(**{**envelope.__dict__, **change}), contact)


def test_a_changed_report_or_salt_fails_verification(world) -> None:
    contact, hunter = world.chain.new_account(), world.hunters[0]
    bundle = world.as_(hunter).submit_report(_report_bounty(world, contact), REPORT).bundle
    assert world.escrow.verify_report(bundle).claim_id == bundle.claim_id
    for change in ({"report": REPORT.replace(b"login", b"logout")}, {"report": REPORT + b" "},
                   {"salt": bytes(32)}):
        with pytest.raises(ReportNotVerified, match="differ from what was committed"):
            world.escrow.verify_report(ReportBundle(**{**bundle.__dict__, **change}))
    # A published bundle whose stated commitment no longer matches is refused as altered.
    published = json.loads(bundle.to_json())
    published["report"] = "0x" + (REPORT + b"!").hex()
    with pytest.raises(InvalidReport, match="altered"):
        ReportBundle.from_json(published)


def test_a_commitment_cannot_be_replayed_on_another_bounty_hunter_chain_or_escrow(world) -> None:
    contact, hunter, copier = world.chain.new_account(), world.hunters[0], world.hunters[1]
    bounty_a, bounty_b = _report_bounty(world, contact), _report_bounty(world, contact)
    bundle = world.as_(hunter).submit_report(bounty_a, REPORT).bundle
    # The same URI replayed as a claim on bounty B by the hunter, and on A by a copier.
    world.as_(hunter).submit_solution(bounty_b, bundle.uri)
    world.as_(copier).submit_solution(bounty_a, bundle.uri)
    for change in ({"bounty_id": bounty_b, "claim_id": None}, {"hunter": copier.address, "claim_id": None}):
        with pytest.raises(ReportNotVerified, match="differ from what was committed"):
            world.escrow.verify_report(ReportBundle(**{**bundle.__dict__, **change}))
    with pytest.raises(ReportNotVerified, match=f"committed for chain {world.chain.w3.eth.chain_id + 1}"):
        world.escrow.verify_report(ReportBundle(**{**bundle.__dict__, "chain_id": bundle.chain_id + 1}))
    # Another escrow on the same chain, where the same URI is replayed on the same bounty id.
    other = BountyClient.deploy(world.chain, world.issuer, poll_latency=0.005)
    while other.bounty_count() < bounty_a:
        other.create_bounty(ISSUE, world.chain.now() + 30 * DAY)
    other.as_signer(hunter).submit_solution(bounty_a, bundle.uri)
    with pytest.raises(ReportNotVerified, match="committed for the escrow"):
        other.verify_report(bundle)
    with pytest.raises(ReportNotVerified, match="differ from what was committed"):
        other.verify_report(ReportBundle(**{**bundle.__dict__, "escrow": other.address, "claim_id": None}))
    assert world.escrow.verify_report(bundle).hunter == hunter.address  # the original still holds


def test_a_report_is_sealed_only_to_the_key_the_bounty_named_and_nothing_is_sent_otherwise(world) -> None:
    contact, hunter = world.chain.new_account(), world.hunters[0]
    bounty_id = _report_bounty(world, contact)
    plain = world.escrow.create_bounty(ISSUE, world.chain.now() + 30 * DAY).bounty_id
    nonce = world.nonce(hunter)
    with pytest.raises(InvalidReport, match=f"bounty {plain} names no security contact key"):
        world.as_(hunter).submit_report(plain, REPORT)
    with pytest.raises(InvalidReport, match="encrypted only to the bounty's own key"):
        world.as_(hunter).submit_report(bounty_id, REPORT, contact_key=public_key_of(world.outsider))
    with pytest.raises(InvalidReport, match="non-empty bytes"):
        world.as_(hunter).submit_report(bounty_id, b"")
    assert world.nonce(hunter) == nonce
    given = world.as_(hunter).submit_report(bounty_id, REPORT, contact_key=public_key_of(contact))
    assert given.envelope.contact_key == public_key_of(contact)


def test_an_awarded_report_claim_pays_its_hunter(world) -> None:
    contact, hunter = world.chain.new_account(), world.hunters[0]
    bounty_id = _report_bounty(world, contact)
    world.as_(world.hunters[1]).submit_solution(bounty_id, "https://github.com/bountychain/toolkit/pull/9")
    claim_id = world.as_(hunter).submit_report(bounty_id, REPORT).claim.claim_id
    hunter_before, escrow_before = world.balance(hunter), world.balance(world.escrow.address)
    result = world.as_(world.issuer).award(bounty_id, {claim_id: 10_000})
    net = ETHER - ETHER * FEE_BPS // 10_000
    assert [(p.hunter, p.amount) for p in result.payouts] == [(hunter.address, net)]
    assert world.balance(hunter) == hunter_before + net
    assert world.balance(world.escrow.address) == escrow_before - net


def test_a_gasless_report_is_relayed_and_verifies_as_the_hunters(world) -> None:
    contact, hunter, relayer = world.chain.new_account(), world.hunters[2], world.outsider
    bounty_id = _report_bounty(world, contact)
    nonce = world.nonce(hunter)
    signed = world.as_(hunter).sign_report(bounty_id, REPORT)
    relayed = world.as_(relayer).relay_solution(signed.signed)
    assert (relayed.hunter, relayed.uri, world.nonce(hunter)) == (hunter.address, signed.envelope.uri, nonce)
    bundle = decrypt_report(signed.envelope, contact)
    assert bundle.claim_id is None
    assert world.escrow.verify_report(bundle).claim_id == relayed.claim_id


def test_neither_the_report_nor_a_key_is_sent_or_logged(world, caplog: pytest.LogCaptureFixture) -> None:
    """Every JSON-RPC request of a report's submission and verification is recorded (what
    web3 hands its provider, raw signed transactions included), as is every log record: none carries the plaintext (as text or hex), the salt, or a private key."""
    contact, hunter = world.chain.new_account(), world.hunters[0]
    bounty_id = _report_bounty(world, contact)
    sent: list[str] = []
    client = world.as_(hunter)

    class Recorder(Web3Middleware):
        def request_processor(self, method: Any, params: Any) -> Any:
            sent.append(f"{method} {Web3.to_json(params) if params else ''}")
            return method, params

    client.w3.middleware_onion.inject(Recorder, name="report-recorder", layer=0)
    caplog.set_level(logging.DEBUG)
    try:
        submission = client.submit_report(bounty_id, REPORT)
        client.verify_report(decrypt_report(submission.envelope, contact))
    finally:
        client.w3.middleware_onion.remove("report-recorder")
    assert any("eth_sendRawTransaction" in request for request in sent)
    everything = ("\n".join(sent) + "\n" + caplog.text + repr(submission)).lower()
    secrets_ = [REPORT.decode(), REPORT.hex(), submission.bundle.salt.hex(), bytes(contact.key).hex(),
                bytes(hunter.key).hex()]
    for secret in secrets_:
        assert secret.lower() not in everything
    # The transaction carries the commitment's URI, which is public.
    assert submission.envelope.uri.encode().hex() in Web3.to_hex(
        world.chain.w3.eth.get_transaction(submission.claim.tx_hash)["input"])


def test_the_index_shows_a_report_claim_as_a_private_report_with_its_commit_time(world, index_db: Any) -> None:
    contact, hunter = world.chain.new_account(), world.hunters[0]
    bounty_id = _report_bounty(world, contact)
    world.as_(world.hunters[1]).submit_solution(bounty_id, "https://github.com/bountychain/toolkit/pull/9")
    submission = world.as_(hunter).submit_report(bounty_id, REPORT)
    indexer = Indexer.for_client(world.escrow, index_db(), batch=3, confirmations=0)
    indexer.sync()
    claims = queries.bounty(indexer.db, bounty_id).claims
    block_time = world.chain.w3.eth.get_block(submission.claim.block_number)["timestamp"]
    assert [(c.claim_id, c.private_report, c.committed_at) for c in claims] == [(1, False, None),
                                                                                (2, True, block_time)]
    assert claims[1].uri == submission.envelope.uri
    # The hunter's record and the listing carry the same words, and nothing of the report.
    assert [c.private_report for c in queries.hunter_record(indexer.db, hunter.address).claims] == [True]
    key = (indexer.chain_id, indexer.escrow, bounty_id)
    listed = json.dumps([vars(c) for c in queries.claims_of(indexer.db, [key])[key]], default=str)
    assert REPORT.hex() not in listed and REPORT.decode()[:20] not in listed


def test_a_commitment_replayed_on_another_chain_at_the_same_escrow_address_does_not_verify(world) -> None:
    """The strongest replay: another chain (id 4242) where the same deployer's first
    transaction put an escrow at the same address, with the same bounty id and the same
    hunter registering the same URI. The chain id in the commitment's domain tells them apart."""
    contact, hunter = world.chain.new_account(), world.hunters[0]
    bounty_id = _report_bounty(world, contact)
    bundle = world.as_(hunter).submit_report(bounty_id, REPORT).bundle
    with AnvilNode(chain_id=4242) as other_chain:
        for account in (world.issuer, hunter):
            other_chain.w3.provider.make_request("anvil_setBalance", [account.address, hex(10 * ETHER)])
        other = BountyClient.deploy(other_chain, world.issuer, poll_latency=0.005)
        assert other.address == world.escrow.address and other.chain_id == 4242 != world.escrow.chain_id
        while other.bounty_count() < bounty_id:
            other.create_bounty(ISSUE, other_chain.now() + 30 * DAY)
        other.as_signer(hunter).submit_solution(bounty_id, bundle.uri)
        with pytest.raises(ReportNotVerified, match=f"committed for chain {world.escrow.chain_id}, this is chain 4242"):
            other.verify_report(bundle)
        with pytest.raises(ReportNotVerified, match="differ from what was committed"):
            other.verify_report(ReportBundle(**{**bundle.__dict__, "chain_id": 4242, "claim_id": None}))
    assert world.escrow.verify_report(bundle).claim_id == bundle.claim_id


def test_the_github_status_comment_names_a_report_claim_in_words(world, tmp_path) -> None:
    contact, hunter = world.chain.new_account(), world.hunters[0]
    bounty_id = _report_bounty(world, contact)
    submission = world.as_(hunter).submit_report(bounty_id, REPORT)
    indexer = Indexer.for_client(world.escrow, str(tmp_path / "index.sqlite3"), confirmations=0)
    indexer.sync()
    body = status_body(PageLinks("https://bounties.example"), world.escrow.chain_id,
                       [queries.bounty(indexer.db, bounty_id)], [], {})
    committed = world.chain.w3.eth.get_block(submission.claim.block_number)["timestamp"]
    assert f"claim 1 by {hunter.address[:6]}…{hunter.address[-4:]}, a private security report, committed " \
           f"{datetime.fromtimestamp(committed, UTC).strftime('%Y-%m-%d %H:%M UTC')}" in body
    assert "bountychain-report:v1" not in body
