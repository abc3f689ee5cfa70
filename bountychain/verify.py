"""Source verification on Etherscan-compatible block explorers.

An explorer recompiles the submitted standard-JSON input with the given compiler and checks
the result against the deployed bytecode plus the ABI-encoded constructor arguments.
`tools/compile.mjs` writes that input, limited to the contract's own import closure, to
`build/<Contract>.standard-input.json`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from bountychain.deployments import DeploymentRecord
from bountychain.errors import BountychainError

CONTRACT_NAME = "contracts/BountyEscrow.sol:BountyEscrow"


class VerificationError(BountychainError):
    """The explorer refused the submission or the verification failed."""


@dataclass(frozen=True)
class Submission:
    """The form fields an Etherscan-compatible `verifysourcecode` call takes."""

    fields: dict[str, str]


def compiler_version(record: DeploymentRecord) -> str:
    """"0.8.37+commit.f401782d.Emscripten.clang" -> "v0.8.37+commit.f401782d", as explorers name it."""
    version = record.compiler["version"]
    return "v" + ".".join(version.split(".")[:4]) if "+commit." in version else "v" + version


def submission(record: DeploymentRecord, standard_input: dict[str, Any], api_key: str) -> Submission:
    """The verification request for a recorded deployment."""
    if standard_input.get("settings", {}).get("optimizer") != record.compiler["settings"]["optimizer"]:
        raise VerificationError("the standard-JSON input was not compiled with the deployment's settings")
    return Submission({
        "module": "contract",
        "action": "verifysourcecode",
        "apikey": api_key,
        "chainid": str(record.chain_id),
        "contractaddress": record.address,
        "sourceCode": json.dumps(standard_input),
        "codeformat": "solidity-standard-json-input",
        "contractname": CONTRACT_NAME,
        "compilerversion": compiler_version(record),
        # Sic: the Etherscan API spells it this way.
        "constructorArguements": record.constructor_args.removeprefix("0x"),
    })


def verify(
    record: DeploymentRecord,
    standard_input_path: str | Path,
    *,
    api_url: str,
    api_key: str,
    poll_interval: float = 5.0,
    timeout: float = 300.0,
    session: requests.Session | None = None,
) -> str:
    """Submits the deployment's source for verification and polls until the explorer
    decides; returns its final message ("Pass - Verified" or "Already Verified")."""
    if not api_key:
        raise VerificationError("an explorer API key is needed (set ETHERSCAN_API_KEY)")
    with _key_kept_out_of_logs(api_key):
        return _verify(record, standard_input_path, api_url, api_key, poll_interval, timeout,
                       session or requests.Session())


def _verify(record: DeploymentRecord, standard_input_path: str | Path, api_url: str, api_key: str,
            poll_interval: float, timeout: float, http: requests.Session) -> str:
    standard_input = json.loads(Path(standard_input_path).read_text())
    form = submission(record, standard_input, api_key).fields
    params = {"chainid": str(record.chain_id)}
    answer = _json(lambda: http.post(api_url, params=params, data=form, timeout=60), api_key)
    if answer.get("status") != "1":
        message = str(answer.get("result", ""))
        if "already verified" in message.lower():
            return "Already Verified"
        raise VerificationError(f"the explorer refused the submission: {message}")
    guid = answer["result"]
    deadline = time.monotonic() + timeout
    while True:
        status = _json(lambda: http.get(api_url, params={
            **params, "module": "contract", "action": "checkverifystatus", "guid": guid, "apikey": api_key,
        }, timeout=60), api_key)
        result = str(status.get("result", ""))
        if status.get("status") == "1" or "already verified" in result.lower():
            return result
        if "pending" not in result.lower():
            raise VerificationError(f"verification failed: {result}")
        if time.monotonic() > deadline:
            raise VerificationError(f"verification still pending after {timeout} s (guid {guid})")
        time.sleep(poll_interval)


def _json(call: Any, api_key: str) -> dict[str, Any]:
    """The explorer's JSON answer. The key travels in the polling URL (the API wants it there),
    and requests puts the URL in its errors (`raise_for_status`, connection errors), which end
    up in terminals and CI logs: errors here name the status or the failure, never the URL."""
    try:
        response = call()
    except requests.RequestException as exc:
        raise VerificationError(f"cannot reach the explorer ({type(exc).__name__})") from None
    if not response.ok:
        raise VerificationError(f"the explorer answered HTTP {response.status_code} {_redact(response.reason, api_key)}")
    try:
        answer = response.json()
    except ValueError:
        raise VerificationError(f"the explorer answered HTTP {response.status_code} with no JSON") from None
    if not isinstance(answer, dict):
        raise VerificationError("the explorer's answer is not a JSON object")
    return {key: _redact(value, api_key) if isinstance(value, str) else value for key, value in answer.items()}


def _redact(text: str | None, api_key: str) -> str:
    return (text or "").replace(api_key, "<API key>")


class _RedactKey(logging.Filter):
    def __init__(self, api_key: str) -> None:
        super().__init__()
        self.api_key = api_key

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.api_key in message:
            record.msg, record.args = _redact(message, self.api_key), None
        return True


@contextmanager
def _key_kept_out_of_logs(api_key: str) -> Iterator[None]:
    """urllib3 logs each request line, query string included, at DEBUG: redact the key there."""
    logger = logging.getLogger("urllib3.connectionpool")
    redact = _RedactKey(api_key)
    logger.addFilter(redact)
    try:
        yield
    finally:
        logger.removeFilter(redact)
