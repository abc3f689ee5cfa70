"""`bountychain report contact-url | submit | decrypt | reveal | verify`, end to end: real
subprocesses against a real anvil node, keys in the accounts' keystores. The report's
plaintext, its salt and every private key are checked absent from every output, and the files
written are 0600."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from bountychain import AnvilNode, BountyClient
from bountychain import deployments as registry
from bountychain.reports import ReportBundle, SealedReport, decrypt_report

pytestmark = pytest.mark.anvil

REPO = Path(__file__).resolve().parents[1]
ISSUE = "https://github.com/bountychain/toolkit/issues/77"
PASSWORD = "correct horse battery staple"
ETHER = 10**18
REPORT = "Heap overflow in parse_header(): a 70 000-byte Host header overwrites the session table.\n"


class Cli:
    def __init__(self, node: AnvilNode, root: Path) -> None:
        self.root = root
        self.env = {key: value for key, value in os.environ.items()
                    if not key.startswith(("BOUNTYCHAIN_", "APE_", "XDG_CONFIG_HOME"))}
        self.env.update({"BOUNTYCHAIN_RPC": node.url, "BOUNTYCHAIN_DEPLOYMENTS": str(root / "deployments"),
                         "BOUNTYCHAIN_PASSWORD": PASSWORD, "XDG_CONFIG_HOME": str(root / "config"),
                         "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
                         "PYTHONIOENCODING": "utf-8"})
        self.secrets: list[str] = []  # lowercase; never in any output
        self.outputs: list[str] = []

    def run(self, *args: str, key: Any = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
        env = dict(self.env)
        if key is not None:
            env["BOUNTYCHAIN_PRIVATE_KEY"] = "0x" + bytes(key.key).hex()
        proc = subprocess.run([sys.executable, "-m", "bountychain.cli", *args], input=stdin, capture_output=True,
                              text=True, env=env, cwd=self.root, timeout=180)
        output = (proc.stdout + proc.stderr).lower()
        self.outputs.append(output)
        for secret in self.secrets:
            assert secret not in output, f"{args}: the output shows a secret"
        assert "traceback" not in output, proc.stderr
        return proc

    def json(self, *args: str, **kwargs: Any) -> dict[str, Any]:
        proc = self.run("--json", *args, **kwargs)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory):
    node = AnvilNode()
    try:
        root = tmp_path_factory.mktemp("cli-reports")
        issuer, funder, hunter, contact, stranger = (node.new_account() for _ in range(5))
        escrow = BountyClient.deploy(node, issuer, poll_latency=0.01)
        assert escrow.deployment is not None
        registry.save(registry.record_for(node.chain_id, escrow.deployment, issuer.address), root / "deployments")
        cli = Cli(node, root)
        cli.secrets = [bytes(a.key).hex() for a in (issuer, funder, hunter, contact, stranger)]
        cli.secrets += [REPORT.lower().strip(), REPORT.encode().hex()]
        for name, account in (("security", contact), ("hunter", hunter), ("stranger", stranger)):
            cli.json("accounts", "import", name, stdin="0x" + bytes(account.key).hex() + "\n")
        yield cli, node, escrow, {"issuer": issuer, "funder": funder, "hunter": hunter, "contact": contact}
    finally:
        node.close()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_report_is_committed_decrypted_revealed_verified_and_awarded(setup, tmp_path: Path) -> None:
    cli, node, escrow, people = setup
    named = cli.json("--account", "security", "report", "contact-url", ISSUE)
    assert named["uri"] == f"{ISSUE}#security-key={named['security_key']}"
    created = cli.json("--yes", "create", named["uri"], "--deadline", "30d", key=people["issuer"])
    bounty_id = created["bounty_id"]
    escrow.as_signer(people["funder"]).pledge(bounty_id, ETHER)
    finding = tmp_path / "finding.txt"
    finding.write_text(REPORT)

    envelope_path = tmp_path / "finding.envelope.json"
    submitted = cli.json("--yes", "--account", "hunter", "report", "submit", str(bounty_id), str(finding),
                         "--out", str(envelope_path))
    assert _mode(envelope_path) == 0o600
    envelope = SealedReport.from_json(envelope_path.read_text())
    assert (submitted["claim_id"], envelope.claim_id, envelope.contact_key) == (1, 1, named["security_key"])
    claim = escrow.claims(bounty_id)[0]
    assert (claim.hunter, claim.uri) == (people["hunter"].address, submitted["uri"])
    salt = decrypt_report(envelope, people["contact"]).salt.hex()
    cli.secrets.append(salt)
    assert all(salt not in output for output in cli.outputs)

    # The security contact opens it; a stranger's key does not.
    opened_path = tmp_path / "opened.txt"
    opened = cli.json("--account", "security", "report", "decrypt", str(envelope_path), "--out", str(opened_path))
    assert (opened_path.read_text(), _mode(opened_path), opened["verified"], opened["claim_id"]) == (
        REPORT, 0o600, True, 1)
    refused = cli.run("--account", "stranger", "report", "decrypt", str(envelope_path), "--out",
                      str(tmp_path / "stolen.txt"))
    assert refused.returncode == 1 and "neither this bounty's security contact" in refused.stderr
    assert not (tmp_path / "stolen.txt").exists()

    # The hunter reveals it; anyone verifies the published bundle (human words: a date, not a timestamp).
    bundle_path = tmp_path / "finding.reveal.json"
    cli.json("--account", "hunter", "report", "reveal", str(envelope_path), "--out", str(bundle_path))
    assert _mode(bundle_path) == 0o600
    verified = cli.run("report", "verify", str(bundle_path))
    assert verified.returncode == 0, verified.stderr
    block_time = node.w3.eth.get_block(submitted["block_number"])["timestamp"]
    assert "matches claim 1 on bounty" in verified.stdout
    assert datetime.fromtimestamp(block_time, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC") in verified.stdout

    # A changed report fails verification, with a clear reason and exit status 1.
    changed = json.loads(bundle_path.read_text())
    changed["report"] = "0x" + REPORT.replace("70 000", "80 000").encode().hex()
    del changed["commitment"]
    changed_path = tmp_path / "changed.json"
    changed_path.write_text(json.dumps(changed))
    failed = cli.run("report", "verify", str(changed_path))
    assert failed.returncode == 1 and "differ from what was committed" in failed.stderr

    # The approver (the issuer) awards the report claim: the hunter is paid the pool.
    before = node.w3.eth.get_balance(people["hunter"].address)
    escrow.award(bounty_id, {1: 10_000})
    assert node.w3.eth.get_balance(people["hunter"].address) - before == ETHER
    assert ReportBundle.from_json(bundle_path.read_text()).claim_id == 1
    shown = cli.run("show", str(bounty_id)).stdout
    assert "private security report" in shown and "bountychain-report:v1" not in shown  # words, not the raw URI


def test_a_bounty_without_a_contact_key_or_an_existing_out_file_sends_nothing(setup, tmp_path: Path) -> None:
    cli, node, escrow, people = setup
    bounty_id = escrow.create_bounty(ISSUE, node.now() + 30 * 86_400).bounty_id
    finding = tmp_path / "finding.txt"
    finding.write_text(REPORT)
    nonce = node.w3.eth.get_transaction_count(people["hunter"].address)
    refused = cli.run("--yes", "--account", "hunter", "report", "submit", str(bounty_id), str(finding),
                      "--out", str(tmp_path / "e.json"))
    assert refused.returncode == 1 and f"bounty {bounty_id} names no security contact key" in refused.stderr
    existing = tmp_path / "taken.json"
    existing.write_text("{}")
    refused = cli.run("--yes", "--account", "hunter", "report", "submit", str(bounty_id), str(finding),
                      "--out", str(existing))
    assert refused.returncode == 1 and "exists already" in refused.stderr and existing.read_text() == "{}"
    assert node.w3.eth.get_transaction_count(people["hunter"].address) == nonce
    assert not (tmp_path / "e.json").exists()


def test_a_gasless_report_is_signed_relayed_by_another_and_opens_as_the_hunters_claim(setup, tmp_path: Path) -> None:
    cli, node, escrow, people = setup
    named = cli.json("--account", "security", "report", "contact-url", ISSUE)
    bounty_id = escrow.create_bounty(named["uri"], node.now() + 30 * 86_400).bounty_id
    finding = tmp_path / "finding.txt"
    finding.write_text(REPORT)
    hunter_nonce = node.w3.eth.get_transaction_count(people["hunter"].address)
    envelope_path, claim_path = tmp_path / "envelope.json", tmp_path / "claim.json"
    signed = cli.json("--account", "hunter", "report", "sign", str(bounty_id), str(finding), "--out",
                      str(envelope_path), "--claim-out", str(claim_path))
    assert (_mode(envelope_path), _mode(claim_path)) == (0o600, 0o600)
    relayed = cli.json("--yes", "--account", "stranger", "relay", str(claim_path))
    assert (relayed["hunter"], relayed["uri"]) == (people["hunter"].address, signed["uri"])
    assert node.w3.eth.get_transaction_count(people["hunter"].address) == hunter_nonce  # no gas for the hunter
    opened = cli.json("--account", "security", "report", "decrypt", str(envelope_path), "--out",
                      str(tmp_path / "opened.txt"))
    assert (opened["verified"], opened["claim_id"]) == (True, relayed["claim_id"])
