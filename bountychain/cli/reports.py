"""`bountychain report contact-url | submit | sign | decrypt | reveal | verify`: private security
reports. The hunter commits on chain to a hash of the report (a claim, so the block time
proves priority) and hands the envelope, encrypted to the bounty's security contact key, to
the contact; later anyone can check a revealed report against that claim.

    bountychain --account security report contact-url https://github.com/o/r/issues/7
    bountychain --account bob report submit 1 finding.txt --out finding.envelope.json
    bountychain --account bob report sign 1 finding.txt --out finding.envelope.json --claim-out claim.json
    bountychain --account carol relay claim.json          # no gas for bob; the claim is his
    bountychain --account security report decrypt finding.envelope.json --out finding.txt
    bountychain --account bob report reveal finding.envelope.json --out finding.reveal.json
    bountychain report verify finding.reveal.json

Keys are the accounts' (keystores, or $BOUNTYCHAIN_PRIVATE_KEY). No command prints or sends a
report's plaintext, its salt or a private key: they go only into the files named by --out,
created readable by their owner alone (0600).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from bountychain.cli._context import Group, command, get_settings
from bountychain.cli._errors import CliInputError
from bountychain.cli._lookups import bounty_line
from bountychain.cli._output import kv_table, utc
from bountychain.cli._params import bounty_id_argument, parse_deadline
from bountychain.cli._session import Plan, connect, tx_rows
from bountychain.cli._signers import load_signer
from bountychain.errors import BountychainError
from bountychain.reports import (
    ReportBundle,
    SealedReport,
    decrypt_report,
    public_key_of,
    with_security_contact,
)
from bountychain.signers import write_private_file

_out_option = click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
                           help="A new file to write (created 0600; an existing file is never overwritten).")


@click.group(cls=Group)
def report() -> None:
    """Private security reports: commit on chain, encrypt to the bounty's security contact."""


def _new_file(path: Path) -> Path:
    """Refuses an --out file that exists, before anything is sent or decrypted."""
    if path.exists() or path.is_symlink():
        raise CliInputError(f"--out {path} exists already: choose a new file (nothing is overwritten)")
    return path


def _read_json(path: Path, kind: type[Any]) -> Any:
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise CliInputError(f"cannot read {path}: {exc.__class__.__name__}") from None
    return kind.from_json(text)


@command("contact-url")
@click.argument("issue_url")
def contact_url(issue_url: str) -> None:
    """The bounty URI naming your account's key as security contact: create the bounty with it."""
    key = public_key_of(load_signer(get_settings()))
    uri = with_security_contact(issue_url, key)
    ui = get_settings().ui

    def human() -> None:
        ui.say(kv_table([("security key", key), ("bounty URI", uri)]))
        ui.note(f'Create the bounty with this URI: bountychain create "{uri}" --deadline 30d')

    ui.emit({"uri": uri, "security_key": key}, human)


@command("submit")
@bounty_id_argument
@click.argument("report_file", type=click.File("rb"))
@_out_option
@click.option("--contact-key", help="The security contact key you expect (e.g. from SECURITY.md); "
                                    "refused unless it is the one the bounty named.")
def submit(bounty_id: int, report_file: Any, out_path: Path, contact_key: str | None) -> None:
    """Commit to REPORT_FILE on chain as your claim, and write its envelope (encrypted) to --out."""
    _new_file(out_path)
    content = report_file.read()
    client = connect(signer=True)
    contact = client.security_contact(bounty_id)
    plan = Plan(f"submit a private security report to bounty {bounty_id}", [
        ("bounty", bounty_line(client, bounty_id)),
        ("report", f"{len(content):,} bytes, encrypted to the security contact key {contact}"),
        ("on chain", "only a hash of it (the commitment), as your claim"),
        ("paid to", f"{client.signer.address if client.signer else '?'} if it wins"),
    ])
    submitted = client.run(plan, lambda: client.submit_report(bounty_id, content, contact_key=contact_key))
    envelope, claim = submitted.envelope, submitted.claim
    write_private_file(out_path, envelope.to_json() + "\n")
    ui = get_settings().ui
    data = {"action": "report submit", "bounty_id": bounty_id, "claim_id": claim.claim_id, "hunter": claim.hunter,
            "commitment": "0x" + envelope.commitment.hex(), "uri": claim.uri, "envelope": str(out_path),
            "contact_key": envelope.contact_key, "tx_hash": claim.tx_hash, "block_number": claim.block_number,
            "gas_used": claim.gas_used, "gas_cost_wei": claim.gas_cost_wei}

    def human() -> None:
        ui.say(f"✓ Committed a private security report as claim {claim.claim_id} on bounty {bounty_id}")
        ui.say(kv_table([("claim", str(claim.claim_id)), ("commitment", data["commitment"]),
                         ("envelope", f"{out_path} (send it to the security contact)"),
                         ("hunter", claim.hunter)] + tx_rows(claim)))

    ui.emit(data, human)


@command("sign")
@bounty_id_argument
@click.argument("report_file", type=click.File("rb"))
@_out_option
@click.option("--claim-out", "claim_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A new file for the signed registration, for anyone to `bountychain relay`.")
@click.option("--contact-key", help="The security contact key you expect; refused unless the bounty named it.")
@click.option("--expiry", default="7d", show_default=True,
              help="Until when a relayer may send it: timestamp, ISO date-time or duration.")
def sign(bounty_id: int, report_file: Any, out_path: Path, claim_path: Path, contact_key: str | None,
         expiry: str) -> None:
    """As `submit`, without gas: sign the commitment's registration for a relayer (`bountychain relay`)."""
    _new_file(out_path)
    _new_file(claim_path)
    content = report_file.read()
    client = connect(signer=True)
    expiry_ts = parse_deadline(expiry, int(client.w3.eth.get_block("latest")["timestamp"]), "--expiry")
    signed = client.sign_report(bounty_id, content, contact_key=contact_key, expiry=expiry_ts)
    write_private_file(out_path, signed.envelope.to_json() + "\n")
    write_private_file(claim_path, signed.signed.to_json() + "\n")
    ui = get_settings().ui

    def human() -> None:
        ui.say(f"✓ Signed a private security report's commitment for bounty {bounty_id} (no gas)")
        ui.say(kv_table([("commitment", "0x" + signed.envelope.commitment.hex()),
                         ("envelope", f"{out_path} (send it to the security contact)"),
                         ("registration", f"{claim_path} (anyone relays it: bountychain relay {claim_path})"),
                         ("valid until", utc(expiry_ts))]))

    ui.emit({"action": "report sign", "bounty_id": bounty_id, "hunter": signed.envelope.hunter,
             "commitment": "0x" + signed.envelope.commitment.hex(), "uri": signed.envelope.uri,
             "envelope": str(out_path), "registration": str(claim_path), "expiry": expiry_ts}, human)


def _open_into(envelope_path: Path, out_path: Path, content: Callable[[ReportBundle], str | bytes]
               ) -> tuple[SealedReport, ReportBundle, str, dict[str, Any]]:
    """Opens ENVELOPE with the signer's key, checks it against the chain, and writes
    `content(bundle)` to a new 0600 file; returns the envelope, the bundle and the check."""
    _new_file(out_path)
    envelope = _read_json(envelope_path, SealedReport)
    bundle = decrypt_report(envelope, load_signer(get_settings()))
    words, status = _on_chain(bundle)
    write_private_file(out_path, content(bundle))
    return envelope, bundle, words, status


def _on_chain(bundle: ReportBundle) -> tuple[str, dict[str, Any]]:
    """Where the report's commitment stands on the chain, in words and as data."""
    client = connect(signer=False)
    try:
        checked = client.verify_report(bundle)
    except BountychainError as exc:
        return f"not verified on chain {client.chain_id}: {exc}", {"verified": False, "problem": str(exc)}
    return (f"claim {checked.claim_id} on bounty {checked.bounty_id}, committed {utc(checked.committed_at)} "
            f"(block {checked.block_number})",
            {"verified": True, "claim_id": checked.claim_id, "committed_at": checked.committed_at,
             "block_number": checked.block_number})


@command("decrypt")
@click.argument("envelope_path", metavar="ENVELOPE", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@_out_option
def decrypt(envelope_path: Path, out_path: Path) -> None:
    """Open ENVELOPE with your key (the security contact's, or the hunter's) into --out."""
    envelope, bundle, words, status = _open_into(envelope_path, out_path, lambda opened: opened.report)
    ui = get_settings().ui

    def human() -> None:
        ui.say(f"✓ Decrypted the report of {envelope.hunter} on bounty {envelope.bounty_id} into {out_path} "
               f"({len(bundle.report):,} bytes)")
        ui.say(kv_table([("on chain", words)]))

    ui.emit({"action": "report decrypt", "bounty_id": envelope.bounty_id, "hunter": envelope.hunter,
             "report_file": str(out_path), "bytes": len(bundle.report), **status}, human)


@command("reveal")
@click.argument("envelope_path", metavar="ENVELOPE", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@_out_option
def reveal(envelope_path: Path, out_path: Path) -> None:
    """Write the publishable bundle (report, salt, hunter, bounty, chain, escrow) of ENVELOPE to --out."""
    envelope, _, words, status = _open_into(envelope_path, out_path, lambda opened: opened.to_json() + "\n")
    ui = get_settings().ui

    def human() -> None:
        ui.say(f"✓ Wrote the reveal of the report on bounty {envelope.bounty_id} to {out_path}: "
               "publishing it discloses the report")
        ui.say(kv_table([("on chain", words)]))

    ui.emit({"action": "report reveal", "bounty_id": envelope.bounty_id, "bundle": str(out_path), **status}, human)


@command("verify")
@click.argument("bundle_path", metavar="BUNDLE", type=click.Path(dir_okay=False, exists=True, path_type=Path))
def verify(bundle_path: Path) -> None:
    """Check a revealed report against its claim on the chain (exit status 1 if it does not match)."""
    bundle = _read_json(bundle_path, ReportBundle)
    checked = connect(signer=False).verify_report(bundle)
    ui = get_settings().ui

    def human() -> None:
        ui.say(f"✓ The report matches claim {checked.claim_id} on bounty {checked.bounty_id}")
        ui.say(kv_table([("hunter", checked.hunter), ("committed", utc(checked.committed_at)),
                         ("block", str(checked.block_number)), ("tx", checked.tx_hash),
                         ("report", f"{len(bundle.report):,} bytes")]))

    ui.emit({"action": "report verify", "verified": True, "bounty_id": checked.bounty_id,
             "claim_id": checked.claim_id, "hunter": checked.hunter, "commitment": "0x" + checked.commitment.hex(),
             "committed_at": checked.committed_at, "block_number": checked.block_number, "tx_hash": checked.tx_hash},
            human)


for _subcommand in (contact_url, submit, sign, decrypt, reveal, verify):
    report.add_command(_subcommand)

COMMANDS = [report]

__all__ = ["COMMANDS"]
