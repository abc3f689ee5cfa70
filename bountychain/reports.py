"""Private security reports, offline: the commitment a hunter registers as an ordinary claim,
the envelope that carries the report to the bounty's security contact, and the bundle that
reveals it. The chain side (submit, verify) is `BountyClient.submit_report` and
`BountyClient.verify_report` in `bountychain.sdk`.

- **Where the contact's key is named.** The bounty's URI, fixed at creation, carries it in its
  fragment: `https://github.com/org/repo/issues/7#security-key=0x02…` (a compressed secp256k1
  public key, 33 bytes). A fragment is never sent to the issue's server, and the URL still
  opens the issue. `with_security_contact` writes it, `security_contact_of` reads it.
- **The commitment** is an EIP-712 typed-data hash, so anyone can recompute it with standard
  tools (eth-account's `encode_typed_data`, ethers' `TypedDataEncoder.hash`, viem's
  `hashTypedData`):
  domain {name "Bountychain security report", version "1", chainId, verifyingContract = the
  escrow}; message `SecurityReport(uint256 bountyId,address hunter,bytes32 salt,bytes report)`.
  The claim's URI is `bountychain-report:v1:0x<the 32-byte hash>`.
- **The encryption** is ECIES over secp256k1 by eciespy (ecies/py), with its parameters
  pinned here rather than read from its mutable global config: an ephemeral key, ECDH,
  HKDF-SHA256 over ephemeral public key (65 bytes) || shared point (65 bytes), AES-256-GCM with
  a 16-byte nonce; sealed = ephemeral public key || nonce || tag || ciphertext. The same format
  eciesjs, ecies-rs and ecies-go read. Its plaintext is salt (32 bytes) || report.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import ecies
from coincurve import PrivateKey, PublicKey
from ecies.config import Config as EciesConfig
from eth_account.messages import encode_typed_data
from eth_utils import is_address, keccak, to_checksum_address

from bountychain.errors import InvalidReport
from bountychain.issue_urls import SECURITY_KEY_FIELD

REPORT_URI_PREFIX = "bountychain-report:v1:"
SALT_BYTES = 32
REPORT_DOMAIN = {"name": "Bountychain security report", "version": "1"}
REPORT_TYPES = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "SecurityReport": [
        {"name": "bountyId", "type": "uint256"},
        {"name": "hunter", "type": "address"},
        {"name": "salt", "type": "bytes32"},
        {"name": "report", "type": "bytes"},
    ],
}
# Pinned, not eciespy's module-level ECIES_CONFIG, which any importer may change.
ECIES_SCHEME = EciesConfig(elliptic_curve="secp256k1", is_ephemeral_key_compressed=False,
                           is_hkdf_key_compressed=False, symmetric_algorithm="aes-256-gcm", symmetric_nonce_length=16)
ENVELOPE_KIND = "bountychain-security-report-envelope"
BUNDLE_KIND = "bountychain-security-report"
_URI = re.compile(r"^bountychain-report:v1:0x([0-9a-f]{64})$")
_HEX_KEY = re.compile(r"^0x(0[23][0-9a-fA-F]{64}|04[0-9a-fA-F]{128})$")


# --- the commitment ---------------------------------------------------------------------------


def report_typed_data(*, chain_id: int, escrow: str, bounty_id: int, hunter: str, salt: bytes,
                      report: bytes) -> dict[str, Any]:
    """The EIP-712 typed data whose hash is the commitment (give it to any EIP-712 tool)."""
    return {"types": REPORT_TYPES, "primaryType": "SecurityReport",
            "domain": {**REPORT_DOMAIN, "chainId": chain_id, "verifyingContract": _address(escrow, "escrow")},
            "message": {"bountyId": bounty_id, "hunter": _address(hunter, "hunter"), "salt": salt, "report": report}}


def report_commitment(*, chain_id: int, escrow: str, bounty_id: int, hunter: str, salt: bytes, report: bytes) -> bytes:
    """keccak256(0x19 0x01 || domainSeparator || hashStruct(SecurityReport)): 32 bytes."""
    if len(salt) != SALT_BYTES:
        raise InvalidReport(f"the salt must be {SALT_BYTES} bytes, not {len(salt)}")
    signable = encode_typed_data(full_message=report_typed_data(
        chain_id=chain_id, escrow=escrow, bounty_id=bounty_id, hunter=hunter, salt=salt, report=report))
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


def commitment_uri(commitment: bytes) -> str:
    """The claim URI that registers a commitment: `bountychain-report:v1:0x<64 hex>`."""
    return REPORT_URI_PREFIX + "0x" + commitment.hex()


def commitment_of_uri(uri: str) -> bytes | None:
    """The commitment a claim URI registers, or None if it is not a report commitment."""
    match = _URI.match(uri) if isinstance(uri, str) else None
    return bytes.fromhex(match.group(1)) if match else None


def is_report_uri(uri: str) -> bool:
    # Most claims are links: the prefix rules them out before the pattern is tried.
    return isinstance(uri, str) and uri.startswith(REPORT_URI_PREFIX) and _URI.match(uri) is not None


# --- the security contact's key ---------------------------------------------------------------


def public_key_hex(key: str | bytes) -> str:
    """A secp256k1 public key (hex or bytes, compressed or not) in its one written form:
    0x + the 33-byte compressed encoding. Raises InvalidReport for anything else."""
    if isinstance(key, str):
        if not _HEX_KEY.match(key):
            raise InvalidReport(f"{key!r} is not a secp256k1 public key (0x + 66 or 130 hex digits)")
        key = bytes.fromhex(key[2:])
    try:
        return "0x" + PublicKey(bytes(key)).format(compressed=True).hex()
    except (ValueError, TypeError):
        raise InvalidReport("that is not a point on secp256k1: not a public key") from None


def public_key_of(account: Any) -> str:
    """The public key of an account's private key (a LocalAccount from a keystore)."""
    key = getattr(account, "key", None)
    if key is None:
        raise InvalidReport("this signer holds no private key here (a hardware or ape account): "
                            "use a keystore account (--account or --keystore)")
    return "0x" + PrivateKey(bytes(key)).public_key.format(compressed=True).hex()


def with_security_contact(issue_url: str, public_key: str | bytes) -> str:
    """The bounty URI that names `public_key` as the security contact: the issue URL with the
    fragment `#security-key=0x…`. Refuses a URL that has a fragment already."""
    if not isinstance(issue_url, str) or urlsplit(issue_url).fragment or issue_url.endswith("#"):
        raise InvalidReport(f"{issue_url!r} already has a #fragment: give the issue URL without it")
    return f"{issue_url}#{SECURITY_KEY_FIELD}={public_key_hex(public_key)}"


def security_contact_of(bounty_uri: str) -> str | None:
    """The security contact key a bounty's URI names, or None if it names none. A malformed
    key is an error, not None: a hunter must never encrypt to a key nobody meant."""
    try:
        fragment = urlsplit(bounty_uri).fragment
    except ValueError:
        return None
    fields = dict(part.partition("=")[::2] for part in fragment.split("&") if part)
    value = fields.get(SECURITY_KEY_FIELD)
    return None if value is None else public_key_hex(value)


# --- sealing and opening ----------------------------------------------------------------------


def seal(public_key: str, plaintext: bytes) -> bytes:
    return ecies.encrypt(bytes.fromhex(public_key_hex(public_key)[2:]), plaintext, ECIES_SCHEME)


def unseal(account: Any, sealed: bytes) -> bytes:
    key = getattr(account, "key", None)
    if key is None:
        raise InvalidReport("this signer holds no private key here: use a keystore account")
    try:
        return ecies.decrypt(bytes(key), sealed, ECIES_SCHEME)
    except (ValueError, TypeError):
        # AES-GCM refused the tag: not this key, or the ciphertext changed. Never echo the key.
        raise InvalidReport("the report does not open with this key (another key, or an altered ciphertext)") from None


@dataclass(frozen=True)
class ReportBundle:
    """A report with everything needed to check it against its claim. Published, it is the
    reveal; `BountyClient.verify_report` checks it. The report and salt never show in repr."""

    chain_id: int
    escrow: str
    bounty_id: int
    hunter: str
    claim_id: int | None
    salt: bytes = field(repr=False)
    report: bytes = field(repr=False)

    @property
    def commitment(self) -> bytes:
        return report_commitment(chain_id=self.chain_id, escrow=self.escrow, bounty_id=self.bounty_id,
                                 hunter=self.hunter, salt=self.salt, report=self.report)

    @property
    def uri(self) -> str:
        return commitment_uri(self.commitment)

    def to_json(self) -> str:
        return json.dumps({"kind": BUNDLE_KIND, "version": 1, "chain_id": self.chain_id, "escrow": self.escrow,
                           "bounty_id": self.bounty_id, "claim_id": self.claim_id, "hunter": self.hunter,
                           "commitment": "0x" + self.commitment.hex(), "salt": "0x" + self.salt.hex(),
                           "report": "0x" + self.report.hex()}, indent=2)

    @classmethod
    def from_json(cls, text: str | dict[str, Any]) -> ReportBundle:
        data = _json_object(text, BUNDLE_KIND, "revealed report")
        try:
            bundle = cls(_int(data, "chain_id"), _address(data.get("escrow"), "escrow"), _int(data, "bounty_id"),
                         _address(data.get("hunter"), "hunter"), _optional_int(data, "claim_id"),
                         _hex_bytes(data, "salt"), _hex_bytes(data, "report"))
        except KeyError as exc:
            raise InvalidReport(f"not a revealed report: {exc}") from None
        if len(bundle.salt) != SALT_BYTES:
            raise InvalidReport(f"not a revealed report: the salt has {len(bundle.salt)} bytes, not {SALT_BYTES}")
        if "commitment" in data and data["commitment"] != "0x" + bundle.commitment.hex():
            raise InvalidReport("the bundle's commitment does not match its report, salt, hunter, bounty, chain "
                                "and escrow: it was altered")
        return bundle


@dataclass(frozen=True)
class SealedReport:
    """What a hunter sends to the security contact: the report and its salt, encrypted to the
    bounty's contact key and (so the hunter can reveal it later) to the hunter's own key,
    with the public facts of its claim. Holds no plaintext; safe to store or send."""

    chain_id: int
    escrow: str
    bounty_id: int
    claim_id: int | None  # None until a signed (gasless) registration is relayed
    hunter: str
    commitment: bytes
    contact_key: str
    hunter_key: str
    for_contact: bytes = field(repr=False)
    for_hunter: bytes = field(repr=False)

    @property
    def uri(self) -> str:
        return commitment_uri(self.commitment)

    def to_json(self) -> str:
        return json.dumps({"kind": ENVELOPE_KIND, "version": 1, "chain_id": self.chain_id, "escrow": self.escrow,
                           "bounty_id": self.bounty_id, "claim_id": self.claim_id, "hunter": self.hunter,
                           "commitment": "0x" + self.commitment.hex(), "contact_key": self.contact_key,
                           "hunter_key": self.hunter_key, "scheme": "ECIES secp256k1 HKDF-SHA256 AES-256-GCM",
                           "for_contact": "0x" + self.for_contact.hex(), "for_hunter": "0x" + self.for_hunter.hex()},
                          indent=2)

    @classmethod
    def from_json(cls, text: str | dict[str, Any]) -> SealedReport:
        data = _json_object(text, ENVELOPE_KIND, "sealed report")
        try:
            return cls(_int(data, "chain_id"), _address(data.get("escrow"), "escrow"), _int(data, "bounty_id"),
                       _optional_int(data, "claim_id"), _address(data.get("hunter"), "hunter"),
                       _hex_bytes(data, "commitment"), public_key_hex(data["contact_key"]),
                       public_key_hex(data["hunter_key"]), _hex_bytes(data, "for_contact"),
                       _hex_bytes(data, "for_hunter"))
        except KeyError as exc:
            raise InvalidReport(f"not a sealed report: {exc}") from None


def seal_report(*, chain_id: int, escrow: str, bounty_id: int, hunter: Any, contact_key: str, salt: bytes,
                report: bytes, claim_id: int | None = None) -> SealedReport:
    """Encrypts salt || report to the contact's key and to the hunter's (an account with its key)."""
    bundle = ReportBundle(chain_id, _address(escrow, "escrow"), bounty_id, hunter.address, claim_id, salt, report)
    hunter_key = public_key_of(hunter)
    return SealedReport(chain_id, bundle.escrow, bounty_id, claim_id, hunter.address, bundle.commitment,
                        public_key_hex(contact_key), hunter_key, seal(contact_key, salt + report),
                        seal(hunter_key, salt + report))


def decrypt_report(envelope: SealedReport, account: Any) -> ReportBundle:
    """Opens an envelope with the security contact's key or the hunter's, and checks that what
    it holds is what the envelope commits to (so an envelope moved to another bounty, chain,
    escrow or hunter does not open as theirs)."""
    mine = public_key_of(account)
    if mine == envelope.contact_key:
        sealed = envelope.for_contact
    elif mine == envelope.hunter_key:
        sealed = envelope.for_hunter
    else:
        raise InvalidReport(f"the account {account.address} is neither this bounty's security contact "
                            f"(key {envelope.contact_key}) nor the hunter who sealed it ({envelope.hunter})")
    opened = unseal(account, sealed)
    if len(opened) < SALT_BYTES:
        raise InvalidReport("the envelope holds no salt: it was not sealed by bountychain")
    bundle = ReportBundle(envelope.chain_id, envelope.escrow, envelope.bounty_id, envelope.hunter,
                          envelope.claim_id, opened[:SALT_BYTES], opened[SALT_BYTES:])
    if bundle.commitment != envelope.commitment:
        raise InvalidReport("the envelope's report does not match its commitment: it was altered or moved "
                            "from another bounty, chain, escrow or hunter")
    return bundle


# --- JSON fields ------------------------------------------------------------------------------


def _json_object(text: str | dict[str, Any], kind: str, what: str) -> dict[str, Any]:
    try:
        data = json.loads(text) if isinstance(text, str) else text
    except json.JSONDecodeError as exc:
        raise InvalidReport(f"not a {what}: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(data, dict) or data.get("kind") != kind or data.get("version") != 1:
        raise InvalidReport(f"not a {what} (expected kind {kind!r}, version 1)")
    return data


def _address(value: Any, name: str) -> str:
    # eth-utils refuses a mixed-case address whose checksum is wrong (a mistyped one).
    if not isinstance(value, str) or not is_address(value):
        raise InvalidReport(f"{name}: {value!r} is not a 20-byte hex address (or its checksum is wrong)")
    return to_checksum_address(value)


def _int(data: dict[str, Any], name: str) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidReport(f"{name} must be a non-negative integer, not {value!r}")
    return value


def _optional_int(data: dict[str, Any], name: str) -> int | None:
    return None if data.get(name) is None else _int(data, name)


def _hex_bytes(data: dict[str, Any], name: str) -> bytes:
    value = data.get(name)
    if not isinstance(value, str) or not value.startswith("0x"):
        raise InvalidReport(f"{name} must be 0x-prefixed hex")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise InvalidReport(f"{name} is not hex") from None


__all__ = ["BUNDLE_KIND", "ECIES_SCHEME", "ENVELOPE_KIND", "REPORT_DOMAIN", "REPORT_TYPES", "REPORT_URI_PREFIX",
           "SALT_BYTES", "SECURITY_KEY_FIELD", "ReportBundle", "SealedReport", "commitment_of_uri", "commitment_uri",
           "decrypt_report", "is_report_uri", "public_key_hex", "public_key_of", "report_commitment",
           "report_typed_data", "seal", "seal_report", "security_contact_of", "unseal", "with_security_contact"]
