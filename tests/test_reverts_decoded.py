"""A failed transaction is decoded into a Python exception.

(a) Raw contract calls that bypass the client's own checks are refused by the node's
simulation; the revert data is decoded into the `ContractError` subclass for the Solidity
error, with its name and decoded arguments, and nothing is sent.

(b) A transaction that passes simulation but reverts once mined (it lost a race) is decoded
too, and carries its transaction hash. This needs control of mining: anvil only.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

import pytest

from bountychain.words import utc

from bountychain import (
    AnvilNode,
    BountyClosed,
    BountyNotFound,
    ContractError,
    InvalidAward,
    NotAuthorized,
    NothingToPay,
    PledgeLocked,
    RefundResult,
    RejectedInput,
    TransferFailed,
)
from bountychain import send_transaction
from bountychain.errors import decode_revert, error_names_without_meaning
from tests.conftest import DAY, ISSUE, PR

ETHER = 10**18
USDC = 10**6
TWO_YEARS = 730 * DAY
ANY_LOCK = 2**64 - 1  # the longest lock a funder can accept: for tests about something else
RAW_GAS = 300_000  # an explicit limit: send_transaction then skips the simulation


def funded_bounty(world, kind: str = "eth", *, claims: int = 1, approver=None) -> tuple[int, int]:
    """A bounty with 1 ETH (or 1 USDC) pledged by funder 0 and `claims` solutions; returns
    (bounty id, deadline)."""
    bounty_id = world.new_bounty(kind, approver=approver)
    world.as_(world.funders[0]).pledge(bounty_id, ETHER if kind == "eth" else USDC)
    for hunter in world.hunters[:claims]:
        world.as_(hunter).submit_solution(bounty_id, PR)
    return bounty_id, world.escrow.bounty(bounty_id).deadline


# Each case builds, on a fresh snapshot, (signer, contract call, value, expected decoded args).
Case = Callable[[Any], tuple[Any, Any, int, dict[str, Any]]]


def _refund_before_lock(world):
    bounty_id, deadline = funded_bounty(world)
    return world.funders[0], world.escrow.contract.functions.refund(bounty_id), 0, {
        "bountyId": bounty_id, "unlocksAt": deadline}


def _pledge_with_wrong_value(world):
    bounty_id = world.new_bounty()
    return world.funders[0], world.escrow.contract.functions.pledge(bounty_id, ETHER, ANY_LOCK), ETHER // 10, {
        "bountyId": bounty_id, "expected": ETHER, "sent": ETHER // 10}


def _pledge_token_with_ether(world):
    bounty_id = world.new_bounty("standard")
    return world.funders[0], world.escrow.contract.functions.pledge(bounty_id, USDC, ANY_LOCK), 1, {
        "bountyId": bounty_id, "expected": 0, "sent": 1}


def _award_by_non_approver(world):
    bounty_id, _ = funded_bounty(world, approver=world.approver)
    return world.outsider, world.escrow.contract.functions.award(bounty_id, [1], [10_000]), 0, {
        "bountyId": bounty_id, "caller": world.outsider.address}


def _award_by_issuer_who_is_not_approver(world):
    bounty_id, _ = funded_bounty(world, approver=world.approver)
    return world.issuer, world.escrow.contract.functions.award(bounty_id, [1], [10_000]), 0, {
        "bountyId": bounty_id, "caller": world.issuer.address}


def _pledge_token_without_approval(world):
    bounty_id = world.new_bounty("standard")
    return world.funders[0], world.escrow.contract.functions.pledge(bounty_id, USDC, ANY_LOCK), 0, {
        "spender": world.escrow.address, "allowance": 0, "needed": USDC}


def _pledge_token_without_balance(world):
    bounty_id = world.new_bounty("standard")
    token = world.tokens["standard"]
    world.send(world.outsider, token.functions.approve(world.escrow.address, USDC))
    return world.outsider, world.escrow.contract.functions.pledge(bounty_id, USDC, ANY_LOCK), 0, {
        "sender": world.outsider.address, "balance": 0, "needed": USDC}


def _pledge_unknown_bounty(world):
    return world.funders[0], world.escrow.contract.functions.pledge(999, ETHER, ANY_LOCK), ETHER, {"bountyId": 999}


def _pledge_zero(world):
    bounty_id = world.new_bounty()
    return world.funders[0], world.escrow.contract.functions.pledge(bounty_id, 0, ANY_LOCK), 0, {}


def _pledge_expired(world):
    bounty_id, deadline = funded_bounty(world, claims=0)
    # The latest block is at the deadline: anvil simulates on the latest block's time (see
    # test_raw_pledge_at_exactly_the_deadline_is_refused_one_way_or_another for the edge).
    world.chain.set_next_block_timestamp(deadline + 1)
    return world.funders[1], world.escrow.contract.functions.pledge(bounty_id, ETHER, ANY_LOCK), ETHER, {
        "bountyId": bounty_id, "deadline": deadline}


def _pledge_cancelled(world):
    bounty_id, _ = funded_bounty(world, claims=0)
    world.escrow.cancel(bounty_id)
    return world.funders[1], world.escrow.contract.functions.pledge(bounty_id, ETHER, ANY_LOCK), ETHER, {
        "bountyId": bounty_id, "status": 2}


def _award_sum_9999(world):
    bounty_id, _ = funded_bounty(world, claims=2)
    return world.issuer, world.escrow.contract.functions.award(bounty_id, [1, 2], [5000, 4999]), 0, {
        "sumBps": 9999}


def _award_unknown_claim(world):
    bounty_id, _ = funded_bounty(world, claims=1)
    return world.issuer, world.escrow.contract.functions.award(bounty_id, [2], [10_000]), 0, {
        "bountyId": bounty_id, "claimId": 2}


def _award_zero_share(world):
    bounty_id, _ = funded_bounty(world, claims=2)
    return world.issuer, world.escrow.contract.functions.award(bounty_id, [1, 2], [10_000, 0]), 0, {
        "bountyId": bounty_id, "claimId": 2}


def _award_length_mismatch(world):
    bounty_id, _ = funded_bounty(world, claims=2)
    return world.issuer, world.escrow.contract.functions.award(bounty_id, [1, 2], [10_000]), 0, {
        "claimCount": 2, "shareCount": 1}


def _award_empty_pool(world):
    bounty_id = world.new_bounty()
    world.as_(world.hunters[0]).submit_solution(bounty_id, PR)
    return world.issuer, world.escrow.contract.functions.award(bounty_id, [1], [10_000]), 0, {
        "bountyId": bounty_id}


def _refund_without_pledge(world):
    bounty_id, _ = funded_bounty(world, claims=0)
    return world.funders[1], world.escrow.contract.functions.refund(bounty_id), 0, {
        "bountyId": bounty_id, "funder": world.funders[1].address}


def _refund_after_award(world):
    bounty_id, _ = funded_bounty(world)
    world.escrow.award(bounty_id, {1: 10_000})
    return world.funders[0], world.escrow.contract.functions.refund(bounty_id), 0, {"bountyId": bounty_id}


def _withdraw_without_credit(world):
    token = world.token("standard")
    return world.hunters[0], world.escrow.contract.functions.withdraw(token), 0, {
        "account": world.hunters[0].address, "token": token}


def _cancel_by_non_issuer(world):
    bounty_id = world.new_bounty()
    return world.outsider, world.escrow.contract.functions.cancel(bounty_id), 0, {
        "bountyId": bounty_id, "caller": world.outsider.address}


def _extend_to_earlier_deadline(world):
    bounty_id = world.new_bounty()
    deadline = world.escrow.bounty(bounty_id).deadline
    return world.issuer, world.escrow.contract.functions.extendDeadline(bounty_id, deadline - 1), 0, {
        "bountyId": bounty_id, "currentDeadline": deadline, "requestedDeadline": deadline - 1}


def _create_with_eoa_token(world):
    fn = world.escrow.contract.functions.createBounty(
        world.outsider.address, world.chain.now() + DAY, world.approver.address, ISSUE)
    return world.issuer, fn, 0, {"token": world.outsider.address}


def _create_with_empty_uri(world):
    fn = world.escrow.contract.functions.createBounty(
        world.token("eth"), world.chain.now() + DAY, world.approver.address, "")
    return world.issuer, fn, 0, {}


def _create_with_past_deadline(world):
    deadline = world.chain.now() - 1
    fn = world.escrow.contract.functions.createBounty(world.token("eth"), deadline, world.approver.address, ISSUE)
    return world.issuer, fn, 0, {"deadline": deadline}


def _create_with_far_deadline(world):
    deadline = world.chain.now() + TWO_YEARS + DAY
    fn = world.escrow.contract.functions.createBounty(world.token("eth"), deadline, world.approver.address, ISSUE)
    return world.issuer, fn, 0, {"deadline": deadline}


CASES: list[tuple[str, Case, type[ContractError], str]] = [
    ("refund-before-lock", _refund_before_lock, PledgeLocked, "PledgeLocked"),
    ("pledge-value-differs-from-amount", _pledge_with_wrong_value, RejectedInput, "WrongEtherValue"),
    ("pledge-token-with-ether", _pledge_token_with_ether, RejectedInput, "WrongEtherValue"),
    ("award-by-outsider", _award_by_non_approver, NotAuthorized, "NotApprover"),
    ("award-by-issuer-not-approver", _award_by_issuer_who_is_not_approver, NotAuthorized, "NotApprover"),
    ("pledge-token-without-approval", _pledge_token_without_approval, TransferFailed, "ERC20InsufficientAllowance"),
    ("pledge-token-without-balance", _pledge_token_without_balance, TransferFailed, "ERC20InsufficientBalance"),
    ("pledge-unknown-bounty", _pledge_unknown_bounty, BountyNotFound, "UnknownBounty"),
    ("pledge-zero", _pledge_zero, RejectedInput, "ZeroAmount"),
    ("pledge-expired", _pledge_expired, BountyClosed, "BountyExpired"),
    ("pledge-cancelled", _pledge_cancelled, BountyClosed, "BountyNotOpen"),
    ("award-sum-9999", _award_sum_9999, InvalidAward, "SharesDoNotSumToWhole"),
    ("award-unknown-claim", _award_unknown_claim, InvalidAward, "UnknownClaim"),
    ("award-zero-share", _award_zero_share, InvalidAward, "ZeroShare"),
    ("award-length-mismatch", _award_length_mismatch, InvalidAward, "SharesLengthMismatch"),
    ("award-empty-pool", _award_empty_pool, NothingToPay, "NothingToAward"),
    ("refund-without-pledge", _refund_without_pledge, NothingToPay, "NothingToRefund"),
    ("refund-after-award", _refund_after_award, BountyClosed, "AlreadyAwarded"),
    ("withdraw-without-credit", _withdraw_without_credit, NothingToPay, "NothingToWithdraw"),
    ("cancel-by-non-issuer", _cancel_by_non_issuer, NotAuthorized, "NotIssuer"),
    ("extend-to-earlier-deadline", _extend_to_earlier_deadline, RejectedInput, "DeadlineNotExtended"),
    ("create-with-eoa-token", _create_with_eoa_token, RejectedInput, "NotATokenContract"),
    ("create-with-empty-uri", _create_with_empty_uri, RejectedInput, "EmptyURI"),
    ("create-with-past-deadline", _create_with_past_deadline, RejectedInput, "DeadlineNotInFuture"),
    ("create-with-far-deadline", _create_with_far_deadline, RejectedInput, "DeadlineTooFar"),
]


@pytest.mark.parametrize(("build", "cls", "error_name"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_raw_call_refused_by_contract_raises_decoded_error(world, build, cls, error_name) -> None:
    signer, fn, value, expected_args = build(world)
    nonce_before = world.nonce(signer)
    block_before = world.chain.w3.eth.block_number
    with pytest.raises(cls) as raised:
        world.send(signer, fn, value=value)
    error = raised.value
    assert type(error) is cls
    assert error.error_name == error_name
    for name, expected in expected_args.items():
        assert error.args_by_name[name] == expected, name
    assert f"[{error_name}]" in str(error)
    # Refused by the node's simulation: nothing was sent, so there is no transaction hash.
    assert error.tx_hash is None
    assert world.nonce(signer) == nonce_before
    assert world.chain.w3.eth.block_number == block_before
    if "bountyId" in expected_args:
        assert error.bounty_id == expected_args["bountyId"]
        assert f"bounty {expected_args['bountyId']}" in str(error)


def test_refund_before_lock_message_names_the_unlock_time(world) -> None:
    signer, fn, _, expected = _refund_before_lock(world)
    with pytest.raises(PledgeLocked) as raised:
        world.send(signer, fn)
    assert utc(expected["unlocksAt"]) in str(raised.value)  # a date, not a timestamp
    assert raised.value.args_by_name["unlocksAt"] == world.escrow.pledge_of(
        expected["bountyId"], signer.address).unlocks_at


def test_raw_refund_mined_at_the_unlock_time_succeeds(world) -> None:
    # Control for the PledgeLocked case: in a block at the deadline the same raw refund goes
    # through. An explicit gas limit skips the simulation, which runs on the latest block.
    signer, fn, _, expected = _refund_before_lock(world)
    world.chain.set_next_block_timestamp(expected["unlocksAt"])
    receipt = send_transaction(world.chain.w3, signer, fn, gas=RAW_GAS)
    assert receipt["status"] == 1
    assert world.chain.w3.eth.get_block(receipt["blockNumber"])["timestamp"] == expected["unlocksAt"]
    assert world.escrow.pledge_of(expected["bountyId"], signer.address).amount == 0


def test_client_refund_when_next_block_is_at_unlock_time_succeeds(world) -> None:
    bounty_id, deadline = funded_bounty(world, claims=0)
    funder = world.funders[0]
    world.chain.set_next_block_timestamp(deadline)
    result = world.as_(funder).refund(bounty_id)
    assert result.amount == ETHER
    assert world.chain.w3.eth.get_block(result.block_number)["timestamp"] == deadline


def test_client_refund_before_lock_raises_pledge_locked_from_simulation(world) -> None:
    # The client leaves the lock to the simulation ("the simulation decides").
    bounty_id, deadline = funded_bounty(world, claims=0)
    funder = world.funders[0]
    nonce_before = world.nonce(funder)
    with pytest.raises(PledgeLocked) as raised:
        world.as_(funder).refund(bounty_id)
    assert raised.value.args_by_name["unlocksAt"] == deadline
    assert raised.value.bounty_id == bounty_id and raised.value.tx_hash is None
    assert world.nonce(funder) == nonce_before


def test_every_custom_error_in_the_abis_has_a_meaning() -> None:
    assert error_names_without_meaning() == []


@pytest.mark.parametrize(
    ("data", "error_name"),
    [
        (None, "Revert"),
        ("0x", "Revert"),
        ("0xdeadbeef", "Unknown"),
        # Error("nope")
        ("0x08c379a0" + "20".rjust(64, "0") + "4".rjust(64, "0") + "6e6f7065".ljust(64, "0"), "Error"),
        # Panic(0x11)
        ("0x4e487b71" + "11".rjust(64, "0"), "Panic"),
    ],
)
def test_decode_revert_of_non_custom_data_gives_a_plain_contract_error(data, error_name) -> None:
    error = decode_revert(data, bounty_id=3, tx_hash="0x" + "ab" * 32)
    assert type(error) is ContractError
    assert error.error_name == error_name
    assert error.bounty_id == 3 and error.tx_hash == "0x" + "ab" * 32
    if error_name == "Error":
        assert "nope" in str(error)
    if error_name == "Panic":
        assert "0x11" in str(error)


# --- (b) a mined revert --------------------------------------------------------------------


def _assert_mined_revert(world, error: ContractError, signer) -> dict[str, Any]:
    """The error names a mined transaction of `signer` that reverted; returns its receipt."""
    assert isinstance(error.tx_hash, str)
    assert error.tx_hash.startswith("0x") and len(error.tx_hash) == 66
    int(error.tx_hash, 16)
    assert f"tx {error.tx_hash}" in str(error)
    receipt = world.chain.w3.eth.get_transaction_receipt(error.tx_hash)
    assert receipt["status"] == 0
    assert receipt["from"] == signer.address
    return receipt


@pytest.mark.parametrize("how", ["raw", "client-message-intact"])
def test_mined_refund_before_lock_raises_pledge_locked_with_tx_hash(world, how) -> None:
    signer, fn, _, expected = _refund_before_lock(world)
    nonce_before = world.nonce(signer)
    balance_before = world.balance(signer)
    with pytest.raises(PledgeLocked) as raised:
        send_transaction(world.chain.w3, signer, fn, gas=RAW_GAS)
    error = raised.value
    receipt = _assert_mined_revert(world, error, signer)
    assert error.error_name == "PledgeLocked"
    assert error.bounty_id == expected["bountyId"]
    assert error.args_by_name["unlocksAt"] == expected["unlocksAt"]
    if how == "client-message-intact":
        # The message is the decoded one, once, followed by the name and where it happened.
        # Times are dates, in UTC, never a bare unix timestamp.
        assert str(error) == (f"the pledge on bounty {expected['bountyId']} is locked until "
                              f"{utc(expected['unlocksAt'])} [PledgeLocked] (bounty {expected['bountyId']}, "
                              f"tx {error.tx_hash})")
    # It was sent and mined: the nonce moved and gas was paid, but the pledge stayed.
    assert world.nonce(signer) == nonce_before + 1
    assert world.balance(signer) == balance_before - receipt["gasUsed"] * receipt["effectiveGasPrice"]
    assert world.escrow.pledge_of(expected["bountyId"], signer.address).amount == ETHER


def test_raw_pledge_mined_at_exactly_the_deadline_raises_bounty_expired_with_tx_hash(world) -> None:
    bounty_id, deadline = funded_bounty(world, claims=0)
    funder = world.funders[1]
    world.chain.set_next_block_timestamp(deadline)  # still open in the latest block
    with pytest.raises(BountyClosed) as raised:
        send_transaction(world.chain.w3, funder, world.escrow.contract.functions.pledge(bounty_id, ETHER, ANY_LOCK),
                         value=ETHER, gas=RAW_GAS)
    error = raised.value
    receipt = _assert_mined_revert(world, error, funder)
    assert world.chain.w3.eth.get_block(receipt["blockNumber"])["timestamp"] == deadline
    assert error.error_name == "BountyExpired"
    assert error.bounty_id == bounty_id and error.args_by_name["deadline"] == deadline
    assert world.escrow.pledge_of(bounty_id, funder.address).amount == 0


def _needs_anvil(world) -> None:
    if not isinstance(world.chain, AnvilNode):
        pytest.skip("needs the anvil node: the in-process chain mines every transaction at once")


def _mine_together(world, address: str, calls: list[Callable[[], Any]]) -> list[Future]:
    """With automine off, starts each call in its own thread once the previous one's
    transaction from `address` is pending, then mines them all in one block. Returns the
    finished futures, in call order."""
    w3 = world.chain.w3
    count_before = w3.eth.get_transaction_count(address, "pending")
    block_before = w3.eth.block_number
    response = w3.provider.make_request("evm_setAutomine", [False])
    assert "error" not in response, response
    futures: list[Future] = []
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        try:
            for n, call in enumerate(calls, start=1):
                futures.append(pool.submit(call))
                _wait_for_pending_count(w3, address, count_before + n, futures)
            assert w3.eth.block_number == block_before, "nothing is mined while automine is off"
            w3.provider.make_request("evm_mine", [])
            for future in futures:
                future.exception(timeout=30)  # waits for it to finish
        finally:
            w3.provider.make_request("evm_setAutomine", [True])
            w3.provider.make_request("evm_mine", [])  # releases any call still waiting for a receipt
    return futures


def _wait_for_pending_count(w3, address: str, target: int, futures: list[Future], timeout: float = 20.0) -> None:
    """Waits until `address` has `target` transactions counting the pending ones; fails fast
    if a submitted call ended (it raised before sending) instead."""
    deadline = time.monotonic() + timeout
    while w3.eth.get_transaction_count(address, "pending") < target:
        for future in futures:
            if future.done():
                pytest.fail(f"a call ended before its transaction was pending: {future.exception()!r}")
        if time.monotonic() > deadline:
            pytest.fail(f"pending transaction count of {address} did not reach {target}")
        time.sleep(0.01)


def test_mined_refund_that_lost_a_race_raises_nothing_to_pay_with_its_tx_hash(world) -> None:
    _needs_anvil(world)
    w3 = world.chain.w3
    funder = world.funders[0]
    client = world.as_(funder)
    bounty_id = world.new_bounty(days=1)
    pledge = client.pledge(bounty_id, ETHER)
    # The lock has ended. The second refund is sent raw with a fixed gas limit, as a second
    # wallet that simulated before the first was pending would send it.
    world.chain.set_next_block_timestamp(pledge.unlocks_at + 2)
    balance_before = world.balance(funder)
    block_before = w3.eth.block_number

    first, second = _mine_together(world, funder.address, [
        lambda: client.refund(bounty_id),
        lambda: send_transaction(w3, funder, world.escrow.contract.functions.refund(bounty_id), gas=RAW_GAS),
    ])

    # The lower nonce is mined first and wins.
    won, lost = first.result(), second.exception()
    assert isinstance(won, RefundResult)
    assert won.amount == ETHER and won.funder == funder.address and won.bounty_id == bounty_id
    assert isinstance(lost, NothingToPay), repr(lost)
    assert lost.error_name == "NothingToRefund"
    assert lost.bounty_id == bounty_id
    assert lost.args_by_name["funder"] == funder.address
    lost_receipt = _assert_mined_revert(world, lost, funder)

    won_receipt = w3.eth.get_transaction_receipt(won.tx_hash)
    assert won_receipt["status"] == 1
    assert won_receipt["blockNumber"] == lost_receipt["blockNumber"] == block_before + 1
    assert lost_receipt["transactionIndex"] > won_receipt["transactionIndex"]

    won_gas = won_receipt["gasUsed"] * won_receipt["effectiveGasPrice"]
    lost_gas = lost_receipt["gasUsed"] * lost_receipt["effectiveGasPrice"]
    assert won.gas_cost_wei == won_gas and lost_gas > 0
    assert world.balance(funder) == balance_before + ETHER - won_gas - lost_gas
    assert world.escrow.pledge_of(bounty_id, funder.address).amount == 0
    assert world.escrow.bounty(bounty_id).total == 0


def test_mined_revert_reports_the_reason_at_its_own_position_in_the_block(world) -> None:
    _needs_anvil(world)
    funder = world.funders[1]
    bounty_id = world.new_bounty()
    # In one block: a refund with no pledge (reverts NothingToRefund), then a pledge.
    refund, pledge = _mine_together(world, funder.address, [
        lambda: send_transaction(world.chain.w3, funder, world.escrow.contract.functions.refund(bounty_id),
                                 gas=RAW_GAS),
        lambda: world.as_(funder).pledge(bounty_id, ETHER),
    ])
    assert pledge.result().amount == ETHER
    error = refund.exception()
    assert isinstance(error, ContractError)
    _assert_mined_revert(world, error, funder)
    assert error.error_name == "NothingToRefund", f"decoded as {error.error_name}"


def test_a_second_refund_is_refused_while_the_first_is_pending(world) -> None:
    """The client simulates on the pending block, so a double click sends one refund only."""
    _needs_anvil(world)
    funder = world.funders[2]
    client = world.as_(funder)
    bounty_id = world.new_bounty(days=1)
    pledge = client.pledge(bounty_id, ETHER)
    world.chain.set_next_block_timestamp(pledge.unlocks_at + 2)
    w3 = world.chain.w3
    w3.provider.make_request("evm_setAutomine", [False])
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            first = pool.submit(client.refund, bounty_id)
            _wait_for_pending_count(w3, funder.address, w3.eth.get_transaction_count(funder.address) + 1, [first])
            pending = w3.eth.get_transaction_count(funder.address, "pending")
            with pytest.raises(NothingToPay):
                client.refund(bounty_id)
            assert w3.eth.get_transaction_count(funder.address, "pending") == pending  # nothing more sent
            w3.provider.make_request("evm_mine", [])
            assert first.result(timeout=30).amount == ETHER
    finally:
        w3.provider.make_request("evm_setAutomine", [True])
