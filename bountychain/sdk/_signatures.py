"""Signatures: EIP-712 signed solution registrations (sign, check, relay) and EIP-2612
permits for one-transaction token pledges."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data

from bountychain._artifacts import load_artifact
from bountychain.errors import InvalidDeadline, InvalidInput, InvalidSignature
from bountychain.results import SignedSolution, SolutionResult
from bountychain.sdk._core import ClientCore
from bountychain.sdk._transactions import one_event, tx_fields
from bountychain.sdk._validation import as_timestamp, check_solution_url, checksum
from bountychain.sdk.constants import SIGNED_SOLUTION_VALIDITY


# secp256k1's group order: a signature with s above half of it is malleable (EIP-2).
_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_EIP712_DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
_SUBMIT_SOLUTION_TYPE = [
    {"name": "bountyId", "type": "uint256"},
    {"name": "uri", "type": "string"},
    {"name": "hunter", "type": "address"},
    {"name": "nonce", "type": "uint256"},
    {"name": "expiry", "type": "uint256"},
]
_PERMIT_TYPE = [
    {"name": "owner", "type": "address"},
    {"name": "spender", "type": "address"},
    {"name": "value", "type": "uint256"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]


class SignatureOperations(ClientCore):
    """Off-chain signatures: solutions anyone can relay, and token permits."""

    def eip712_domain(self) -> dict[str, Any]:
        """The escrow's EIP-712 domain (EIP-5267), as eth-account's typed data takes it."""
        _, name, version, chain_id, verifying_contract, _, _ = self.contract.functions.eip712Domain().call()
        return {"name": name, "version": version, "chainId": chain_id, "verifyingContract": verifying_contract}

    def sign_solution(
        self,
        bounty_id: int,
        solution_url: str,
        *,
        expiry: int | datetime | None = None,
        nonce: int | None = None,
    ) -> SignedSolution:
        """Signs, off-chain and without gas, the registration of a solution by the signer;
        anyone can relay the result with `relay_solution`. The signature binds this chain,
        this escrow, the bounty, the URL, a nonce (random unless given: nonces are unordered,
        so an expired or failed signature never blocks another) and an expiry (default: in
        7 days)."""
        check_solution_url(solution_url, "solution_url")
        signer = self._require_signer()
        self._check_new_solution(self._active_bounty(bounty_id), signer.address, solution_url)
        now = self._pending_time()
        expiry_ts = now + SIGNED_SOLUTION_VALIDITY if expiry is None else as_timestamp(expiry)
        if expiry_ts < now:
            raise InvalidDeadline(f"expiry {expiry_ts} is in the past (chain time is {now - 1})")
        if nonce is None:
            nonce = secrets.randbits(248)
        elif isinstance(nonce, bool) or not isinstance(nonce, int) or nonce < 0:
            raise InvalidInput(f"nonce must be a non-negative integer, got {nonce!r}")
        payload = SignedSolution(self.chain_id, self.address, bounty_id, solution_url, signer.address, nonce,
                                 expiry_ts, "")
        signed = signer.sign_message(encode_typed_data(full_message=self._solution_typed_data(payload)))
        return SignedSolution(**{**payload.__dict__, "signature": "0x" + bytes(signed.signature).hex()})

    def relay_solution(self, payload: SignedSolution | str | dict[str, Any]) -> SolutionResult:
        """Sends a solution registration signed by a hunter (`sign_solution`), paying the gas
        from this client's signer; the claim belongs to the hunter. Refuses, before sending,
        a payload for another chain or escrow, expired, with a used nonce, or whose
        signature is not the hunter's."""
        try:
            signed = payload if isinstance(payload, SignedSolution) else SignedSolution.from_json(payload)
        except (ValueError, TypeError) as exc:
            raise InvalidSignature(f"not a signed solution: {exc}") from None
        self.check_signed_solution(signed)
        fn = self.contract.functions.submitSolutionBySig(
            signed.bounty_id, signed.uri, signed.hunter, signed.nonce, signed.expiry,
            bytes.fromhex(signed.signature.removeprefix("0x")),
        )
        receipt, events = self._transact(fn, bounty_id=signed.bounty_id)
        submitted = one_event(events, "SolutionSubmitted")
        return SolutionResult(**tx_fields(receipt), bounty_id=signed.bounty_id, claim_id=submitted["claimId"],
                              hunter=submitted["hunter"], uri=submitted["uri"])

    def check_signed_solution(self, signed: SignedSolution) -> None:
        """Raises InvalidSignature if the escrow would refuse this signed registration."""
        if signed.chain_id != self.chain_id:
            raise InvalidSignature(f"signed for chain {signed.chain_id}, but this is chain {self.chain_id}")
        if checksum(signed.escrow, "escrow") != self.address:
            raise InvalidSignature(f"signed for the escrow at {signed.escrow}, not {self.address}")
        hunter = checksum(signed.hunter, "hunter")
        check_solution_url(signed.uri, "solution uri")
        for value, what in ((signed.nonce, "nonce"), (signed.expiry, "expiry")):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidSignature(f"{what} {value!r} is not a non-negative integer")
        now = self._pending_time()
        if signed.expiry < now:
            raise InvalidSignature(f"the signature expired at {signed.expiry} (chain time is {now - 1})")
        if self.contract.functions.nonceUsed(hunter, signed.nonce).call():
            raise self._refusal("NonceUsed", signed.bounty_id, hunter=hunter, nonce=signed.nonce)
        try:
            signature = bytes.fromhex(signed.signature.removeprefix("0x"))
        except (ValueError, AttributeError):
            raise InvalidSignature("the signature is not hex") from None
        code = bytes(self.w3.eth.get_code(hunter))
        # Contract wallets are checked by the escrow (ERC-1271); an EIP-7702 delegated account
        # (code 0xef0100 + address) still signs with its key.
        if not code or code.startswith(b"\xef\x01\x00"):
            if len(signature) != 65:
                raise InvalidSignature(f"the signature has {len(signature)} bytes instead of 65")
            if int.from_bytes(signature[32:64], "big") > _SECP256K1_N // 2:
                raise InvalidSignature("the signature is malleable (high s): the escrow refuses it")
            message = encode_typed_data(full_message=self._solution_typed_data(signed))
            try:
                recovered = Account.recover_message(message, signature=signature)
            except Exception:
                raise InvalidSignature("the signature does not recover to any address") from None
            if recovered != hunter:
                raise InvalidSignature(f"the signature is by {recovered}, not the hunter {hunter}")
        self._check_new_solution(self._active_bounty(signed.bounty_id), hunter, signed.uri)

    def _solution_typed_data(self, signed: SignedSolution) -> dict[str, Any]:
        domain = {**self.eip712_domain(), "chainId": signed.chain_id, "verifyingContract": signed.escrow}
        return {
            "types": {"EIP712Domain": _EIP712_DOMAIN_TYPE, "SubmitSolution": _SUBMIT_SOLUTION_TYPE},
            "primaryType": "SubmitSolution",
            "domain": domain,
            "message": {"bountyId": signed.bounty_id, "uri": signed.uri, "hunter": signed.hunter,
                        "nonce": signed.nonce, "expiry": signed.expiry},
        }

    def supports_permit(self, token: str) -> bool:
        """True if the token implements EIP-2612 permit (`DOMAIN_SEPARATOR()`, `nonces()`,
        and a domain the SDK can reproduce)."""
        return self._permit_domain(checksum(token, "token")) is not None

    def sign_permit(self, token: str, value: int, deadline: int, *,
                    domain: dict[str, Any] | None = None) -> tuple[int, bytes, bytes]:
        """Signs an EIP-2612 permit for the escrow to pull exactly `value` of `token` from the
        signer until `deadline`; returns (v, r, s)."""
        signer = self._require_signer()
        domain = domain or self._permit_domain(token)
        if domain is None:
            raise InvalidInput(f"token {token} does not support EIP-2612 permit")
        nonce = int(self.w3.eth.contract(address=token, abi=_permit_abi()).functions.nonces(signer.address).call())
        typed = {
            "types": {"EIP712Domain": _EIP712_DOMAIN_TYPE, "Permit": _PERMIT_TYPE},
            "primaryType": "Permit",
            "domain": domain,
            "message": {"owner": signer.address, "spender": self.address, "value": value, "nonce": nonce,
                        "deadline": deadline},
        }
        signed = signer.sign_message(encode_typed_data(full_message=typed))
        return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")

    def _permit_domain(self, token: str) -> dict[str, Any] | None:
        """The token's EIP-712 domain if it supports EIP-2612 and the domain read from it
        (EIP-5267 `eip712Domain()`, else its name and version "1") hashes to its
        `DOMAIN_SEPARATOR()`; None otherwise. The separator is read every time and the rest
        once per (token, separator): what is cached is only ever used for the very domain it
        was checked against (an address can hold another token on a reverted dev chain)."""
        try:
            separator = bytes(self._view(_permit_abi(), token, "DOMAIN_SEPARATOR"))
        except Exception:  # not EIP-2612
            return None
        if (token, separator) not in self._permit_domains:
            self._permit_domains[(token, separator)] = self._read_permit_domain(token, separator)
        return self._permit_domains[(token, separator)]

    def _read_permit_domain(self, token: str, separator: bytes) -> dict[str, Any] | None:
        contract = self.w3.eth.contract(address=token, abi=_permit_abi())
        try:
            contract.functions.nonces(self.address).call()
        except Exception:  # not EIP-2612
            return None
        try:
            _, name, version, chain_id, verifying_contract, _, _ = contract.functions.eip712Domain().call()
            domain = {"name": name, "version": version, "chainId": chain_id, "verifyingContract": verifying_contract}
        except Exception:
            try:
                domain = {"name": contract.functions.name().call(), "version": "1", "chainId": self.chain_id,
                          "verifyingContract": token}
            except Exception:
                return None
        probe = {"types": {"EIP712Domain": _EIP712_DOMAIN_TYPE, "Permit": _PERMIT_TYPE}, "primaryType": "Permit",
                 "domain": domain, "message": {"owner": token, "spender": token, "value": 0, "nonce": 0,
                                               "deadline": 0}}
        if bytes(encode_typed_data(full_message=probe).header) != separator:
            return None  # a domain we cannot reproduce: approve instead
        return domain


def _permit_abi() -> Any:
    return load_artifact("TestPermitToken").abi


__all__ = ["SignatureOperations"]
