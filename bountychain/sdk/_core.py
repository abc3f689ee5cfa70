"""What every part of `BountyClient` stands on: the connection's state, tokens and amounts,
the checks made before sending, and `_transact`, the one path every transaction takes
(through the `before_send` and `sending` hooks, then the transaction layer).

The parts (`_bounties`, `_review`, `_fundraisers`, `_signatures`, `_reads`) are mixins of
this class; they call each other's methods through `self`, which is always a `BountyClient`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from eth_abi import decode as abi_decode
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract.contract import Contract, ContractFunction
from web3.types import TxReceipt

from bountychain.amounts import format_amount, parse_amount, to_base_units
from bountychain.chainstrings import chain_text
from bountychain.errors import (
    ContractError,
    DuplicateSolution,
    InsufficientFunds,
    InvalidAddress,
    InvalidAmount,
    InvalidDeadline,
    InvalidShares,
    NoSigner,
    decode_revert,
    error_from_name,
    translating_reverts,
)
from bountychain.results import ETH, Bounty, BountyStatus, Deployment, TokenInfo, TxResult
from bountychain.sdk._bridge import pause
from bountychain.words import utc
from bountychain.sdk._fees import FeeCaps
from bountychain.sdk._retry import RetryPolicy
from bountychain.sdk._rpc import FunctionCodec, rpc_batch, supports_batches
from bountychain.sdk._events import EventDecoder, LogScanner, event_abi, topic_filter
from bountychain.sdk._fees import fee_fields, max_gas_price, read_chain_state
from bountychain.sdk._transactions import (
    broadcast,
    estimate_gas,
    prepare_transaction,
    raw_hash,
    send_prepared,
    settle,
    tx_fields,
)
from bountychain.sdk._validation import address_of, as_timestamp, checksum
from bountychain.sdk.constants import BPS, GAS_HEADROOM, MAX_DEADLINE_DURATION


class ClientCore:
    """The state and shared steps of a client (see `BountyClient`, which sets the state)."""

    w3: Web3
    chain_id: int
    address: str
    contract: Contract
    signer: LocalAccount | None
    from_block: int
    deployment: Deployment | None
    fee_caps: FeeCaps
    retry: RetryPolicy
    _events: EventDecoder
    _codecs: dict[tuple[str, str], FunctionCodec]
    _logs: LogScanner
    _poll_latency: float
    _timeout: float
    _token_abi: Any
    _token_info: dict[str, TokenInfo]
    _permit_domains: dict[tuple[str, bytes], dict[str, Any] | None]
    _proposed_splits: dict[bytes, tuple[tuple[int, ...], tuple[int, ...]]]

    # --- amounts and tokens ---------------------------------------------------------------

    def token_info(self, token: str) -> TokenInfo:
        """Symbol and decimals of an ERC-20 (or of ETH for the zero address). The symbol is
        the token's own word, decoded without trusting it (`chainstrings`: invalid UTF-8
        gets U+FFFD; a bytes32 symbol, as some old tokens have, is read too)."""
        token = checksum(token, "token")
        if token not in self._token_info:
            erc20 = self._erc20(token)
            try:
                symbol = self.w3.eth.call({"to": token, "data": erc20.encode_abi("symbol")})
                info = TokenInfo(token, _symbol_text(bytes(symbol)), erc20.functions.decimals().call())
            except Exception as exc:  # no code, or not an ERC-20
                raise InvalidAddress(f"token {token} does not answer symbol() and decimals(): {exc}") from None
            self._token_info[token] = info
        return self._token_info[token]

    def parse_amount(self, text: str, token: str = ETH) -> int:
        """"0.5 ether" for ETH, "100 USDC" for a token (the unit must be its symbol)."""
        info = self.token_info(token)
        return parse_amount(text, symbol=info.symbol, decimals=info.decimals)

    def balance_of(self, account: str | LocalAccount, token: str = ETH) -> int:
        """An account's balance in ETH or a token, in base units."""
        account = address_of(account, "account")
        if checksum(token, "token") == ETH:
            return int(self.w3.eth.get_balance(account))
        return int(self._view(self._token_abi, checksum(token, "token"), "balanceOf", account))

    # --- internals ------------------------------------------------------------------------

    def _require_signer(self) -> LocalAccount:
        if self.signer is None:
            raise NoSigner("this client is read-only: pass a signer to send transactions")
        return self.signer

    def _erc20(self, token: str) -> Contract:
        return self.w3.eth.contract(address=token, abi=self._token_abi)

    def _pending_time(self, known: Bounty | None = None) -> int:
        """The earliest timestamp the next block can have (the latest block's, plus one),
        from a bounty just read when there is one (it carries its block's time)."""
        if known is not None:
            return known.as_of + 1
        return int(self.w3.eth.get_block("latest")["timestamp"]) + 1

    def _check_future_deadline(self, deadline: int | datetime | timedelta) -> int:
        """A deadline (timestamp, aware datetime, or timedelta from the chain's time) that is in
        the future and at most two years ahead, as a timestamp."""
        now = int(self.w3.eth.get_block("latest")["timestamp"])
        deadline = as_timestamp(deadline, now)
        if deadline <= now + 1:
            raise InvalidDeadline(f"deadline {utc(deadline)} is not in the future (chain time is {utc(now)})")
        if deadline > now + MAX_DEADLINE_DURATION:
            raise InvalidDeadline(f"deadline {utc(deadline)} is more than two years ahead (chain time is {utc(now)})")
        return deadline

    def _active_bounty(self, bounty_id: int) -> Bounty:
        bounty = self._bounty_state(bounty_id)
        if bounty.status != BountyStatus.OPEN:
            raise self._refusal("BountyNotOpen", bounty.bounty_id, status=int(bounty.status))
        if self._pending_time(bounty) >= bounty.deadline:
            raise self._refusal("BountyExpired", bounty.bounty_id, deadline=bounty.deadline)
        return bounty

    def _check_new_solution(self, bounty: Bounty, hunter: str, solution_url: str) -> None:
        """Raises DuplicateSolution if `hunter` already registered `solution_url` on `bounty`
        (compared without surrounding spaces). Scans the bounty's claims by that hunter only
        when the bounty has claims at all, so a first claim costs no extra request."""
        if not bounty.claim_count:
            return
        wanted = solution_url.strip()
        for args, _ in self._events_of(self.contract, "SolutionSubmitted",
                                       {"bountyId": bounty.bounty_id, "hunter": hunter}):
            if args["uri"].strip() == wanted:
                raise DuplicateSolution(
                    f"{hunter} already registered {wanted} on bounty {bounty.bounty_id} as claim {args['claimId']}: "
                    "a solution counts once, so nothing was sent")

    def _check_issuer(self, bounty: Bounty) -> None:
        signer = self._require_signer()
        if signer.address != bounty.issuer:
            raise self._refusal("NotIssuer", bounty.bounty_id, caller=signer.address)

    def _amount(self, amount: int | str | Decimal, token: str) -> int:
        """Base units from an int (base units), a string with its unit ("0.5 ETH") or a Decimal
        of whole tokens (Decimal("0.5") is half an ether, or half a USDC)."""
        if isinstance(amount, str):
            amount = self.parse_amount(amount, token)
        elif isinstance(amount, Decimal):
            amount = to_base_units(amount, self.token_info(token).decimals)
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise InvalidAmount(f"amount {amount!r} is not an integer of base units or a string like '1 ether'")
        if amount <= 0:
            raise InvalidAmount(f"amount must be positive, got {amount}")
        return amount

    def _check_balance(self, account: str, token: str, amount: int) -> None:
        balance = self.balance_of(account, token)
        if balance < amount:
            info = self.token_info(token)
            raise InsufficientFunds(f"{account} holds {format_amount(balance, info.decimals, info.symbol)}, "
                                    f"less than the {format_amount(amount, info.decimals, info.symbol)} needed")

    def _check_shares(self, bounty: Bounty, pairs: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
        if not pairs:
            raise InvalidShares("an award names at least one claim")
        claim_ids, shares = [], []
        for claim_id, share in pairs:
            for value, what in ((claim_id, "claim id"), (share, "share")):
                if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                    raise InvalidShares(f"{what} {value!r} is not a positive integer")
            if claim_id > bounty.claim_count:
                raise InvalidShares(f"claim {claim_id} does not exist on bounty {bounty.bounty_id} "
                                    f"({bounty.claim_count} claims)")
            claim_ids.append(claim_id)
            shares.append(share)
        if len(set(claim_ids)) != len(claim_ids):
            raise InvalidShares(f"claim ids repeat: {claim_ids}")
        if sum(shares) != BPS:
            raise InvalidShares(f"shares sum to {sum(shares)} basis points, not {BPS}")
        return claim_ids, shares

    def _approve_exactly(self, token: str, amount: int) -> TxResult | None:
        """Sets the escrow's allowance to exactly `amount` (through 0 first if another
        allowance is set, as USDT-style tokens require)."""
        signer = self._require_signer()
        erc20 = self._erc20(token)
        current = self._view(self._token_abi, token, "allowance", signer.address, self.address)
        if current == amount:
            return None
        if current != 0:
            self._transact(erc20.functions.approve(self.address, 0))
        receipt, _ = self._transact(erc20.functions.approve(self.address, amount))
        return TxResult(**tx_fields(receipt))

    def _transact_many(self, items: list[tuple[ContractFunction, int, int | None]]
                       ) -> list[tuple[TxReceipt, list[tuple[str, Any]]]]:
        """Sends several transactions without waiting for each receipt: one state read, the
        simulations in one batch, nonces counted here (n, n+1, ...), every transaction sent,
        then the receipts collected. All are simulated before any is sent: a refusal raises
        and sends nothing. (value, bounty id) as in `_transact`."""
        signer = self._require_signer()
        state = read_chain_state(self.w3, signer.address, self.retry)
        fees = fee_fields(self.w3, state, self.fee_caps)
        txs = [dict(fn.build_transaction({"from": signer.address, "value": value, "nonce": state.nonce + index,
                                          "chainId": self.chain_id, "gas": state.gas_limit, **fees}))
               for index, (fn, value, _) in enumerate(items)]
        for tx, estimate in zip(txs, self._estimates(txs, [bounty_id for *_, bounty_id in items]), strict=True):
            tx["gas"] = min(int(estimate * GAS_HEADROOM), state.gas_limit)
        most = sum(tx["value"] + tx["gas"] * max_gas_price(tx) for tx in txs)
        if state.balance < most:
            raise InsufficientFunds(f"{signer.address} holds {format_amount(state.balance, 18, 'ETH')}; these "
                                    f"{len(txs)} transactions may cost up to {format_amount(most, 18, 'ETH')}")
        for (fn, value, bounty_id), tx in zip(items, txs, strict=True):
            self.before_send(fn, value=value, bounty_id=bounty_id, tx=tx)
        raws = [bytes(signer.sign_transaction(tx).raw_transaction) for tx in txs]
        hashes = [raw_hash(raw) for raw in raws]
        self._broadcast_all(raws, hashes, txs)
        if supports_batches(self.w3):
            self._await_receipts(hashes)  # every receipt exists: settling reads each once
        return [settle(self.w3, tx_hash, tx, bounty_id=bounty_id, poll_latency=self._poll_latency,
                       timeout=self._timeout, events=self._events)
                for tx_hash, tx, (_, _, bounty_id) in zip(hashes, txs, items, strict=True)]

    def _broadcast_all(self, raws: list[bytes], hashes: list[str], txs: list[dict[str, Any]]) -> None:
        """Sends signed transactions: in one batch over HTTP, then one by one (`broadcast`,
        which settles a lost answer by the hash) for any the batch did not plainly deliver."""
        answers: list[dict[str, Any]] = [{} for _ in raws]
        if supports_batches(self.w3):
            try:
                answers = rpc_batch(self.w3, [("eth_sendRawTransaction", ["0x" + raw.hex()]) for raw in raws],
                                    RetryPolicy(timeout=0))
            except Exception:  # lost or refused as a whole: each is settled below
                pass
        for raw, tx_hash, tx, answer in zip(raws, hashes, txs, answers, strict=True):
            if answer.get("result") != tx_hash:
                broadcast(self.w3, raw, tx_hash, tx, self.retry)

    def _await_receipts(self, hashes: list[str]) -> None:
        """Polls for the receipts of sent transactions, all in one batch each time, until
        every one exists (or the client's timeout passes; settling then says what is known)."""
        waiting = list(hashes)
        deadline = time.monotonic() + self._timeout
        while waiting and time.monotonic() < deadline:
            answers = rpc_batch(self.w3, [("eth_getTransactionReceipt", [tx_hash]) for tx_hash in waiting],
                                self.retry)
            waiting = [tx_hash for tx_hash, answer in zip(waiting, answers, strict=True) if not answer.get("result")]
            if waiting:
                pause(self._poll_latency)

    def _estimates(self, txs: list[dict[str, Any]], bounty_ids: list[int | None]) -> list[int]:
        """The node's gas estimates of the transactions on the pending block: one batch over HTTP."""
        calls = [{key: tx[key] for key in ("from", "to", "data", "value") if key in tx} for tx in txs]
        if not supports_batches(self.w3):
            return [estimate_gas(self.w3, call, bounty_id) for call, bounty_id in zip(calls, bounty_ids, strict=True)]
        answers = rpc_batch(self.w3, [("eth_estimateGas", [{**call, "value": hex(call["value"])}, "pending"])
                                      for call in calls], self.retry)
        estimates = []
        for answer, bounty_id in zip(answers, bounty_ids, strict=True):
            if "error" in answer:
                data = answer["error"].get("data") if isinstance(answer["error"], dict) else None
                if isinstance(data, str) and data.startswith("0x"):
                    raise decode_revert(data, bounty_id=bounty_id)
                raise ContractError(f"the node refused to simulate the transaction: {answer['error']}",
                                    error_name="Revert", bounty_id=bounty_id)
            estimates.append(int(answer["result"], 16))
        return estimates

    def _codec(self, abi: Any, address: str, name: str) -> FunctionCodec:
        codec = self._codecs.get((address, name))
        if codec is None:
            codec = self._codecs[(address, name)] = FunctionCodec(abi, address, name)
        return codec

    def _view(self, abi: Any, address: str, name: str, *args: Any, bounty_id: int | None = None) -> Any:
        """A view function's answer at the latest block (a revert raises its ContractError)."""
        codec = self._codec(abi, address, name)
        with translating_reverts(bounty_id):
            return codec.decode(self.w3.eth.call(codec.call(*args)))  # type: ignore[arg-type]

    def _view_with_block(self, abi: Any, address: str, name: str, *args: Any, bounty_id: int | None = None
                         ) -> tuple[Any, int, int]:
        """(answer, block number, block time) of a view function at the latest block: one
        round trip over HTTP (a batch of the block and the call)."""
        codec = self._codec(abi, address, name)
        if not supports_batches(self.w3):
            block = self.w3.eth.get_block("latest")
            with translating_reverts(bounty_id):
                returned = self.w3.eth.call(codec.call(*args),  # type: ignore[arg-type]
                                            block_identifier=block["number"])
            return codec.decode(returned), int(block["number"]), int(block["timestamp"])
        block_answer, call_answer = rpc_batch(self.w3, [("eth_getBlockByNumber", ["latest", False]),
                                                        ("eth_call", [codec.call(*args), "latest"])], self.retry)
        block = block_answer.get("result")
        if not isinstance(block, dict):
            raise ConnectionError(f"the node did not answer the latest block: {block_answer.get('error')}")
        if "error" in call_answer:
            error = call_answer["error"]
            data = error.get("data") if isinstance(error, dict) else None
            if isinstance(data, str) and data.startswith("0x"):
                raise decode_revert(data, bounty_id=bounty_id)
            raise ConnectionError(f"the node did not answer {codec.name}: {error}")
        return codec.decode(call_answer["result"]), int(block["number"], 16), int(block["timestamp"], 16)

    def _events_of(self, contract: Contract, name: str, filters: dict[str, Any] | None = None,
                   to_block: int | None = None) -> list[tuple[dict[str, Any], Any]]:
        """(args, log) of `contract`'s `name` events from the deployment block, scanned in
        bounded ranges; only logs that really are that event of that contract with those
        indexed values (a node's filter is not trusted), undecodable ones skipped."""
        filters = filters or {}
        event = event_abi(contract, name)
        last = int(self.w3.eth.block_number) if to_block is None else to_block
        found = []
        for log in self._logs.scan(contract.address, topic_filter(event, filters), self.from_block, last):
            decoded = self._events.decode_log(log)
            if decoded is not None and decoded[0] == name and all(
                    decoded[1][key] == value for key, value in filters.items()):
                found.append((decoded[1], log))
        return found

    def _refusal(self, error_name: str, bounty_id: int | None, **args: Any) -> ContractError:
        """The error the contract would raise, raised before sending instead."""
        return error_from_name(error_name, bounty_id=bounty_id, **args)

    # --- extension points ---------------------------------------------------------------

    def before_send(self, fn: ContractFunction, *, value: int, bounty_id: int | None, tx: dict[str, Any]) -> None:
        """Called for every transaction after the client's own checks and the node's
        simulation, with `tx`, the transaction about to be signed (its gas limit and fee
        fields are the ones signed). A subclass can show it, ask for confirmation, or raise
        to cancel (the command line does). Does nothing here."""

    @contextmanager
    def sending(self, fn: ContractFunction) -> Iterator[None]:
        """Wraps signing, sending and waiting for one transaction's receipt (the command
        line shows a progress indicator). Does nothing here."""
        yield

    def _transact(
        self, fn: ContractFunction, *, value: int = 0, bounty_id: int | None = None
    ) -> tuple[TxReceipt, list[tuple[str, Any]]]:
        signer = self._require_signer()
        tx = prepare_transaction(self.w3, signer, fn, value=value, bounty_id=bounty_id, chain_id=self.chain_id,
                                 fee_caps=self.fee_caps, retry=self.retry)
        self.before_send(fn, value=value, bounty_id=bounty_id, tx=tx)
        with self.sending(fn):
            return send_prepared(self.w3, signer, tx, bounty_id=bounty_id, poll_latency=self._poll_latency,
                                 timeout=self._timeout, events=self._events, retry=self.retry)


def _symbol_text(returned: bytes) -> str:
    """An ERC-20 symbol() answer: an ABI string, or a zero-padded bytes32 on old tokens."""
    if len(returned) == 32:
        return chain_text(returned.rstrip(b"\0"))
    (raw,) = abi_decode(["bytes"], returned)  # a string's encoding, read without the text check
    return chain_text(raw)


__all__ = ["ClientCore"]
