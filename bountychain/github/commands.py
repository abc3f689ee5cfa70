"""The commands the bot reads in issue and pull-request comments, parsed without touching
the chain or GitHub. A comment's first line starting with a command is the command; the rest
of the comment is ignored.

    /bounty                  the issue's bounties and their totals
    /bounty 50 USDC          a link to create the bounty (or to pledge, if there is one)
    /bounty 0.1 ETH 30d      ... locked for 30 days (h, d, w)
    /claim [BOUNTY]          in a pull request that fixes the issue: a link to sign the solution
    /link ADDRESS SIGNATURE  prove that this GitHub login holds ADDRESS (EIP-712, see `links`)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bountychain.errors import InvalidInput

_COMMAND = re.compile(r"^[ \t]*/(bounty|claim|link)(?![\w-])(.*)$", re.MULTILINE | re.IGNORECASE)
_NUMBER = re.compile(r"\d[\d_]*(?:\.\d+)?|\.\d+")
_DURATION = re.compile(r"(\d+)\s*([hdw])", re.IGNORECASE)
_UNIT_SECONDS = {"h": 3600, "d": 86400, "w": 7 * 86400}
MAX_LOCK_DAYS = 365
# "Fixes #12", "closes org/repo#12", "Resolves https://github.com/org/repo/issues/12" (GitHub's
# keywords); the host is the App's (github.com, or a GitHub Enterprise Server's).
_CLOSES = (r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+"
           r"(?:(?:https?://{host}/)?([\w.-]+/[\w.-]+)(?:/issues/|#)|#)(\d+)\b")

BOUNTY_USAGE = "Type `/bounty 50 USDC`, or `/bounty 0.1 ETH 30d` to lock pledges for 30 days."


class CommandError(InvalidInput):
    """A command the bot cannot act on; the message says what is wrong and what to type."""


@dataclass(frozen=True)
class ShowBounties:
    pass


@dataclass(frozen=True)
class OfferBounty:
    amount: str  # the number as typed ("50", "0.1")
    symbol: str  # as typed; matched to a known token case-insensitively
    lock_seconds: int | None  # None: the page's default
    lock_text: str | None  # "30d"


@dataclass(frozen=True)
class Claim:
    bounty_id: int | None


@dataclass(frozen=True)
class LinkAccount:
    address: str
    signature: str


Command = ShowBounties | OfferBounty | Claim | LinkAccount


def find_command(body: str) -> tuple[str, str] | None:
    """(name, arguments) of the comment's first command line, or None."""
    match = _COMMAND.search(body or "")
    return None if match is None else (match[1].lower(), match[2].strip())


def parse_command(body: str) -> Command | None:
    """The comment's command, or None if it has none; CommandError if it is malformed."""
    found = find_command(body)
    if found is None:
        return None
    name, rest = found
    words = rest.split()
    if name == "bounty":
        return parse_bounty(words)
    if name == "claim":
        if not words:
            return Claim(None)
        if len(words) == 1 and words[0].lstrip("#").isdigit():
            return Claim(int(words[0].lstrip("#")))
        raise CommandError(f"`/claim {rest}`: give a bounty number or nothing. Type `/claim` in the pull request "
                           "that fixes the issue, or `/claim 12` for bounty 12.")
    if len(words) != 2 or not re.fullmatch(r"0x[0-9a-fA-F]{40}", words[0]) \
            or not re.fullmatch(r"0x[0-9a-fA-F]{130}", words[1]):
        raise CommandError("`/link` takes your address and the signature of the link statement. Type "
                           "`/link 0xYourAddress 0xSignature` (sign it with `bountychain github sign-link YOUR_LOGIN`).")
    return LinkAccount(words[0], words[1])


def parse_bounty(words: list[str]) -> Command:
    if not words:
        return ShowBounties()
    shown = "/bounty " + " ".join(words)
    if len(words) == 1 and re.fullmatch(r"[\d.]+[a-zA-Z]+", words[0]):
        split = re.fullmatch(r"([\d.]+)([a-zA-Z]+)", words[0])
        assert split is not None
        raise CommandError(f"`{shown}`: put a space between the amount and the token, as in "
                           f"`/bounty {split[1]} {split[2].upper()}`. {BOUNTY_USAGE}")
    if len(words) not in (2, 3):
        raise CommandError(f"`{shown}`: expected an amount, a token and an optional lock. {BOUNTY_USAGE}")
    amount, symbol = words[0], words[1]
    if not _NUMBER.fullmatch(amount):
        raise CommandError(f"`{shown}`: {amount!r} is not an amount (write a number such as 50 or 0.1). {BOUNTY_USAGE}")
    if float(amount.replace("_", "")) <= 0:
        raise CommandError(f"`{shown}`: a bounty must be more than zero. {BOUNTY_USAGE}")
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9.]{0,11}", symbol):
        raise CommandError(f"`{shown}`: {symbol!r} is not a token symbol. {BOUNTY_USAGE}")
    lock_seconds = lock_text = None
    if len(words) == 3:
        match = _DURATION.fullmatch(words[2])
        if match is None:
            raise CommandError(f"`{shown}`: {words[2]!r} is not a lock time; write hours, days or weeks such as "
                               f"`12h`, `30d` or `2w`. {BOUNTY_USAGE}")
        lock_seconds = int(match[1]) * _UNIT_SECONDS[match[2].lower()]
        if not 3600 <= lock_seconds <= MAX_LOCK_DAYS * 86400:
            raise CommandError(f"`{shown}`: a lock of {words[2]} is out of range; choose between 1h and "
                               f"{MAX_LOCK_DAYS}d. {BOUNTY_USAGE}")
        lock_text = words[2].lower()
    return OfferBounty(amount.replace("_", ""), symbol, lock_seconds, lock_text)


def closed_issues(text: str, default_repo: str, host: str = "github.com") -> list[tuple[str, int]]:
    """(repo, issue number) of every issue a pull request's text closes ("Fixes #12"), in
    order, each once; a bare "#12" is in `default_repo`, a full URL counts on `host` only.
    Repos are lowercase."""
    found: list[tuple[str, int]] = []
    for match in re.finditer(_CLOSES.format(host=re.escape(host)), text or "", re.IGNORECASE):
        key = ((match[1] or default_repo).lower(), int(match[2]))
        if key not in found:
            found.append(key)
    return found
