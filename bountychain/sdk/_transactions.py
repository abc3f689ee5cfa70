"""The transaction layer: connect, simulate, sign, send, wait, and decode what came back (a
refusal into a `ContractError`, the escrow's events into (name, args) pairs)."""

from __future__ import annotations

from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import ValidationError as EthValidationError
from web3 import Web3
from web3.contract.contract import Contract
from web3.types import TxReceipt

from bountychain._artifacts import load_artifact
from bountychain.devchain import DevChain
from bountychain.errors import ContractError, InsufficientFunds, decode_revert, translating_reverts
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


def send_and_wait(
    w3: Web3,
    signer: LocalAccount,
    fn: Any,
    *,
    value: int = 0,
    bounty_id: int | None = None,
    poll_latency: float = 0.05,
    timeout: float = 120.0,
    contracts: tuple[Contract, ...] = (),
    gas: int | None = None,
) -> tuple[TxReceipt, list[tuple[str, Any]]]:
    """Simulates, signs, sends and waits for one transaction; decodes a refusal at any step."""
    params = {
        "from": signer.address,
        "value": value,
        "chainId": int(w3.eth.chain_id),
        "nonce": w3.eth.get_transaction_count(signer.address, "pending"),
    }
    balance = int(w3.eth.get_balance(signer.address))
    if balance < value:
        raise InsufficientFunds(f"{signer.address} holds {balance} wei, less than the {value} wei to send")
    if gas is None:
        estimate = estimate_gas(w3, fn, params, bounty_id)
        block_limit = int(w3.eth.get_block("latest")["gasLimit"])
        if estimate > block_limit:
            raise ContractError(f"the transaction needs {estimate} gas, more than a block holds ({block_limit})",
                                error_name="GasLimit", bounty_id=bounty_id)
        gas = min(int(estimate * GAS_HEADROOM), block_limit)
    tx = fn.build_transaction({**params, "gas": gas})
    max_cost = value + gas * int(tx.get("maxFeePerGas", tx.get("gasPrice", 0)))
    if balance < max_cost:
        raise InsufficientFunds(
            f"{signer.address} holds {balance} wei; this transaction may cost up to {max_cost} wei "
            f"({value} of value plus gas)"
        )
    tx_hash = w3.eth.send_raw_transaction(signer.sign_transaction(tx).raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=timeout, poll_latency=poll_latency)
    if receipt["status"] != 1:
        raise mined_revert(w3, tx, receipt, bounty_id)
    return receipt, decode_events(contracts, receipt)


def is_in_process(w3: Web3) -> bool:
    return type(w3.provider).__name__ == "EthereumTesterProvider"


def estimate_gas(w3: Web3, fn: Any, params: dict[str, Any], bounty_id: int | None) -> int:
    """The node's gas estimate, run on the pending block: the next block's time is what
    decides deadlines and locks (eth-tester has no pending estimate; its latest state
    already carries the next block's time)."""
    block = None if is_in_process(w3) else "pending"
    try:
        with translating_reverts(bounty_id):
            return int(fn.estimate_gas(params, block_identifier=block))
    except EthValidationError as exc:  # eth-tester checks the sender's balance first
        if "balance" in str(exc).lower():
            raise InsufficientFunds(f"{params['from']}: {exc}") from None
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


def decode_events(contracts: tuple[Contract, ...], receipt: TxReceipt) -> list[tuple[str, Any]]:
    """The events of the given contracts (the escrow and its review contract) in the
    receipt, in log order, as (name, args)."""
    by_topic = {(contract.address, bytes.fromhex(event.topic[2:])): event
                for contract in contracts for event in contract.all_events()}
    decoded = []
    for log in receipt["logs"]:
        if not log["topics"]:
            continue
        event = by_topic.get((log["address"], bytes(log["topics"][0])))
        if event is not None:
            decoded.append((event.event_name, event.process_log(log)["args"]))
    return decoded


__all__ = [
    "Connection",
    "decode_events",
    "deploy_contract",
    "one_event",
    "send_and_wait",
    "send_transaction",
    "tx_fields",
    "web3_for",
]
