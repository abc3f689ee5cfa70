"""The transaction layer: connect, simulate, sign, send, wait, and decode what came back (a
refusal into a `ContractError`, the escrow's events into (name, args) pairs)."""

from __future__ import annotations

import time
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import ValidationError as EthValidationError
from eth_utils import keccak
from web3 import Web3
from web3.contract.contract import Contract
from web3.exceptions import TimeExhausted, TransactionNotFound, Web3RPCError
from web3.types import TxReceipt

from bountychain._artifacts import load_artifact
from bountychain.amounts import format_amount
from bountychain.devchain import DevChain
from bountychain.errors import ContractError, InsufficientFunds, decode_revert, translating_reverts
from bountychain.sdk._bridge import pause
from bountychain.sdk._events import EventDecoder, decode_events
from bountychain.sdk._retry import (
    EndpointUnavailable,
    NonceTaken,
    RetryPolicy,
    TransactionNotConfirmed,
    is_transient,
)
from bountychain.sdk._fees import FeeCaps, fee_fields, max_gas_price, read_chain_state
from bountychain.sdk.constants import GAS_HEADROOM

Connection = str | Web3 | DevChain


def web3_for(connection: Connection) -> Web3:
    if isinstance(connection, Web3):
        return connection
    if isinstance(connection, str):
        return Web3(Web3.HTTPProvider(connection, request_kwargs={"timeout": 60}))
    return connection.w3


def one_event(events: list[tuple[str, Any]], name: str) -> Any:
    matching = [args for event, args in events if event == name]
    if len(matching) != 1:
        raise ContractError(f"expected one {name} event, found {len(matching)}", error_name="UnexpectedReceipt")
    return matching[0]


def tx_fields(receipt: TxReceipt) -> dict[str, Any]:
    return {
        "tx_hash": receipt["transactionHash"].to_0x_hex(),
        "block_number": receipt["blockNumber"],
        "gas_used": receipt["gasUsed"],
        "gas_cost_wei": receipt["gasUsed"] * receipt["effectiveGasPrice"],
    }


def send_transaction(
    w3: Web3, signer: LocalAccount, fn: Any, *, value: int = 0, gas: int | None = None
) -> TxReceipt:
    """Simulates, signs and sends any contract call or deployment; returns the receipt.
    A refusal raises a decoded `ContractError`: before sending when the simulation fails, or
    with the transaction's hash when it was mined and reverted. An explicit `gas` limit
    skips the simulation (the node's estimate runs on the latest block, whose time can
    differ from the next block's)."""
    receipt, _ = send_and_wait(w3, signer, fn, value=value, gas=gas)
    return receipt


def deploy_contract(w3: Web3, signer: LocalAccount, name: str, *args: Any, abi: Any = None,
                    bytecode: str | None = None) -> Contract:
    """Deploys a shipped contract by name (BountyEscrow, TestToken), or any given abi and
    bytecode, and returns it bound to its address."""
    if abi is None or bytecode is None:
        artifact = load_artifact(name)
        abi, bytecode = artifact.abi, artifact.bytecode
    receipt = send_transaction(w3, signer, w3.eth.contract(abi=abi, bytecode=bytecode).constructor(*args))
    return w3.eth.contract(address=receipt["contractAddress"], abi=abi)


def prepare_transaction(
    w3: Web3,
    signer: LocalAccount,
    fn: Any,
    *,
    value: int = 0,
    bounty_id: int | None = None,
    gas: int | None = None,
    chain_id: int | None = None,
    fee_caps: FeeCaps = FeeCaps(),
    retry: RetryPolicy = RetryPolicy(),
) -> dict[str, Any]:
    """The transaction to sign, every field filled: nonce, balance, block and tip read in one
    round trip (see `_fees`), the gas simulated on the pending block (unless `gas` is given),
    the fee fields built once and capped. Raises, sending nothing, when the signer cannot pay
    or the contract would refuse."""
    state = read_chain_state(w3, signer.address, retry)
    if state.balance < value:
        raise InsufficientFunds(f"{signer.address} holds {_eth(state.balance)}, less than the {_eth(value)} to send")
    params = {"from": signer.address, "value": value, "nonce": state.nonce,
              "chainId": int(w3.eth.chain_id) if chain_id is None else chain_id}
    # Every field is given, so web3 asks the node nothing here; the call data is encoded once,
    # for both the simulation and the transaction.
    tx = dict(fn.build_transaction({**params, "gas": gas or state.gas_limit, **fee_fields(w3, state, fee_caps)}))
    if gas is None:
        estimate = estimate_gas(w3, {key: tx[key] for key in ("from", "to", "data", "value") if key in tx}, bounty_id)
        if estimate > state.gas_limit:
            raise ContractError(f"the transaction needs {estimate:,} gas, more than a block holds "
                                f"({state.gas_limit:,})", error_name="GasLimit", bounty_id=bounty_id)
        gas = tx["gas"] = min(int(estimate * GAS_HEADROOM), state.gas_limit)
    max_cost = value + gas * max_gas_price(tx)
    if state.balance < max_cost:
        raise InsufficientFunds(
            f"{signer.address} holds {_eth(state.balance)}; this transaction may cost up to {_eth(max_cost)} "
            f"({_eth(value)} of value plus at most {gas:,} gas at {format_amount(max_gas_price(tx), 9, 'gwei')})"
        )
    return tx


def send_prepared(
    w3: Web3,
    signer: LocalAccount,
    tx: dict[str, Any],
    *,
    bounty_id: int | None = None,
    poll_latency: float = 0.05,
    timeout: float = 120.0,
    events: EventDecoder | None = None,
    retry: RetryPolicy = RetryPolicy(),
) -> tuple[TxReceipt, list[tuple[str, Any]]]:
    """Signs and sends a prepared transaction, waits for its receipt, decodes a revert or the
    events `events` knows. The transaction is signed once: a lost answer is settled by its
    hash (see `_retry`), never by signing another."""
    raw = bytes(signer.sign_transaction(tx).raw_transaction)
    tx_hash = raw_hash(raw)
    broadcast(w3, raw, tx_hash, tx, retry)
    return settle(w3, tx_hash, tx, bounty_id=bounty_id, poll_latency=poll_latency, timeout=timeout, events=events)


def settle(w3: Web3, tx_hash: str, tx: dict[str, Any], *, bounty_id: int | None = None, poll_latency: float = 0.05,
           timeout: float = 120.0, events: EventDecoder | None = None) -> tuple[TxReceipt, list[tuple[str, Any]]]:
    """Waits for a sent transaction's receipt; decodes a revert, or the events `events` knows."""
    try:
        receipt = wait_for_receipt(w3, tx_hash, timeout=timeout, poll_latency=poll_latency)
    except (TimeExhausted, EndpointUnavailable) as exc:
        raise TransactionNotConfirmed(
            f"transaction {tx_hash} was sent but no receipt came within {timeout:g} s ({exc}). It may still be "
            f"mined: look the hash up before sending again", tx_hash=tx_hash, sent=True) from None
    if receipt["status"] != 1:
        raise mined_revert(w3, tx, receipt, bounty_id)
    return receipt, events.decode(receipt) if events is not None else []


def raw_hash(raw: bytes) -> str:
    """A signed transaction's hash: keccak of its bytes (what any signer object signed)."""
    return "0x" + keccak(raw).hex()


def wait_for_receipt(w3: Web3, tx_hash: str, *, timeout: float, poll_latency: float) -> TxReceipt:
    """Polls for a receipt (as web3's `wait_for_transaction_receipt`, waiting with `pause` so
    that the async client's event loop runs meanwhile)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
        except TransactionNotFound:
            pass
        if time.monotonic() >= deadline:
            raise TimeExhausted(f"transaction {tx_hash} is not in the chain after {timeout:g} s")
        pause(poll_latency)


def broadcast(w3: Web3, raw: bytes, tx_hash: str, tx: dict[str, Any], retry: RetryPolicy) -> None:
    """Sends signed bytes until the node has them. The node's words for "I have it" or "that
    nonce is taken" are understood; a lost answer is settled by looking the hash up."""
    deadline = time.monotonic() + retry.timeout
    next_delay = retry.delays()
    while True:
        try:
            w3.eth.send_raw_transaction(raw)
            return
        except Web3RPCError as exc:
            said = str(exc).lower()
            if "already known" in said or "known transaction" in said or "already imported" in said:
                return  # the node has these bytes: an earlier attempt reached it
            if "nonce too low" in said or "replacement transaction underpriced" in said:
                if _node_has(w3, tx_hash):
                    return  # the nonce is taken by this very transaction, sent earlier
                raise NonceTaken(
                    f"not sent: nonce {tx['nonce']} of {tx['from']} is already used by another transaction "
                    f"({'mined' if 'too low' in said else 'pending'}), sent by another program or an earlier call. "
                    f"Nothing of this call was sent; try again to send it with the next nonce "
                    f"(refused transaction {tx_hash})") from None
            raise
        except Exception as exc:
            if not is_transient(exc):
                raise
            # The answer is lost: the node may have the transaction or not.
            if _node_has(w3, tx_hash):
                return
            delay = next_delay()
            if time.monotonic() + delay > deadline:
                raise TransactionNotConfirmed(
                    f"transaction {tx_hash} was not sent: the endpoint kept failing for {retry.timeout:g} s "
                    f"({type(exc).__name__}) and no node acknowledged it. Should the hash show up later, that is "
                    f"this call's transaction", tx_hash=tx_hash,
                    sent=False) from exc
            pause(delay)


def _node_has(w3: Web3, tx_hash: str) -> bool:
    """Whether the node knows the transaction (pending or mined)."""
    try:
        return w3.eth.get_transaction(tx_hash) is not None  # type: ignore[arg-type]
    except TransactionNotFound:
        return False
    except EndpointUnavailable:
        return False


def send_and_wait(
    w3: Web3,
    signer: LocalAccount,
    fn: Any,
    *,
    value: int = 0,
    bounty_id: int | None = None,
    poll_latency: float = 0.05,
    timeout: float = 120.0,
    events: EventDecoder | None = None,
    gas: int | None = None,
    chain_id: int | None = None,
    fee_caps: FeeCaps = FeeCaps(),
) -> tuple[TxReceipt, list[tuple[str, Any]]]:
    """Simulates, signs, sends and waits for one transaction; decodes a refusal at any step."""
    tx = prepare_transaction(w3, signer, fn, value=value, bounty_id=bounty_id, gas=gas, chain_id=chain_id,
                             fee_caps=fee_caps)
    return send_prepared(w3, signer, tx, bounty_id=bounty_id, poll_latency=poll_latency, timeout=timeout,
                         events=events)


def _eth(wei: int) -> str:
    return format_amount(wei, 18, "ETH")


def is_in_process(w3: Web3) -> bool:
    return type(w3.provider).__name__ == "EthereumTesterProvider"


def estimate_gas(w3: Web3, call: dict[str, Any], bounty_id: int | None) -> int:
    """The node's gas estimate of `call` (from, to, data, value), run on the pending block: the
    next block's time is what decides deadlines and locks (eth-tester has no pending
    estimate; its latest state already carries the next block's time)."""
    block = None if is_in_process(w3) else "pending"
    try:
        with translating_reverts(bounty_id):
            return int(w3.eth.estimate_gas(call, block_identifier=block))  # type: ignore[arg-type]
    except EthValidationError as exc:  # eth-tester checks the sender's balance first
        if "balance" in str(exc).lower():
            raise InsufficientFunds(f"{call['from']}: {exc}") from None
        raise


def mined_revert(w3: Web3, tx: dict[str, Any], receipt: TxReceipt, bounty_id: int | None) -> ContractError:
    """Recovers why a mined transaction reverted: from the node's trace of it when the node
    offers one (exact), else by replaying it on the state its block left (exact unless
    another transaction in the same block changed what it depends on)."""
    tx_hash = receipt["transactionHash"].to_0x_hex()
    revert_data = traced_revert_data(w3, tx_hash)
    if revert_data is not None:
        return decode_revert(revert_data, bounty_id=bounty_id, tx_hash=tx_hash)
    replay = {key: tx[key] for key in ("from", "to", "value", "data", "gas") if key in tx}
    try:
        with translating_reverts(bounty_id, tx_hash):
            w3.eth.call(replay, block_identifier=receipt["blockNumber"])
    except ContractError as exc:
        return exc
    if receipt["gasUsed"] >= tx["gas"]:
        reason = f"the transaction ran out of gas ({tx['gas']})"
    else:
        reason = "the transaction reverted; replaying it did not reproduce the reason"
    return ContractError(reason, error_name="Revert", bounty_id=bounty_id, tx_hash=tx_hash)


def traced_revert_data(w3: Web3, tx_hash: str) -> str | None:
    """The revert data of a mined transaction from `debug_traceTransaction` (geth's and
    anvil's callTracer), or None where the node has no debug API."""
    if is_in_process(w3):
        return None
    try:
        response = w3.provider.make_request("debug_traceTransaction", [tx_hash, {"tracer": "callTracer"}])
    except Exception:  # the method is often disabled on public endpoints
        return None
    trace = response.get("result") if isinstance(response, dict) else None
    if not isinstance(trace, dict) or "error" not in trace:
        return None
    return trace.get("output") or "0x"


__all__ = [
    "Connection",
    "EventDecoder",
    "decode_events",
    "deploy_contract",
    "broadcast",
    "estimate_gas",
    "one_event",
    "prepare_transaction",
    "raw_hash",
    "send_and_wait",
    "send_prepared",
    "settle",
    "send_transaction",
    "tx_fields",
    "web3_for",
]
