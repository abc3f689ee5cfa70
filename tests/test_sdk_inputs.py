"""Bad input raises a clear error before any transaction is sent.

Every case asserts the specific exception class, that the signer's nonce did not move and
that no block was mined while the SDK refused (so nothing was sent by anyone), and, for
`ContractError`s raised in advance, that they carry no transaction hash and the bounty id.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Callable

import pytest
from web3 import Web3

from bountychain import (
    ETH,
    AnvilNode,
    BountyClient,
    BountyClosed,
    BountyNotFound,
    ContractError,
    InsufficientFunds,
    InvalidAddress,
    InvalidAmount,
    InvalidDeadline,
    InvalidInput,
    InvalidShares,
    InvalidURI,
    NoSigner,
    NotAuthorized,
    NothingToPay,
    WrongChain,
)
from bountychain.words import utc
from tests.conftest import DAY, ISSUE, PR

TWO_YEARS = 730 * DAY
USDC = 10**6
EIP55_EXAMPLE = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"


def refused(world, account, exc_type: type[Exception], action: Callable[[], Any]) -> Exception:
    """Runs `action`, which must raise `exc_type` without sending anything; returns the error."""
    w3 = world.chain.w3
    nonce_before = world.nonce(account) if account is not None else None
    pending_before = w3.eth.get_transaction_count(account.address, "pending") if account is not None else None
    block_before = w3.eth.block_number
    with pytest.raises(exc_type) as raised:
        action()
    if account is not None:
        assert world.nonce(account) == nonce_before, "a transaction was sent"
        assert w3.eth.get_transaction_count(account.address, "pending") == pending_before
    assert w3.eth.block_number == block_before, "a block was mined while refusing"
    error = raised.value
    if isinstance(error, ContractError):
        assert error.tx_hash is None, "refused before sending, so there is no transaction"
        assert "tx 0x" not in str(error)
    return error


def flip_one_letter(address: str) -> str:
    """The address with one hex letter's case flipped, so that it stays mixed-case (an
    all-lowercase result would be a valid unchecksummed address)."""
    body = address[2:]
    lower = [i for i, ch in enumerate(body) if ch in "abcdef"]
    upper = [i for i, ch in enumerate(body) if ch in "ABCDEF"]
    if lower:
        i = lower[0]
        flipped = body[:i] + body[i].upper() + body[i + 1:]
    else:
        assert len(upper) >= 2, f"cannot make a mixed-case typo of {address}"
        i = upper[0]
        flipped = body[:i] + body[i].lower() + body[i + 1:]
    return "0x" + flipped


def bounty_with_claims(world, *, approver=None, claims: int = 2, pledge: int = 10**18) -> int:
    """An ETH bounty with a pledge from funder 0 and `claims` solutions from the hunters."""
    bounty_id = world.new_bounty(approver=approver)
    world.as_(world.funders[0]).pledge(bounty_id, pledge)
    for hunter in world.hunters[:claims]:
        world.as_(hunter).submit_solution(bounty_id, PR)
    return bounty_id


# --- addresses -----------------------------------------------------------------------------


def test_flip_one_letter_makes_an_invalid_checksum() -> None:
    typo = flip_one_letter(EIP55_EXAMPLE)
    assert typo.lower() == EIP55_EXAMPLE.lower() and typo != EIP55_EXAMPLE
    assert not Web3.is_checksum_address(typo) and typo != typo.lower()


@pytest.mark.parametrize("approver", ["0x123", "not an address", 42, "0x" + "g" * 40, EIP55_EXAMPLE[:-1],
                                      EIP55_EXAMPLE + "00", b"\x00" * 20])
def test_create_bounty_with_malformed_approver_raises_invalid_address(world, approver) -> None:
    error = refused(world, world.issuer, InvalidAddress, lambda: world.escrow.create_bounty(
        ISSUE, world.chain.now() + DAY, approver=approver))
    assert repr(approver) in str(error)
    assert "approver" in str(error)


@pytest.mark.parametrize("source", ["eip55-example", "world-approver"])
def test_create_bounty_with_bad_checksum_approver_raises_invalid_address(world, source) -> None:
    good = EIP55_EXAMPLE if source == "eip55-example" else world.approver.address
    typo = flip_one_letter(good)
    error = refused(world, world.issuer, InvalidAddress, lambda: world.escrow.create_bounty(
        ISSUE, world.chain.now() + DAY, approver=typo))
    assert typo in str(error)
    assert "checksum" in str(error)


def test_create_bounty_accepts_lowercase_approver_address(world) -> None:
    # Control for the checksum cases: an unchecksummed (all-lowercase) address is fine.
    created = world.escrow.create_bounty(ISSUE, world.chain.now() + DAY, approver=world.approver.address.lower())
    assert created.approver == world.approver.address


@pytest.mark.parametrize("approver", [0, "", False], ids=repr)
def test_create_bounty_with_falsy_non_address_approver_raises_invalid_address(world, approver) -> None:
    # Only None means "the issuer approves"; a falsy non-address is a mistake, not a default.
    refused(world, world.issuer, InvalidAddress, lambda: world.escrow.create_bounty(
        ISSUE, world.chain.now() + DAY, approver=approver))


def test_create_bounty_with_eoa_token_raises_invalid_address(world) -> None:
    token = world.outsider.address
    error = refused(world, world.issuer, InvalidAddress, lambda: world.escrow.create_bounty(
        ISSUE, world.chain.now() + DAY, token=token))
    assert token in str(error)


@pytest.mark.parametrize("token", ["0x123", "USDC", None, 7])
def test_create_bounty_with_malformed_token_raises_invalid_address(world, token) -> None:
    error = refused(world, world.issuer, InvalidAddress, lambda: world.escrow.create_bounty(
        ISSUE, world.chain.now() + DAY, token=token))
    assert repr(token) in str(error)


def test_create_bounty_with_bad_checksum_token_raises_invalid_address(world) -> None:
    typo = flip_one_letter(world.token("standard"))
    refused(world, world.issuer, InvalidAddress, lambda: world.escrow.create_bounty(
        ISSUE, world.chain.now() + DAY, token=typo))


@pytest.mark.parametrize("token", ["0x123", flip_one_letter(EIP55_EXAMPLE)])
def test_withdraw_with_malformed_token_raises_invalid_address(world, token) -> None:
    refused(world, world.hunters[0], InvalidAddress, lambda: world.as_(world.hunters[0]).withdraw(token))


# --- amounts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount",
    # A Decimal is whole tokens (Decimal("0.5") is half an ether): refused when negative, not a
    # number, zero, or finer than the token's decimals.
    [0, -1, -(10**18), 1.5, 1.0, float("nan"), True, False, None, Decimal("-1"), Decimal("NaN"), Decimal("0"),
     Decimal("1e-19"), b"1", "0 ether", "0", "-1 ether", "abc", ""],
)
def test_pledge_with_invalid_amount_raises_invalid_amount(world, amount) -> None:
    bounty_id = world.new_bounty()
    funder = world.funders[0]
    error = refused(world, funder, InvalidAmount, lambda: world.as_(funder).pledge(bounty_id, amount))
    assert isinstance(error, ValueError)


@pytest.mark.parametrize(("amount", "shown"), [(-1, "-1"), (1.5, "1.5"), (True, "True"), ("-1 ether", "-1")])
def test_invalid_amount_message_names_the_amount(world, amount, shown) -> None:
    bounty_id = world.new_bounty()
    funder = world.funders[0]
    error = refused(world, funder, InvalidAmount, lambda: world.as_(funder).pledge(bounty_id, amount))
    assert shown in str(error)


@pytest.mark.parametrize(
    ("kind", "amount", "shown"),
    [
        ("eth", "1 BTC", "BTC"),
        ("eth", "1 USDC", "USDC"),
        ("standard", "1 ether", "ether"),
        ("standard", "1 gwei", "gwei"),
        ("standard", "1 DAI", "DAI"),
        ("standard", "0.0000001 USDC", "decimal places"),
        ("eth", "0.0000000000000000001 ether", "decimal places"),
        ("eth", "1 ether please", "unit"),
    ],
)
def test_pledge_with_wrong_unit_or_precision_raises_invalid_amount(world, kind, amount, shown) -> None:
    bounty_id = world.new_bounty(kind)
    funder = world.funders[0]
    token = world.token(kind)
    allowance_before = world.tokens["standard"].functions.allowance(funder.address, world.escrow.address).call()
    error = refused(world, funder, InvalidAmount, lambda: world.as_(funder).pledge(bounty_id, amount))
    assert shown in str(error)
    assert world.escrow.pledge_of(bounty_id, funder.address).amount == 0
    if token != ETH:  # no approval was sent first
        assert world.tokens["standard"].functions.allowance(
            funder.address, world.escrow.address).call() == allowance_before


# --- deadlines -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "offset",
    [-DAY, -1, 0, 1, TWO_YEARS + 1, TWO_YEARS + DAY],
    ids=["a-day-ago", "one-second-ago", "equal-to-chain-time", "next-block-time", "two-years-and-a-second",
         "two-years-and-a-day"],
)
def test_create_bounty_with_deadline_outside_window_raises_invalid_deadline(world, offset) -> None:
    now = world.chain.now()
    deadline = now + offset
    error = refused(world, world.issuer, InvalidDeadline, lambda: world.escrow.create_bounty(ISSUE, deadline))
    assert utc(deadline) in str(error) and str(deadline) not in str(error)  # a date, not a timestamp
    assert ("two years" in str(error)) == (offset > TWO_YEARS)


@pytest.mark.parametrize(
    "deadline",
    [
        "naive-datetime",
        "2030-01-01",
        1.5e9,
        True,
        None,
    ],
)
def test_create_bounty_with_deadline_of_wrong_type_raises_invalid_deadline(world, deadline) -> None:
    if deadline == "naive-datetime":
        deadline = datetime.fromtimestamp(world.chain.now() + DAY, tz=timezone.utc).replace(tzinfo=None)
    error = refused(world, world.issuer, InvalidDeadline, lambda: world.escrow.create_bounty(ISSUE, deadline))
    if isinstance(deadline, datetime):
        assert "time zone" in str(error)


def test_create_bounty_with_aware_datetime_deadline_is_accepted(world) -> None:
    # Control for the naive-datetime case.
    deadline = datetime.fromtimestamp(world.chain.now(), tz=timezone.utc) + timedelta(days=1)
    created = world.escrow.create_bounty(ISSUE, deadline)
    assert created.deadline == int(deadline.timestamp())


@pytest.mark.parametrize("offset", [0, -1, -DAY], ids=["equal", "one-second-earlier", "a-day-earlier"])
def test_extend_deadline_not_later_than_current_raises_invalid_deadline(world, offset) -> None:
    bounty_id = world.new_bounty()
    current = world.escrow.bounty(bounty_id).deadline
    error = refused(world, world.issuer, InvalidDeadline,
                    lambda: world.escrow.extend_deadline(bounty_id, current + offset))
    assert utc(current + offset) in str(error) and utc(current) in str(error)
    assert world.escrow.bounty(bounty_id).deadline == current


def test_extend_deadline_more_than_two_years_ahead_raises_invalid_deadline(world) -> None:
    bounty_id = world.new_bounty()
    too_far = world.chain.now() + TWO_YEARS + DAY
    error = refused(world, world.issuer, InvalidDeadline, lambda: world.escrow.extend_deadline(bounty_id, too_far))
    assert "two years" in str(error)


def test_extend_deadline_with_naive_datetime_raises_invalid_deadline(world) -> None:
    bounty_id = world.new_bounty()
    naive = datetime.fromtimestamp(world.escrow.bounty(bounty_id).deadline + DAY, tz=timezone.utc).replace(tzinfo=None)
    refused(world, world.issuer, InvalidDeadline, lambda: world.escrow.extend_deadline(bounty_id, naive))


# --- bounty ids ----------------------------------------------------------------------------

# Each operation as (who signs, how to call it with a bounty id).
OPERATIONS: dict[str, tuple[str, Callable[[Any, BountyClient, Any], Any]]] = {
    "pledge": ("funder", lambda world, client, bid: client.pledge(bid, 10**18)),
    "submit_solution": ("hunter", lambda world, client, bid: client.submit_solution(bid, PR)),
    "award": ("issuer", lambda world, client, bid: client.award(bid, {1: 10_000})),
    "refund": ("funder", lambda world, client, bid: client.refund(bid)),
    "cancel": ("issuer", lambda world, client, bid: client.cancel(bid)),
    "extend_deadline": ("issuer", lambda world, client, bid: client.extend_deadline(bid, world.chain.now() + DAY)),
}


def signer_for(world, role: str):
    return {"funder": world.funders[0], "hunter": world.hunters[0], "issuer": world.issuer}[role]


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_operation_on_unknown_bounty_raises_bounty_not_found(world, operation) -> None:
    role, call = OPERATIONS[operation]
    signer = signer_for(world, role)
    client = world.as_(signer)
    error = refused(world, signer, BountyNotFound, lambda: call(world, client, 999))
    assert isinstance(error, LookupError)
    assert error.bounty_id == 999
    assert error.error_name == "UnknownBounty"
    assert error.args_by_name["bountyId"] == 999
    assert "999" in str(error)


def test_reading_unknown_bounty_raises_bounty_not_found(world) -> None:
    with pytest.raises(LookupError) as raised:
        world.escrow.bounty(world.escrow.bounty_count() + 1)
    assert isinstance(raised.value, BountyNotFound)


@pytest.mark.parametrize("bounty_id", [0, -1, "1", True, 1.0, None, 2**256], ids=repr)
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_operation_with_malformed_bounty_id_raises_invalid_input(world, operation, bounty_id) -> None:
    world.new_bounty()  # bounty 1 exists, so "1" / True / 1.0 could be confused with it
    role, call = OPERATIONS[operation]
    signer = signer_for(world, role)
    client = world.as_(signer)
    error = refused(world, signer, InvalidInput, lambda: call(world, client, bounty_id))
    assert not isinstance(error, ContractError)
    assert repr(bounty_id) in str(error)


def test_reading_bounty_id_beyond_uint256_raises_invalid_input(world) -> None:
    # Not web3's MismatchedABI from the ABI encoder.
    with pytest.raises(InvalidInput, match="2\\*\\*256"):
        world.escrow.bounty(2**256)


# --- URLs ----------------------------------------------------------------------------------

BAD_URLS = ["", "github.com/x", " https://x.org/1", "https://x.org/1 ", "https://x.org/1\n", "https://",
            "not a url", None, 42]


@pytest.mark.parametrize("url", BAD_URLS, ids=repr)
def test_create_bounty_with_bad_issue_url_raises_invalid_uri(world, url) -> None:
    error = refused(world, world.issuer, InvalidURI,
                    lambda: world.escrow.create_bounty(url, world.chain.now() + DAY))
    assert repr(url) in str(error)
    assert "issue_url" in str(error)


@pytest.mark.parametrize("url", BAD_URLS, ids=repr)
def test_submit_solution_with_bad_url_raises_invalid_uri(world, url) -> None:
    bounty_id = world.new_bounty()
    hunter = world.hunters[0]
    error = refused(world, hunter, InvalidURI, lambda: world.as_(hunter).submit_solution(bounty_id, url))
    assert repr(url) in str(error)
    assert world.escrow.bounty(bounty_id).claim_count == 0



@pytest.mark.parametrize("url", ["https://github.com/org/repo/issues/2", "https://gitlab.com/group/sub/app/-/issues/7",
                                 "https://codeberg.org/org/repo/issues/3"])
def test_an_issue_given_as_a_solution_is_refused_and_nothing_is_sent(world, url) -> None:
    """An issue is what a bounty funds, not what solves it: submitting one, bonded, or as a
    signed solution for a relayer, is refused before anything is signed."""
    bounty_id = world.new_bounty()
    hunter = world.hunters[0]
    for submit in (lambda: world.as_(hunter).submit_solution(bounty_id, url),
                   lambda: world.as_(hunter).submit_solutions([(bounty_id, url)]),
                   lambda: world.as_(hunter).sign_solution(bounty_id, url)):
        error = refused(world, hunter, InvalidURI, submit)
        assert "is an issue" in str(error) and "not a solution" in str(error) and "pull request or commit" in str(error)
    assert world.escrow.bounty(bounty_id).claim_count == 0
    # A pull request, a commit or a patch anywhere else is a solution.
    for solution in ("https://github.com/org/repo/pull/2", "https://github.com/org/repo/commit/0123abc",
                     "https://lists.example.org/patch/2"):
        world.as_(hunter).submit_solution(bounty_id, solution)
    assert world.escrow.bounty(bounty_id).claim_count == 3

# --- award shares --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shares", "shown"),
    [
        ({}, "at least one"),
        ([], "at least one"),
        ({1: 9999}, "9999"),
        ({1: 5001, 2: 5000}, "10001"),
        ({1: 10_000, 2: 0}, "share 0"),
        ({1: 10_001, 2: -1}, "share -1"),
        ({1: 10_000.0}, "10000.0"),
        ({0: 10_000}, "claim id 0"),
        ({-1: 10_000}, "claim id -1"),
        ({True: 10_000}, "True"),
        ({3: 10_000}, "claim 3"),
        ({1: 5000, 3: 5000}, "claim 3"),
        ([(1, 5000), (1, 5000)], "repeat"),
        ([(2, 2500), (1, 5000), (2, 2500)], "repeat"),
    ],
    ids=["empty-mapping", "empty-list", "sum-9999", "sum-10001", "zero-share", "negative-share", "float-share",
         "claim-id-0", "negative-claim-id", "bool-claim-id", "claim-beyond-count", "one-claim-beyond-count",
         "duplicate-claim", "duplicate-claim-not-adjacent"],
)
def test_award_with_bad_shares_raises_invalid_shares(world, shares, shown) -> None:
    bounty_id = bounty_with_claims(world)
    error = refused(world, world.issuer, InvalidShares, lambda: world.escrow.award(bounty_id, shares))
    assert shown in str(error)
    assert world.escrow.bounty(bounty_id).status.name == "OPEN"


def test_award_with_valid_shares_as_list_of_tuples_is_accepted(world) -> None:
    # Control for the shares cases: the same bounty, correctly shared, is awarded.
    bounty_id = bounty_with_claims(world)
    result = world.escrow.award(bounty_id, [(2, 2500), (1, 7500)])
    assert [p.claim_id for p in result.payouts] == [2, 1]


# --- who may do what -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "issuer", "hunter"])
def test_award_by_non_approver_raises_not_authorized(world, who) -> None:
    bounty_id = bounty_with_claims(world, approver=world.approver, claims=1)
    account = {"outsider": world.outsider, "issuer": world.issuer, "hunter": world.hunters[0]}[who]
    error = refused(world, account, NotAuthorized, lambda: world.as_(account).award(bounty_id, {1: 10_000}))
    assert isinstance(error, PermissionError)
    assert error.error_name == "NotApprover"
    assert error.bounty_id == bounty_id
    assert error.args_by_name["caller"] == account.address
    assert account.address in str(error) and f"bounty {bounty_id}" in str(error)
    # The approver itself may award it.
    world.as_(world.approver).award(bounty_id, {1: 10_000})


@pytest.mark.parametrize("operation", ["cancel", "extend_deadline"])
@pytest.mark.parametrize("who", ["approver", "outsider"])
def test_issuer_only_operation_by_non_issuer_raises_not_authorized(world, operation, who) -> None:
    bounty_id = world.new_bounty(approver=world.approver)
    account = world.approver if who == "approver" else world.outsider
    client = world.as_(account)
    deadline = world.escrow.bounty(bounty_id).deadline
    action = {
        "cancel": lambda: client.cancel(bounty_id),
        "extend_deadline": lambda: client.extend_deadline(bounty_id, deadline + DAY),
    }[operation]
    error = refused(world, account, NotAuthorized, action)
    assert isinstance(error, PermissionError)
    assert error.error_name == "NotIssuer"
    assert error.bounty_id == bounty_id and error.args_by_name["caller"] == account.address
    bounty = world.escrow.bounty(bounty_id)
    assert bounty.status.name == "OPEN" and bounty.deadline == deadline


# --- funds ---------------------------------------------------------------------------------


def test_pledge_more_eth_than_held_raises_insufficient_funds(world) -> None:
    bounty_id = world.new_bounty()
    poor = world.chain.new_account(wei=10**15)
    error = refused(world, poor, InsufficientFunds, lambda: world.as_(poor).pledge(bounty_id, "1 ether"))
    assert poor.address in str(error)
    assert "holds 0.001 ETH" in str(error) and "the 1 ETH to send" in str(error)
    assert world.balance(poor) == 10**15


def test_pledge_tokens_not_held_raises_insufficient_funds(world) -> None:
    bounty_id = world.new_bounty("standard")
    token = world.tokens["standard"]
    outsider = world.outsider
    assert token.functions.balanceOf(outsider.address).call() == 0
    error = refused(world, outsider, InsufficientFunds, lambda: world.as_(outsider).pledge(bounty_id, "1 USDC"))
    assert "holds 0 USDC, less than the 1 USDC needed" in str(error) and str(10**6) not in str(error)
    # Not even the approval was sent.
    assert token.functions.allowance(outsider.address, world.escrow.address).call() == 0


def test_pledge_of_whole_eth_balance_leaving_nothing_for_gas_raises_insufficient_funds(world) -> None:
    bounty_id = world.new_bounty()
    poor = world.chain.new_account(wei=10**15)
    error = refused(world, poor, InsufficientFunds, lambda: world.as_(poor).pledge(bounty_id, 10**15))
    assert poor.address in str(error) and "gas" in str(error)
    assert world.balance(poor) == 10**15


def test_token_pledge_by_signer_without_eth_for_gas_raises_insufficient_funds(world) -> None:
    bounty_id = world.new_bounty("standard")
    token = world.tokens["standard"]
    broke = world.chain.new_account(wei=0)
    world.send(world.funders[0], token.functions.transfer(broke.address, 10 * USDC))
    error = refused(world, broke, InsufficientFunds, lambda: world.as_(broke).pledge(bounty_id, "1 USDC"))
    assert broke.address in str(error)
    assert token.functions.allowance(broke.address, world.escrow.address).call() == 0


# --- signer and connection -----------------------------------------------------------------

READ_ONLY_OPERATIONS: dict[str, Callable[[Any, BountyClient, int], Any]] = {
    "pledge": lambda world, client, bid: client.pledge(bid, 10**18),
    "pledge-string": lambda world, client, bid: client.pledge(bid, "1 ether"),
    "submit_solution": lambda world, client, bid: client.submit_solution(bid, PR),
    "create_bounty": lambda world, client, bid: client.create_bounty(ISSUE, world.chain.now() + DAY),
    "refund": lambda world, client, bid: client.refund(bid),
    "cancel": lambda world, client, bid: client.cancel(bid),
    "extend_deadline": lambda world, client, bid: client.extend_deadline(bid, world.chain.now() + 2 * DAY),
    "withdraw": lambda world, client, bid: client.withdraw(),
    "award": lambda world, client, bid: client.award(bid, {1: 10_000}),
}


@pytest.mark.parametrize("operation", sorted(READ_ONLY_OPERATIONS))
def test_read_only_client_sending_a_transaction_raises_no_signer(world, operation) -> None:
    bounty_id = bounty_with_claims(world, claims=1)
    read_only = BountyClient(world.chain.w3, world.escrow.address)
    assert read_only.signer is None
    assert read_only.bounty(bounty_id).total == 10**18  # it can read
    error = refused(world, None, NoSigner, lambda: READ_ONLY_OPERATIONS[operation](world, read_only, bounty_id))
    assert "read-only" in str(error)


def test_client_for_another_chain_id_raises_wrong_chain(world) -> None:
    actual = int(world.chain.w3.eth.chain_id)
    assert actual != 1
    with pytest.raises(WrongChain) as raised:
        BountyClient(world.chain.w3, world.escrow.address, chain_id=1)
    assert "chain 1" in str(raised.value) and f"chain {actual}" in str(raised.value)
    # Control: the right chain id is accepted.
    assert BountyClient(world.chain.w3, world.escrow.address, chain_id=actual).chain_id == actual


@pytest.mark.parametrize("target", ["outsider", "fresh-address"])
def test_client_for_address_without_code_raises_wrong_chain(world, target) -> None:
    address = world.outsider.address if target == "outsider" else Web3.to_checksum_address("0x" + "ab" * 20)
    with pytest.raises(WrongChain) as raised:
        BountyClient(world.chain.w3, address)
    assert address in str(raised.value)


@pytest.mark.parametrize("escrow", ["0x123", None, flip_one_letter(EIP55_EXAMPLE)])
def test_client_with_malformed_escrow_address_raises_invalid_address(world, escrow) -> None:
    with pytest.raises(InvalidAddress):
        BountyClient(world.chain.w3, escrow)


# --- bounty state --------------------------------------------------------------------------


@pytest.mark.parametrize("operation", ["pledge", "submit_solution", "award", "extend_deadline"])
def test_operation_on_expired_bounty_raises_bounty_closed(world, operation) -> None:
    bounty_id = bounty_with_claims(world, claims=1)
    deadline = world.escrow.bounty(bounty_id).deadline
    world.chain.set_next_block_timestamp(deadline)  # the next block is exactly at the deadline
    signer, action = {
        "pledge": (world.funders[1], lambda c: c.pledge(bounty_id, 10**18)),
        "submit_solution": (world.hunters[1], lambda c: c.submit_solution(bounty_id, PR)),
        "award": (world.issuer, lambda c: c.award(bounty_id, {1: 10_000})),
        "extend_deadline": (world.issuer, lambda c: c.extend_deadline(bounty_id, deadline + DAY)),
    }[operation]
    error = refused(world, signer, BountyClosed, lambda: action(world.as_(signer)))
    assert error.error_name == "BountyExpired"
    assert error.bounty_id == bounty_id
    assert error.args_by_name["deadline"] == deadline
    assert utc(deadline) in str(error)  # the deadline as a date


@pytest.mark.parametrize("operation", ["pledge", "submit_solution", "award", "extend_deadline", "cancel"])
def test_operation_on_cancelled_bounty_raises_bounty_closed(world, operation) -> None:
    bounty_id = bounty_with_claims(world, claims=1)
    world.escrow.cancel(bounty_id)
    deadline = world.escrow.bounty(bounty_id).deadline
    signer, action = {
        "pledge": (world.funders[1], lambda c: c.pledge(bounty_id, "1 ether")),
        "submit_solution": (world.hunters[1], lambda c: c.submit_solution(bounty_id, PR)),
        "award": (world.issuer, lambda c: c.award(bounty_id, {1: 10_000})),
        "extend_deadline": (world.issuer, lambda c: c.extend_deadline(bounty_id, deadline + DAY)),
        "cancel": (world.issuer, lambda c: c.cancel(bounty_id)),
    }[operation]
    error = refused(world, signer, BountyClosed, lambda: action(world.as_(signer)))
    assert error.error_name == "BountyNotOpen"
    assert error.bounty_id == bounty_id and error.args_by_name["status"] == 2
    assert "cancelled" in str(error)


def test_refund_with_no_pledge_raises_nothing_to_pay(world) -> None:
    bounty_id = bounty_with_claims(world, claims=0)  # funder 0 pledged, funder 1 did not
    funder = world.funders[1]
    world.escrow.cancel(bounty_id)  # refunds are open to everyone who pledged
    error = refused(world, funder, NothingToPay, lambda: world.as_(funder).refund(bounty_id))
    assert error.error_name == "NothingToRefund"
    assert error.bounty_id == bounty_id and error.args_by_name["funder"] == funder.address
    assert funder.address in str(error) and f"bounty {bounty_id}" in str(error)


def test_refund_twice_raises_nothing_to_pay(world) -> None:
    bounty_id = bounty_with_claims(world, claims=0)
    funder = world.as_(world.funders[0])
    world.escrow.cancel(bounty_id)
    funder.refund(bounty_id)
    refused(world, world.funders[0], NothingToPay, lambda: funder.refund(bounty_id))


def test_refund_after_award_raises_bounty_closed(world) -> None:
    bounty_id = bounty_with_claims(world, claims=1)
    world.escrow.award(bounty_id, {1: 10_000})
    error = refused(world, world.funders[0], BountyClosed, lambda: world.as_(world.funders[0]).refund(bounty_id))
    assert error.error_name == "AlreadyAwarded" and error.bounty_id == bounty_id


def test_award_with_empty_pool_raises_nothing_to_pay(world) -> None:
    bounty_id = world.new_bounty()
    world.as_(world.hunters[0]).submit_solution(bounty_id, PR)
    error = refused(world, world.issuer, NothingToPay, lambda: world.escrow.award(bounty_id, {1: 10_000}))
    assert error.error_name == "NothingToAward" and error.bounty_id == bounty_id


@pytest.mark.parametrize("kind", ["eth", "standard"])
def test_withdraw_with_no_credit_raises_nothing_to_pay(world, kind) -> None:
    hunter = world.hunters[0]
    token = world.token(kind)
    error = refused(world, hunter, NothingToPay, lambda: world.as_(hunter).withdraw(token))
    assert error.error_name == "NothingToWithdraw"
    assert error.bounty_id is None
    assert error.args_by_name["account"] == hunter.address and error.args_by_name["token"] == token
    # Ether is named as such, never as the zero address; a token by its address.
    assert hunter.address in str(error) and ("no ETH credit" in str(error) if token == ETH else token in str(error))


# --- the error hierarchy -------------------------------------------------------------------


def test_input_errors_are_value_errors_and_contract_errors_are_not(world) -> None:
    for cls in (InvalidAddress, InvalidAmount, InvalidDeadline, InvalidURI, InvalidShares):
        assert issubclass(cls, InvalidInput) and issubclass(cls, ValueError)
        assert not issubclass(cls, ContractError)
    for cls in (BountyNotFound, NotAuthorized, BountyClosed, NothingToPay):
        assert issubclass(cls, ContractError) and not issubclass(cls, InvalidInput)
    assert issubclass(BountyNotFound, LookupError) and issubclass(NotAuthorized, PermissionError)
