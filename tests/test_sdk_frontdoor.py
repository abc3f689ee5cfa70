"""The SDK as a Python developer first meets it (issue 15, problem 14): a bounty knows its
issue, accounts are accepted wherever an address is, deadlines may be timedeltas and amounts
Decimals (balances checked before and after), statuses read as words, the constructor is
documented, and `connect(rpc_url)` finds a deployment shipped inside the package."""

from __future__ import annotations

import inspect
import json
from dataclasses import asdict
from datetime import timedelta
from decimal import Decimal

import pytest

from bountychain import BountyClient, BountyStatus, InsufficientFunds, InvalidURI
from bountychain import deployments as registry
from tests.conftest import DAY, ISSUE, PR

ETHER = 10**18


def test_a_bounty_carries_its_issue_url_and_its_status_reads_as_a_word(world) -> None:
    sent_at = world.chain.w3.eth.get_block("latest").timestamp
    created = world.escrow.create_bounty("https://GITHUB.com/bountychain/toolkit/issues/7/", timedelta(days=3))
    bounty = world.escrow.bounty(created.bounty_id)
    assert bounty.issue_url == ISSUE == created.uri  # normalised once, on the way in
    # Three days from the chain's time: the SDK reads the latest block when it builds the
    # transaction, and the in-process chain stamps the next block with the wall clock, so on a
    # session chain idle for minutes the deadline lies between the two times plus three days.
    mined = world.chain.w3.eth.get_block(created.block_number).timestamp
    assert bounty.deadline == created.deadline
    assert sent_at + 3 * DAY <= bounty.deadline <= mined + 3 * DAY
    assert str(bounty.status) == "open" and f"{bounty.status}" == "open" and int(bounty.status) == 0
    assert str(BountyStatus.UNDER_REVIEW) == "under review"
    world.escrow.cancel(created.bounty_id)
    assert str(world.escrow.bounty(created.bounty_id).status) == "cancelled"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "https://example.com", PR,
                                 "https://github.com/bountychain/toolkit"])
def test_create_bounty_refuses_what_is_not_an_issue_and_sends_nothing(world, url: str) -> None:
    nonce = world.nonce(world.issuer)
    with pytest.raises(InvalidURI, match="issue_url"):
        world.escrow.create_bounty(url, timedelta(days=3))
    assert world.nonce(world.issuer) == nonce


def test_accounts_are_accepted_where_addresses_are(world) -> None:
    funder = world.funders[0]
    bounty_id = world.new_bounty()
    world.as_(funder).pledge(bounty_id, ETHER)
    assert world.escrow.pledge_of(bounty_id, funder) == world.escrow.pledge_of(bounty_id, funder.address)
    assert world.escrow.pledges(funder) == world.escrow.pledges(funder.address)
    assert world.escrow.balance_of(funder) == world.escrow.balance_of(funder.address)
    assert world.escrow.credit_of(funder) == 0


def test_decimal_amounts_are_whole_tokens_and_move_exactly_that(world) -> None:
    funder = world.funders[1]
    eth_bounty, usdc_bounty = world.new_bounty(), world.new_bounty("standard")
    usdc = world.token("standard")
    before_usdc = world.balance(funder, usdc)
    world.as_(funder).pledge(eth_bounty, Decimal("0.25"))
    world.as_(funder).pledge(usdc_bounty, Decimal("12.5"))
    assert world.escrow.pledge_of(eth_bounty, funder).amount == ETHER // 4
    assert world.escrow.pledge_of(usdc_bounty, funder).amount == 12_500_000
    assert world.balance(funder, usdc) == before_usdc - 12_500_000
    held = world.balance(funder, usdc)
    too_much = Decimal(held + 10**6).scaleb(-6)
    with pytest.raises(InsufficientFunds, match=rf"holds {Decimal(held).scaleb(-6).normalize():f} USDC, less than "
                                                rf"the {too_much.normalize():f} USDC needed"):
        world.as_(funder).pledge(usdc_bounty, too_much)


def test_extend_deadline_takes_a_timedelta_from_the_chains_time(world) -> None:
    bounty_id = world.new_bounty(days=2)
    extended = world.escrow.extend_deadline(bounty_id, timedelta(days=10))
    assert abs(extended.deadline - (world.chain.now() + 10 * DAY)) <= 5


def test_the_constructor_is_documented() -> None:
    doc = inspect.getdoc(BountyClient.__init__) or ""
    assert "connect" in doc and "escrow" in doc and "signer" in doc and "WrongChain" in doc


def test_connect_finds_a_deployment_shipped_in_the_package(world, tmp_path, monkeypatch) -> None:
    """The official registry is read from the package (here a copy standing in for it), not
    from the current directory, so a plain install connects with only an RPC URL."""
    if not hasattr(world.chain, "url"):
        pytest.skip("connect(rpc_url) needs an RPC URL: the anvil world")
    assert world.escrow.deployment is not None
    record = registry.record_for(world.escrow.chain_id, world.escrow.deployment, world.issuer.address)
    (tmp_path / f"{record.chain_id}.json").write_text(json.dumps(asdict(record)))
    monkeypatch.delenv("BOUNTYCHAIN_DEPLOYMENTS", raising=False)
    monkeypatch.chdir(tmp_path.parent)  # no ./deployments here
    monkeypatch.setattr(registry, "official_dir", lambda: tmp_path)
    client = BountyClient.connect(world.chain.url)
    assert client.address == world.escrow.address and client.from_block == record.block_number
