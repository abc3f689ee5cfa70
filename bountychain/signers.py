"""Signers: a private key or an encrypted keystore file (eth-account). Keys are never
printed or logged: errors name the file, never its content."""

from __future__ import annotations

import json
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from bountychain.errors import InvalidInput


def from_private_key(private_key: str | bytes) -> LocalAccount:
    """A signer from a 32-byte private key (hex or bytes)."""
    try:
        return Account.from_key(private_key)
    except Exception:
        # The exception text could echo the key: say only what was wrong.
        raise InvalidInput("not a valid 32-byte private key") from None


def from_keystore(path: str | Path, password: str) -> LocalAccount:
    """A signer from an encrypted JSON keystore (the Web3 Secret Storage format)."""
    path = Path(path)
    try:
        keystore = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"cannot read keystore {path}: {exc.__class__.__name__}") from None
    if not isinstance(keystore, dict) or "crypto" not in {k.lower() for k in keystore}:
        raise InvalidInput(f"{path} is not an encrypted keystore (no 'crypto' section)")
    try:
        key = Account.decrypt(keystore, password)
    except ValueError as exc:
        wrong_password = "MAC mismatch" in str(exc)
        raise InvalidInput(
            f"wrong password for keystore {path}" if wrong_password else f"cannot decrypt keystore {path}"
        ) from None
    except (KeyError, TypeError):
        raise InvalidInput(f"{path} is not a valid keystore") from None
    return Account.from_key(key)


def write_keystore(account: LocalAccount, path: str | Path, password: str) -> Path:
    """Encrypts an account into a keystore file readable only by its owner."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(Account.encrypt(account.key, password)))
    path.chmod(0o600)
    return path
