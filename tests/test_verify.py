"""Source verification against a local Etherscan-compatible endpoint that does what an
explorer does: recompile the submitted standard-JSON input and compare it, with the
constructor arguments, to the transaction that created the contract."""

import json
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from bountychain import deployments as registry
from bountychain.verify import VerificationError, verify

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "test-key"


def _compile(standard_input: str, contract: str) -> str:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(["node", str(ROOT / "tools" / "solc-standard-json.mjs"), "--out", out.name],
                       input=standard_input.encode(), check=True)
        unit, name = contract.split(":")
        return json.loads(Path(out.name).read_text())["contracts"][unit][name]["evm"]["bytecode"]["object"]


class FakeExplorer(ThreadingHTTPServer):
    """Answers verifysourcecode by recompiling, then checkverifystatus: pending once, then the verdict."""

    def __init__(self, creation_input: str):
        super().__init__(("127.0.0.1", 0), ExplorerHandler)
        self.creation_input = creation_input
        self.submissions: list[dict[str, str]] = []
        self.polls = 0
        self.verdict = "Fail - Unable to verify"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api"


class ExplorerHandler(BaseHTTPRequestHandler):
    server: FakeExplorer

    def log_message(self, *args):  # quiet
        pass

    def _reply(self, payload):
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()}
        self.server.submissions.append(form)
        if form.get("apikey") != API_KEY or form.get("action") != "verifysourcecode":
            return self._reply({"status": "0", "message": "NOTOK", "result": "Invalid API Key"})
        bytecode = _compile(form["sourceCode"], form["contractname"])
        matches = self.server.creation_input == "0x" + bytecode + form["constructorArguements"]
        self.server.verdict = "Pass - Verified" if matches else "Fail - Unable to verify"
        self._reply({"status": "1", "message": "OK", "result": "guid-123"})

    def do_GET(self):
        query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
        assert query["action"] == "checkverifystatus" and query["guid"] == "guid-123"
        self.server.polls += 1
        if self.server.polls == 1:
            return self._reply({"status": "0", "message": "NOTOK", "result": "Pending in queue"})
        ok = self.server.verdict.startswith("Pass")
        self._reply({"status": "1" if ok else "0", "message": "OK" if ok else "NOTOK", "result": self.server.verdict})


@pytest.fixture
def explorer(world):
    tx = world.chain.w3.eth.get_transaction(world.escrow.deployment.tx_hash)
    server = FakeExplorer(tx["input"].to_0x_hex() if hasattr(tx["input"], "to_0x_hex") else tx["input"])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def standard_input(solcjs_compile):
    return solcjs_compile / "BountyEscrow.standard-input.json"


def _record(world):
    return registry.record_for(world.escrow.chain_id, world.escrow.deployment, world.issuer.address)


def test_verification_submits_what_an_explorer_needs_and_passes(world, explorer, standard_input):
    result = verify(_record(world), standard_input, api_url=explorer.url, api_key=API_KEY, poll_interval=0.01)
    assert result == "Pass - Verified"
    (form,) = explorer.submissions
    assert form["contractaddress"] == world.escrow.address
    assert form["codeformat"] == "solidity-standard-json-input"
    assert form["compilerversion"] == "v0.8.37+commit.f401782d"
    assert form["chainid"] == str(world.escrow.chain_id)
    assert explorer.polls == 2  # pending, then verified


def test_verification_with_wrong_constructor_arguments_fails(world, explorer, standard_input):
    record = registry.record_for(world.escrow.chain_id, world.escrow.deployment, world.issuer.address)
    wrong = registry.DeploymentRecord(**{**record.__dict__, "constructor_args": registry.constructor_args(
        world.outsider.address, 100)})
    with pytest.raises(VerificationError, match="Unable to verify"):
        verify(wrong, standard_input, api_url=explorer.url, api_key=API_KEY, poll_interval=0.01)


def test_verification_needs_an_api_key_and_reports_a_refusal(world, explorer, standard_input):
    with pytest.raises(VerificationError, match="API key"):
        verify(_record(world), standard_input, api_url=explorer.url, api_key="", poll_interval=0.01)
    with pytest.raises(VerificationError, match="Invalid API Key"):
        verify(_record(world), standard_input, api_url=explorer.url, api_key="wrong", poll_interval=0.01)


SECRET_KEY = "SECRETKEY1234567890ABCDEFGHIJKLM"


class FailingExplorer(ThreadingHTTPServer):
    """Takes the submission, then fails each poll with HTTP 403 and an error page that echoes
    the request line (as proxies and some explorers do)."""

    def __init__(self):
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, status, body):
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                self._reply(200, json.dumps({"status": "1", "result": "guid-9"}).encode())

            def do_GET(self):
                self._reply(403, f"forbidden: {self.path}".encode())

        super().__init__(("127.0.0.1", 0), Handler)


def _offline_record():
    settings = {"optimizer": {"enabled": True, "runs": 1000}}
    record = registry.DeploymentRecord(
        chain_id=11155111, address="0x" + "11" * 20, block_number=1, tx_hash="0x" + "22" * 32,
        deployer="0x" + "33" * 20, fee_recipient="0x" + "00" * 20, fee_bps=0, constructor_args="0x",
        compiler={"version": "0.8.37+commit.f401782d", "settings": settings}, abi_sha256="")
    return record, {"language": "Solidity", "sources": {}, "settings": settings}


def test_the_api_key_never_reaches_error_text_or_logs(tmp_path, caplog):
    """Issue 18, finding 8: the key travels in the polling URL; an HTTP error, an explorer
    that went away and urllib3's debug log of each request line must not show it."""
    record, standard_input = _offline_record()
    source = tmp_path / "input.json"
    source.write_text(json.dumps(standard_input))
    caplog.set_level("DEBUG")
    server = FailingExplorer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/api"
    try:
        with pytest.raises(VerificationError) as forbidden:
            verify(record, source, api_url=url, api_key=SECRET_KEY, poll_interval=0)
    finally:
        server.shutdown()
        server.server_close()
    assert "HTTP 403" in str(forbidden.value)
    with pytest.raises(VerificationError) as unreachable:  # the explorer is gone: connection refused
        verify(record, source, api_url=url, api_key=SECRET_KEY, poll_interval=0)
    assert "cannot reach the explorer" in str(unreachable.value)
    assert any("GET /api?" in record.getMessage() for record in caplog.records)  # urllib3 logged the poll
    for text in (str(forbidden.value), repr(forbidden.value), str(unreachable.value), caplog.text,
                 *(r.getMessage() for r in caplog.records)):
        assert SECRET_KEY not in text
    for error in (forbidden.value, unreachable.value):  # what a traceback would print, chained errors included
        shown = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
        assert shown is None or SECRET_KEY not in str(shown)
