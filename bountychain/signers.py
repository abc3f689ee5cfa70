"""Signers: a private key or an encrypted keystore file (eth-account). Keys are never
printed or logged: errors name the file, never its content."""

from __future__ import annotations

import json
import os
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


def write_keystore(account: LocalAccount, path: str | Path, password: str, *, private_dir: bool = False) -> Path:
    """Encrypts an account into a new keystore file, readable only by its owner from the moment
    it exists (see `write_private_file`). With `private_dir` (a folder of keystores) an existing
    folder that others may read is narrowed to 0700 first."""
    path = Path(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if private_dir and path.parent.stat().st_mode & 0o077:
        path.parent.chmod(0o700)
    return write_private_file(path, json.dumps(Account.encrypt(account.key, password)))


def write_private_file(path: str | Path, content: str | bytes) -> Path:
    """Writes a new file readable only by its owner from the moment it exists (created 0600,
    whatever the umask; never written first and narrowed after); a folder it creates is 0700.
    Refuses to overwrite an existing file or follow a link (FileExistsError)."""
    path = Path(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # O_EXCL: never follow a planted symlink or reuse a file someone else opened already.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(descriptor, 0o600)  # the umask may only have narrowed it; make it exact
    with os.fdopen(descriptor, "wb") as file:
        file.write(content.encode() if isinstance(content, str) else content)
    return path
