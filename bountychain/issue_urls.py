"""Issue URLs: the one place that says what a bounty may point at, for the SDK, the command
line and (through the same test vectors, tests/data/issue_urls.json) the page.

A bounty is on **one issue** of a repository on a known forge:

- GitHub: `https://github.com/OWNER/REPO/issues/N`
- GitLab: `https://gitlab.com/GROUP[/SUBGROUP...]/REPO/-/issues/N` (the old form without
  `/-/` is accepted and rewritten)
- Codeberg and Gitea: `https://codeberg.org/OWNER/REPO/issues/N`, `https://gitea.com/...`
- a self-hosted GitLab, Gitea or GitHub Enterprise Server named in `$BOUNTYCHAIN_ISSUE_HOSTS`
  (`git.example.org=gitea,gitlab.example.com=gitlab,github.example.com=github`);
- the GitHub Enterprise Server of `$GITHUB_SERVER_URL` (set by GitHub Actions, and the GitHub
  App's `--server-url`), with GitHub's URLs.

Everything else is refused with the reason: other schemes (`javascript:`), other hosts, a pull
or merge request, a bare repository, a user name or port in the URL. The accepted URL is
normalised so that one issue has one spelling (and one `uriHash` on chain): `https`, the host,
owner and repository in lowercase (the forges treat them case-insensitively), no `www.`, no
trailing slash, query or `#fragment` but one: `#security-key=0x…`, the security contact key
that private reports are sealed to (bountychain.reports), which is kept as written.

`--repo` filters (`in_repo`) match on host, owner and name: `org/repo` means GitHub,
`gitlab.com/group/repo` names another forge.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from bountychain.errors import InvalidURI

# The one fragment a bounty URI keeps: the security contact key of private reports.
SECURITY_KEY_FIELD = "security-key"
_SECURITY_FRAGMENT = re.compile(SECURITY_KEY_FIELD + r"=0x0[23][0-9a-fA-F]{64}")

# The forges known without configuration, by host, and the kind of URLs they use.
KNOWN_FORGES = {"github.com": "github", "gitlab.com": "gitlab", "codeberg.org": "gitea", "gitea.com": "gitea"}
FORGE_KINDS = ("github", "gitlab", "gitea")
HOSTS_VARIABLE = "BOUNTYCHAIN_ISSUE_HOSTS"
SERVER_VARIABLE = "GITHUB_SERVER_URL"  # GitHub Actions' name for the GitHub instance's web address

_NAME = re.compile(r"[a-z0-9_.][a-z0-9_.\-]*")
_HOST = re.compile(r"[a-z0-9]([a-z0-9\-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9\-]*[a-z0-9])?)+")
# What a path says when it is not an issue: (path marker, what it is).
_NOT_ISSUES = {"pull": "a pull request", "pulls": "a pull request", "merge_requests": "a merge request",
               "commit": "a commit", "commits": "a commit", "tree": "a file tree", "blob": "a file",
               "wiki": "a wiki page", "releases": "a release", "discussions": "a discussion"}


@dataclass(frozen=True)
class IssueRef:
    """One issue: where it lives and its canonical URL."""

    host: str  # "github.com"
    repo: str  # "owner/name" ("group/subgroup/name" on GitLab), lowercase
    number: int
    kind: str  # "github", "gitlab" or "gitea"

    @property
    def url(self) -> str:
        middle = "/-/issues/" if self.kind == "gitlab" else "/issues/"
        return f"https://{self.host}/{self.repo}{middle}{self.number}"


def github_server_host(server_url: str) -> str:
    """The host of a GitHub instance's web address (`https://github.example.com`), lowercase;
    InvalidURI if it is not a plain https address of a host."""
    try:
        parts = urlsplit(server_url.strip())
        port = parts.port
    except ValueError:
        port, parts = -1, urlsplit("")
    host = (parts.hostname or "").lower()
    plain = parts.scheme.lower() in ("https", "http") and port is None and not parts.username
    if not plain or not _HOST.fullmatch(host) or parts.path.strip("/") or parts.query:
        raise InvalidURI(f"{server_url!r} is not a GitHub server's address: write https://HOST, e.g. "
                         "https://github.example.com")
    return host.removeprefix("www.")


def forges() -> dict[str, str]:
    """Host -> kind: the known forges plus the GitHub server of $GITHUB_SERVER_URL and those
    configured in $BOUNTYCHAIN_ISSUE_HOSTS."""
    hosts = dict(KNOWN_FORGES)
    if os.environ.get(SERVER_VARIABLE, "").strip():
        try:
            hosts[github_server_host(os.environ[SERVER_VARIABLE])] = "github"
        except InvalidURI as exc:
            raise InvalidURI(f"${SERVER_VARIABLE}: {exc}") from None
    for entry in filter(None, (part.strip() for part in os.environ.get(HOSTS_VARIABLE, "").split(","))):
        host, _, kind = entry.partition("=")
        host, kind = host.strip().lower(), kind.strip().lower()
        if not _HOST.fullmatch(host) or kind not in FORGE_KINDS:
            raise InvalidURI(f"${HOSTS_VARIABLE}: {entry!r} is not HOST=KIND with KIND one of "
                             f"{', '.join(FORGE_KINDS)} (e.g. git.example.org=gitea)")
        hosts[host] = kind
    return hosts


def parse_issue_url(url: object, what: str = "issue URL") -> IssueRef:
    """The issue `url` names, or InvalidURI saying why it is not an issue URL we accept."""
    if not isinstance(url, str) or not url.strip():
        raise InvalidURI(f"{what}: {url!r} is not a URL: give an issue's address, e.g. "
                         "https://github.com/org/repo/issues/1")
    if url != url.strip() or any(ch.isspace() for ch in url):
        raise InvalidURI(f"{what}: {url!r} holds spaces or line breaks")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidURI(f"{what}: {url!r} is not a well-formed URL") from None
    if parts.scheme.lower() not in ("https", "http"):
        shown = f"{parts.scheme}:" if parts.scheme else "no scheme"
        raise InvalidURI(f"{what}: {url!r} has {shown}; an issue URL starts with https://")
    if parts.username is not None or parts.password is not None or port is not None:
        raise InvalidURI(f"{what}: {url!r} carries a user name, password or port; give the issue's plain address")
    host = (parts.hostname or "").lower().removeprefix("www.")
    known = forges()
    if host not in known:
        raise InvalidURI(f"{what}: {url!r} is not on a known forge ({', '.join(sorted(known))}); a self-hosted "
                         f"GitLab or Gitea can be named in ${HOSTS_VARIABLE}")
    kind = known[host]
    segments = [segment for segment in parts.path.split("/") if segment]
    lowered = [segment.lower() for segment in segments]
    for marker, thing in _NOT_ISSUES.items():
        if marker in lowered[2:]:
            raise InvalidURI(f"{what}: {url!r} is {thing}, not an issue: link the issue it solves")
    if "issues" not in lowered[2:]:
        raise InvalidURI(f"{what}: {url!r} is a repository or a page, not an issue: link one issue, e.g. "
                         f"https://{host}/{'/'.join(lowered[:2]) or 'org/repo'}"
                         f"{'/-/issues/1' if kind == 'gitlab' else '/issues/1'}")
    at = lowered.index("issues", 2)
    repo = lowered[:at]
    if kind == "gitlab" and repo and repo[-1] == "-":
        repo = repo[:-1]  # GitLab's /-/ separator
    tail = segments[at + 1:]
    if len(tail) != 1 or not tail[0].isdigit() or tail[0].startswith("0") or not tail[0].isascii():
        raise InvalidURI(f"{what}: {url!r} does not end with an issue number after /issues/")
    depth_ok = len(repo) >= 2 if kind == "gitlab" else len(repo) == 2
    if not depth_ok or not all(_NAME.fullmatch(name) and name not in (".", "..") for name in repo):
        raise InvalidURI(f"{what}: {url!r} does not name a repository as OWNER/NAME before /issues/")
    key_fragment = _security_fragment(parts.fragment)
    if key_fragment is not None and not _SECURITY_FRAGMENT.fullmatch(key_fragment):
        raise InvalidURI(f"{what}: {url!r}: #{SECURITY_KEY_FIELD}= must be a compressed secp256k1 public key "
                         "(0x and 66 hex digits, as `bountychain report contact-url` writes it)")
    return IssueRef(host, "/".join(repo), int(tail[0]), kind)


def normalize_issue_url(url: object, what: str = "issue URL") -> str:
    """The canonical spelling of an accepted issue URL (see the module's rules)."""
    ref = parse_issue_url(url, what)
    key_fragment = _security_fragment(urlsplit(str(url)).fragment)
    return ref.url if key_fragment is None else f"{ref.url}#{key_fragment}"


def _security_fragment(fragment: str) -> str | None:
    """A `#security-key=` fragment as it goes on chain (the field's name in lowercase, whatever
    case it was typed in, so that a key is never dropped for its spelling; the key as typed),
    or None for any other fragment."""
    field = SECURITY_KEY_FIELD + "="
    return field + fragment[len(field):] if fragment[:len(field)].lower() == field else None


@dataclass(frozen=True)
class RepoFilter:
    host: str
    repo: str

    def matches(self, url: str) -> bool:
        """Whether `url` (a string from the chain, anything) points into this repository: an
        http(s) URL on the same host whose path names the same owner and name. Only host,
        owner and name count: what follows them (a malformed issue number) does not hide a
        bounty from its repository, and nothing on another host or scheme reaches it."""
        return repo_of(url) == (self.host, self.repo)


def repo_of(url: str) -> tuple[str, str] | None:
    """(host, "owner/name") of a URL on a known forge, lowercase; None for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except (ValueError, TypeError):
        return None
    if parts.scheme.lower() not in ("https", "http") or parts.username or port is not None:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    kind = forges().get(host)
    if kind is None:
        return None
    segments = [segment.lower() for segment in parts.path.split("/") if segment]
    if kind == "gitlab":
        ends = [i for i, segment in enumerate(segments) if segment in ("-", "issues", "merge_requests")]
        repo = segments[:ends[0]] if ends else segments
    else:
        repo = segments[:2]
    return (host, "/".join(repo)) if len(repo) >= 2 else None


def parse_repo_filter(text: str) -> RepoFilter:
    """`org/repo` (GitHub), `github.com/org/repo`, `gitlab.com/group/sub/repo` or a repository's
    https URL; InvalidURI naming the expected forms otherwise."""
    value = text.strip().strip("/")
    value = re.sub(r"^https?://", "", value, flags=re.IGNORECASE).lower().removeprefix("www.")
    parts = [part for part in value.split("/") if part]
    known = forges()
    if len(parts) == 2 and parts[0] not in known:
        host, repo = "github.com", parts
    elif len(parts) >= 3 and parts[0] in known:
        host, repo = parts[0], parts[1:]
        if known[host] != "gitlab" and len(repo) != 2:
            repo = []
    else:
        host, repo = "", []
    if not repo or not all(_NAME.fullmatch(name) for name in repo):
        raise InvalidURI(f"--repo {text!r}: write OWNER/NAME for GitHub, or HOST/OWNER/NAME "
                         f"(e.g. gitlab.com/group/repo) on {', '.join(sorted(known))}")
    return RepoFilter(host, "/".join(repo))


__all__ = ["FORGE_KINDS", "HOSTS_VARIABLE", "SECURITY_KEY_FIELD", "SERVER_VARIABLE", "KNOWN_FORGES", "IssueRef",
           "RepoFilter", "forges", "github_server_host", "normalize_issue_url",
           "parse_issue_url", "parse_repo_filter", "repo_of"]
