"""Revert data, from any provider, decoded into the matching `ContractError`: the custom
errors' selectors come from the shipped ABIs, their words from `meanings`."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from eth_abi import decode as abi_decode
from eth_utils import function_signature_to_4byte_selector, to_checksum_address
from web3.exceptions import ContractCustomError, ContractLogicError, ContractPanicError

from bountychain._artifacts import load_artifact
from bountychain.errors.exceptions import ContractError
from bountychain.errors.meanings import error_from_name, error_meanings

_ERROR_STRING = function_signature_to_4byte_selector("Error(string)")
_PANIC = function_signature_to_4byte_selector("Panic(uint256)")


# Errors that common tokens raise and the shipped ABIs do not declare: (name, types, names).
_TOKEN_ERRORS = (("EnforcedPause", [], []), ("ExpectedPause", [], []))


@cache
def _errors_by_selector() -> dict[bytes, tuple[str, list[str], list[str]]]:
    """selector -> (name, argument types, argument names), from the shipped ABIs."""
    table = {
        function_signature_to_4byte_selector(f"{name}({','.join(types)})"): (name, list(types), list(names))
        for name, types, names in _TOKEN_ERRORS
    }
    for artifact in ("BountyEscrow", "BountyReview", "TestToken", "TestPermitToken"):
        for item in load_artifact(artifact).abi:
            if item["type"] != "error":
                continue
            types = [arg["type"] for arg in item["inputs"]]
            selector = function_signature_to_4byte_selector(f"{item['name']}({','.join(types)})")
            table[selector] = (item["name"], types, [arg["name"] for arg in item["inputs"]])
    return table


def _hex_to_bytes(data: str | bytes) -> bytes:
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    return bytes.fromhex(data[2:] if data.startswith("0x") else data)


def decode_revert(
    data: str | bytes | None,
    *,
    bounty_id: int | None = None,
    tx_hash: str | None = None,
    fallback: str = "the transaction reverted without a reason",
) -> ContractError:
    """Turns revert data into the matching `ContractError` subclass."""
    raw = _hex_to_bytes(data) if data else b""
    selector, payload = raw[:4], raw[4:]
    known = _errors_by_selector().get(selector)
    if known:
        name, types, names = known
        values = [
            to_checksum_address(value) if kind == "address" else value
            for kind, value in zip(types, abi_decode(types, payload))
        ]
        return error_from_name(name, bounty_id=bounty_id, tx_hash=tx_hash, **dict(zip(names, values)))
    if selector == _ERROR_STRING:
        (reason,) = abi_decode(["string"], payload)
        return ContractError(reason, error_name="Error", bounty_id=bounty_id, tx_hash=tx_hash)
    if selector == _PANIC:
        (code,) = abi_decode(["uint256"], payload)
        return ContractError(f"panic 0x{code:02x}", error_name="Panic", bounty_id=bounty_id, tx_hash=tx_hash)
    if raw:
        return ContractError(
            f"unrecognised revert data 0x{raw.hex()}", error_name="Unknown", bounty_id=bounty_id, tx_hash=tx_hash
        )
    return ContractError(fallback, error_name="Revert", bounty_id=bounty_id, tx_hash=tx_hash)


def from_web3_error(
    exc: ContractLogicError, *, bounty_id: int | None = None, tx_hash: str | None = None
) -> ContractError:
    """Translates web3.py's revert exceptions (raised by calls and gas estimates)."""
    if isinstance(exc, ContractPanicError):
        return ContractError(str(exc), error_name="Panic", bounty_id=bounty_id, tx_hash=tx_hash)
    data = exc.data if isinstance(exc.data, str) else None
    if isinstance(exc, ContractCustomError) or (data and data.startswith("0x") and len(data) >= 10):
        return decode_revert(data, bounty_id=bounty_id, tx_hash=tx_hash)
    return ContractError(exc.message or str(exc), error_name="Error", bounty_id=bounty_id, tx_hash=tx_hash)


def error_names_without_meaning() -> list[str]:
    """Custom errors in the shipped ABIs that have no message in `meanings` (a test keeps it empty)."""
    return sorted({name for name, _, _ in _errors_by_selector().values()} - set(error_meanings()))


def _tester_failure_types() -> tuple[type[Exception], ...]:
    try:
        from eth_tester.exceptions import TransactionFailed
    except ImportError:  # eth-tester is only needed for the in-process chain
        return ()
    return (TransactionFailed,)


def from_tester_error(
    exc: Exception, *, bounty_id: int | None = None, tx_hash: str | None = None
) -> ContractError:
    """Translates eth-tester's TransactionFailed. web3's in-process provider folds the revert
    data into the message as "execution reverted: <bytes repr or reason string>"."""
    message = str(exc.args[0]) if exc.args else ""
    detail = message.removeprefix("execution reverted: ")
    if detail.startswith(("b'", 'b"')):
        try:
            return decode_revert(ast.literal_eval(detail), bounty_id=bounty_id, tx_hash=tx_hash)
        except (ValueError, SyntaxError):
            pass
    return ContractError(detail or "the call reverted", error_name="Error", bounty_id=bounty_id, tx_hash=tx_hash)


@contextmanager
def translating_reverts(bounty_id: int | None = None, tx_hash: str | None = None) -> Iterator[None]:
    """Turns a revert raised by a call or a gas estimate, on any provider, into the
    matching ContractError. Everything the SDK simulates or reads runs inside this."""
    try:
        yield
    except ContractLogicError as exc:
        raise from_web3_error(exc, bounty_id=bounty_id, tx_hash=tx_hash) from None
    except _tester_failure_types() as exc:
        raise from_tester_error(exc, bounty_id=bounty_id, tx_hash=tx_hash) from None
