"""Development chains: the in-process EVM (eth-tester with py-evm) and a real anvil node.

Both give the same handle: a connected `w3`, funded throwaway accounts, control of the
clock, and snapshots. The demo, the tests and the gas benchmark run on either.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any, Protocol

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from bountychain.errors import BountychainError

DEFAULT_FUNDING_WEI = 10_000 * 10**18


class DevChain(Protocol):
    """What the demo, the tests and the benchmark need from a development chain."""

    w3: Web3

    def new_account(self, wei: int = DEFAULT_FUNDING_WEI) -> LocalAccount:
        """A fresh random account holding `wei`."""

    def now(self) -> int:
        """The timestamp of the latest block."""

    def set_next_block_timestamp(self, timestamp: int) -> None:
        """Mines a block at `timestamp - 1`; the next block (the next transaction's) gets
        exactly `timestamp`."""

    def snapshot(self) -> Any:
        """Saves the chain's state; `revert` returns to it."""

    def revert(self, snapshot_id: Any) -> None:
        """Returns to a saved state."""

    def close(self) -> None:
        """Releases the chain (stops a node)."""


class InProcessChain:
    """An EVM inside this Python process: no node to start, about 30 transactions a second."""

    def __init__(self) -> None:
        # Imported here: eth-tester and py-evm are needed only for the in-process chain.
        from eth_tester import EthereumTester
        from web3 import EthereumTesterProvider

        self.tester = EthereumTester()
        self.w3 = Web3(EthereumTesterProvider(self.tester))
        self._faucet = self.tester.get_accounts()[0]

    def new_account(self, wei: int = DEFAULT_FUNDING_WEI) -> LocalAccount:
        account = Account.create()
        if wei:
            self.tester.send_transaction(
                {"from": self._faucet, "to": account.address, "value": wei, "gas": 21_000}
            )
        return account

    def now(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def set_next_block_timestamp(self, timestamp: int) -> None:
        # eth-tester mines a block one second earlier, so the next block is exactly `timestamp`.
        self.tester.time_travel(timestamp)

    def snapshot(self) -> Any:
        return self.tester.take_snapshot()

    def revert(self, snapshot_id: Any) -> None:
        self.tester.revert_to_snapshot(snapshot_id)

    def close(self) -> None:
        pass

    def __enter__(self) -> InProcessChain:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class NodeError(BountychainError):
    """The anvil node could not be found or started."""


def find_anvil() -> str:
    """The anvil binary: $BOUNTYCHAIN_ANVIL, else `anvil` on PATH, else the npm package's
    binary in a node_modules/.bin of this directory, the package's, or a parent of either."""
    configured = os.environ.get("BOUNTYCHAIN_ANVIL")
    if configured:
        return configured
    on_path = shutil.which("anvil")
    if on_path:
        return on_path
    here = Path(__file__).resolve().parent
    for folder in (Path.cwd(), *Path.cwd().parents, here, *here.parents):
        candidate = folder / "node_modules" / ".bin" / "anvil"
        if candidate.exists():
            return str(candidate)
    raise NodeError("anvil not found: run `npm ci` (it installs @foundry-rs/anvil) or set BOUNTYCHAIN_ANVIL")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _is_free(port: int) -> bool:
    """Whether nothing listens on the loopback `port` (a closed connection's TIME_WAIT does not count)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class AnvilNode:
    """A real anvil node on a loopback port, started and stopped by this object."""

    def __init__(self, *, chain_id: int = 31337, port: int | None = None, startup_timeout: float = 30.0) -> None:
        self.chain_id = chain_id
        if port and not _is_free(port):
            # anvil would fail to listen, and this object would find whatever answers there.
            raise NodeError(f"port {port} on 127.0.0.1 is already in use (another node?): give another port, "
                            "or none for a free one")
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [find_anvil(), "--port", str(self.port), "--chain-id", str(chain_id), "--silent"]
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.w3 = Web3(Web3.HTTPProvider(self.url, request_kwargs={"timeout": 30}))
        deadline = time.monotonic() + startup_timeout
        while not self._answers():
            if self._process.poll() is not None:
                stderr = self._process.stderr.read().decode(errors="replace") if self._process.stderr else ""
                raise NodeError(f"anvil exited with code {self._process.returncode}: {stderr.strip()}")
            if time.monotonic() > deadline:
                self.close()
                raise NodeError(f"anvil did not answer on {self.url} within {startup_timeout} s")
            time.sleep(0.05)

    def _answers(self) -> bool:
        try:
            return self.w3.eth.chain_id == self.chain_id
        except Exception:  # connection refused while it starts
            return False

    def _rpc(self, method: str, params: list[Any]) -> Any:
        response = self.w3.provider.make_request(method, params)  # type: ignore[arg-type]
        if "error" in response:
            raise NodeError(f"{method} failed: {response['error']}")
        return response.get("result")

    def new_account(self, wei: int = DEFAULT_FUNDING_WEI) -> LocalAccount:
        account = Account.create()
        self._rpc("anvil_setBalance", [account.address, hex(wei)])
        return account

    def now(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def set_next_block_timestamp(self, timestamp: int) -> None:
        # Mine a block one second earlier, as eth-tester does, so that both chains read the
        # same time (latest block = timestamp - 1) before the next transaction.
        self._rpc("evm_setNextBlockTimestamp", [timestamp - 1])
        self._rpc("evm_mine", [])
        self._rpc("evm_setNextBlockTimestamp", [timestamp])

    def snapshot(self) -> Any:
        return self._rpc("evm_snapshot", [])

    def revert(self, snapshot_id: Any) -> None:
        if not self._rpc("evm_revert", [snapshot_id]):
            raise NodeError(f"anvil could not revert to snapshot {snapshot_id}")

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process.stderr:
            self._process.stderr.close()

    def __enter__(self) -> AnvilNode:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
