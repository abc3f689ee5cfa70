"""The API's description, OpenAPI 3.1, served at /openapi.json and shown by /docs.

Written here by hand rather than generated: the routes are few, their answers are the index's
dataclasses turned to JSON (`server.jsonable`), and a test checks that every route the app
serves is described here and nothing else is."""

from __future__ import annotations

from typing import Any

from bountychain.index.queries import KINDS, SORTS, STATUSES

_ADDRESS = {"type": "string", "pattern": "^0x[0-9a-fA-F]{40}$"}
_AMOUNT = {"type": "string", "pattern": "^[0-9]+$", "description": "base units, a decimal string"}


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


def _path(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": schema}


def _json(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema or {"type": "object"}}}}


_ERROR = _json("refused: the `error` says why", {"$ref": "#/components/schemas/Error"})
_READ = {"304": {"description": "not modified since the ETag sent in If-None-Match"},
         "503": _json("the index's database cannot be reached: the `error` says why; ask again after"
                      " Retry-After", {"$ref": "#/components/schemas/Error"})}


def _get(summary: str, description: str, parameters: list[dict[str, Any]], ok: dict[str, Any],
         *errors: str) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": ok, **_READ, **{code: _ERROR for code in errors}}
    return {"get": {"summary": summary, "description": description, "parameters": parameters,
                    "responses": responses}}


_CHAIN = _query("chain", "a chain, by id (11155111) or by name (sepolia, base-sepolia, local): only what is on "
                "that chain; without it, every chain of the index")
_ESCROW = _query("escrow", "an escrow's address: only what it holds (a chain's older escrows, kept by "
                 "`deploy --replace`, are in the index too); without it, every escrow", _ADDRESS)
_WHICH_ESCROW = _query("escrow", "the bounty's escrow (needed only when several escrows of the index have this id)",
                       _ADDRESS)


def openapi_schema(default_limit: int, max_limit: int, max_body: int) -> dict[str, Any]:
    index_status = {"$ref": "#/components/schemas/IndexStatus"}
    bounty = {"$ref": "#/components/schemas/Bounty"}
    chain_status = {"$ref": "#/components/schemas/ChainStatus"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "bountychain index API",
            "version": "1",
            "description": (
                "Bounties and fundraisers held by bountychain escrows, read from the index, which may follow "
                "several chains, and several escrows on a chain (its deployment history): every bounty names its "
                "`chain_id`, `chain_name` and `escrow`, and bounty ids are numbered per escrow. Amounts are "
                "decimal strings of the token's base units (with `symbol` and `decimals` beside them); times "
                "are Unix seconds; addresses are checksummed. Reads carry a weak `ETag` (answered 304 on "
                "`If-None-Match`) and `Cache-Control`. Request bodies over "
                f"{max_body} bytes, and chunked ones, are refused."),
        },
        "paths": {
            "/api/info": _get("Chains and contracts", "Every chain of the index with its name, escrow and "
                              "review contract (`chains`; the first one's also at the top level), the contracts' "
                              "ABIs, and what each contract error means: what a wallet page needs.", [],
                              _json("the facts", {"type": "object", "properties": {
                                  "chains": {"type": "array", "items": {"type": "object", "properties": {
                                      "chain_id": {"type": "integer"}, "chain_name": {"type": "string"},
                                      "shorthand": {"type": "string", "description": "what ?chain= takes"},
                                      "explorer": {"type": ["string", "null"]}, "escrow": _ADDRESS,
                                      "review": _ADDRESS, "start_block": {"type": "integer"},
                                      "escrows": {"type": "array", "description": "every escrow of the chain, "
                                                  "oldest first (escrow, review, start_block); the newest is "
                                                  "`escrow` above"}}}},
                                  "chain_id": {"type": ["integer", "null"]}, "escrow": _ADDRESS, "review": _ADDRESS,
                                  "issue_hosts": {"type": "object", "additionalProperties": {
                                      "type": "string", "enum": ["github", "gitlab", "gitea"]}, "description":
                                      "the hosts whose issues a bounty may name, with their forge's kind: the known "
                                      "forges, a GitHub Enterprise Server of $GITHUB_SERVER_URL and the hosts of "
                                      "$BOUNTYCHAIN_ISSUE_HOSTS"},
                                  "index": index_status}})),
            "/api/status": _get("How far the index is", "The last indexed block and its time, per chain.", [],
                                _json("the index's position", index_status)),
            "/api/bounties": _get(
                "Bounties and fundraisers", "A page of the bounties and fundraisers matching every filter given, "
                "with `count`, the number matching, for paging.", [
                    _query("kind", "bounty or fundraiser", {"type": "string", "enum": list(KINDS)}),
                    _query("repo", "a repository, owner/name, or a group prefix (lowercase match)"),
                    _query("owner", "the repository's owner: an account or organisation"),
                    _query("issue", "an issue's (a fundraiser's project's) exact URL"),
                    _query("status", "the state now (open, expired, under_review, awarded, cancelled; a "
                           "fundraiser's raising, succeeded, failed, paid, cancelled, lapsed)",
                           {"type": "string", "enum": list(STATUSES)}),
                    _query("token", "the token's address (0x000…000: ether)", _ADDRESS),
                    _query("issuer", "who created it", _ADDRESS),
                    _query("beneficiary", "a fundraiser's beneficiary", _ADDRESS),
                    _CHAIN, _ESCROW,
                    _query("sort", "newest first, the most held first (amount, in base units: filter by token to "
                           "compare like with like), or the soonest deadline first",
                           {"type": "string", "enum": list(SORTS), "default": "newest"}),
                    _query("limit", "bounties per page",
                           {"type": "integer", "minimum": 1, "maximum": max_limit, "default": default_limit}),
                    _query("offset", "bounties skipped before the page", {"type": "integer", "minimum": 0,
                                                                         "default": 0}),
                ],
                _json("a page of bounties", {"type": "object", "properties": {
                    "bounties": {"type": "array", "items": bounty}, "count": {"type": "integer"},
                    "limit": {"type": "integer"}, "offset": {"type": "integer"}, "sort": {"type": "string"},
                    "index": index_status}}), "400"),
            "/api/bounties/{bounty_id}": _get(
                "One bounty or fundraiser", "Its summary, each funder's pledge, every pledge event, its claims "
                "and the objections to its proposals (each funder's pledge with what it is worth now: "
                "`outstanding`, after partial awards, and `to_milestones`, what they took of it); its partial "
                "awards (`milestones`, oldest first: when, the "
                "share of the pool in basis points, the pool taken with its fee, what stayed pledged, and the "
                "winners paid); the claim bond it asks (`bond`, base units, 0 for none) and each claim's bond "
                "(`claim_bonds`, by claim id: held, returned or slashed, with its amount); the claims marked spam "
                "(`spam_marks`, oldest first: claim, hunter, the bond slashed, who marked it and whether through "
                "the review contract). A pending proposal of an optimistic bounty that pays a milestone names its "
                "part (`bounty.proposed_part_bps`). Bounty ids are "
                "numbered per escrow: without `chain` (or `escrow`), an id that more than one chain (or escrow) "
                "of the index has is answered 409, naming the choices.",
                [_path("bounty_id", "the bounty's id", {"type": "integer", "minimum": 0}),
                 _query("chain", "the bounty's chain, by id or by name (needed only when the index follows "
                        "several chains that have this id)"), _WHICH_ESCROW],
                _json("the bounty", {"type": "object", "properties": {
                    "bounty": bounty, "pledges": {"type": "array"}, "pledge_events": {"type": "array"},
                    "claims": {"type": "array"}, "objections": {"type": "array"}, "milestones": {"type": "array"},
                    "spam_marks": {"type": "array", "items": {"type": "object", "properties": {
                        "bounty_id": {"type": "integer"}, "claim_id": {"type": "integer"}, "hunter": _ADDRESS,
                        "bond": _AMOUNT, "marked_by": _ADDRESS,
                        "through_review": {"type": "boolean", "description": "marked by the proposer through the "
                                           "review contract (an optimistic bounty), else by the approver"},
                        "block_number": {"type": "integer"}, "tx_hash": {"type": "string"}}}},
                    "bond": {"type": "string", "description": "base units"}, "claim_bonds": {"type": "object"},
                    "index": index_status}}),
                "400", "404", "409"),
            "/api/funders/{address}": _get(
                "A funder's record", "Of what a funder pledged, per token: paid to winners, to fundraisers' "
                "beneficiaries, refunded, still held; its pledges and its objections; its pay rate (bounties it "
                "backed that were awarded, expired unpaid, cancelled), its most recent bounties and the GitHub logins "
                "linked to its address (`github`: login, comment and time of each link the GitHub App recorded). "
                "Per token, `slashed_credit` is its part of the claim bonds slashed on bounties it funded, credited "
                "to it (apart from what it pledged). Each pledge's `outstanding` is what the escrow's `pledgeOf` "
                "says it is worth now: after milestones, including one its funder objected to (its shares are "
                "valued at the new ratio before it acts again), `to_milestones` what milestones took of it, and "
                "`bounty_status` the bounty's status (open, expired, awarded, ...; a fundraiser's raising, ...).",
                [_path("address", "the funder", _ADDRESS), _CHAIN, _ESCROW], _json("the record"), "400"),
            "/api/hunters/{address}": _get(
                "A hunter's record", "A hunter's claims, the ones paid, the earnings per token, the most recent "
                "bounties it submitted to and the GitHub logins linked to its address (`github`, as for a funder).",
                [_path("address", "the hunter", _ADDRESS), _CHAIN, _ESCROW], _json("the record"), "400"),
            "/api/github/links/{address}": _get(
                "GitHub logins of an address", "The GitHub logins proven (a signed EIP-712 statement posted as "
                "`/link` in a comment, checked by the GitHub App) to be held by the owner of an address: login, "
                "the comment's URL and when the link was recorded. Public facts: served to any origin.",
                [_path("address", "the address", _ADDRESS)], _json("the links"), "400"),
            "/api/beneficiaries/{address}": _get(
                "A beneficiary's record", "The fundraisers raising for an address, their payouts to it and the "
                "total per token.", [_path("address", "the beneficiary", _ADDRESS), _CHAIN, _ESCROW], _json("the record"),
                "400"),
            "/api/bounties/{bounty_id}/funding": _get(
                "Funding over time", "Every change to what a bounty or fundraiser holds, oldest first: pledges, "
                "refunds, awards and payouts, each with its block, the block's time and the running totals "
                "`pledged` (ever) and `total` (held after it).",
                [_path("bounty_id", "the bounty's id", {"type": "integer", "minimum": 0}),
                 _query("chain", "the bounty's chain, by id or by name (when several chains have this id)"), _WHICH_ESCROW],
                _json("the history", {"type": "object", "properties": {
                    "bounty_id": {"type": "integer"}, "history": {"type": "array", "items": {
                        "type": "object", "properties": {
                            "block_number": {"type": "integer"}, "time": {"type": "integer"},
                            "kind": {"type": "string", "enum": ["pledge", "refund", "award", "payout"]},
                            "amount": _AMOUNT, "pledged": _AMOUNT, "total": _AMOUNT}}}}}), "400", "404", "409"),
            "/badge/{bounty_id}.svg": {"get": {
                "summary": "A bounty's badge", "description": "An SVG badge with the bounty's amount (what was paid, "
                "once awarded) and status, to embed in a README or an issue.",
                "parameters": [_path("bounty_id", "the bounty's id", {"type": "integer", "minimum": 0}),
                               _query("chain", "the bounty's chain, by id or by name (when several chains have this id)"), _WHICH_ESCROW],
                "responses": {"200": {"description": "the badge", "content": {"image/svg+xml": {}}}, "400": _ERROR,
                              "404": _ERROR, "409": _ERROR}}},
            "/qr.svg": {"get": {
                "summary": "A payment link's QR code", "description": "The QR code of an EIP-681 link "
                "(ethereum:…), for a phone wallet to scan when the browser has none.",
                "parameters": [_query("uri", "the EIP-681 link")],
                "responses": {"200": {"description": "the QR code", "content": {"image/svg+xml": {}}}, "400": _ERROR}}},
            "/api/amount": _get(
                "Read an amount", "An amount as a person types it (\"0.25\", \"1e-3 ETH\", \"2 gwei\"), read by "
                "the SDK's rules in the bounty's currency.",
                [_query("bounty", "the bounty's id", {"type": "integer"}), _query("text", "the amount typed"),
                 _query("chain", "the bounty's chain, by id or by name (when several chains have this id)"), _WHICH_ESCROW],
                _json("the amount", {"type": "object", "properties": {
                    "amount": _AMOUNT, "text": {"type": "string"}, "symbol": {"type": "string"},
                    "decimals": {"type": "integer"}}}), "400", "409"),
            "/api/sync": {"post": {
                "summary": "Index new blocks now",
                "description": "Syncs the index with the chain (where this server follows it) and reports how "
                               "far it is. Rate-limited per client.",
                "responses": {"200": _json("synced", index_status),
                              "429": {**_ERROR, "description": "too many syncs: wait the Retry-After seconds",
                                      "headers": {"Retry-After": {"schema": {"type": "integer"}}}},
                              "502": _ERROR}}},
        },
        "components": {"schemas": {
            "Error": {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]},
            "ChainStatus": {"type": "object", "properties": {
                "chain_id": {"type": ["integer", "null"]}, "chain_name": {"type": ["string", "null"]},
                "escrow": {"type": ["string", "null"]}, "start_block": {"type": ["integer", "null"]},
                "cursor": {"type": ["integer", "null"], "description": "the last indexed block"},
                "cursor_time": {"type": ["integer", "null"], "description": "its time: the chain's now"}}},
            "IndexStatus": {"type": "object", "description": "per chain in `chains`; an index of one chain also "
                            "has that chain's fields at the top level (null when it has several)", "properties": {
                "chain_id": {"type": ["integer", "null"]}, "chain_name": {"type": ["string", "null"]},
                "escrow": {"type": ["string", "null"]},
                "start_block": {"type": ["integer", "null"]},
                "cursor": {"type": ["integer", "null"], "description": "the last indexed block"},
                "cursor_time": {"type": ["integer", "null"], "description": "its time: the index's now"},
                "chains": {"type": "array", "items": chain_status},
                "last_error": {"type": ["string", "null"], "description": "why the last sync failed"}}},
            "Bounty": {"type": "object", "properties": {
                "bounty_id": {"type": "integer", "description": "numbered per chain"},
                "chain_id": {"type": "integer"}, "chain_name": {"type": "string", "description": "Sepolia, Base, ..."},
                "kind": {"type": "string", "enum": list(KINDS)},
                "uri": {"type": "string"}, "repo": {"type": "string"}, "issuer": _ADDRESS, "token": _ADDRESS,
                "symbol": {"type": "string"}, "decimals": {"type": "integer"}, "deadline": {"type": "integer"},
                "status": {"type": "string", "enum": list(STATUSES)}, "total": _AMOUNT, "pledged": _AMOUNT,
                "refunded": _AMOUNT, "paid_out": _AMOUNT, "funder_count": {"type": "integer"},
                "claim_count": {"type": "integer"},
                "proposal_state": {"type": "string", "description": (
                    "an optimistic bounty's latest proposal: none, pending, blocked, escalated, upheld, executed")},
                "proposed_claims": {"type": "array", "items": {"type": "integer"}},
                "proposed_shares": {"type": "array", "items": {"type": "integer"},
                                    "description": "each proposed claim's share of what the proposal pays, basis points"},
                "proposal_total": _AMOUNT,
                "proposed_part_bps": {"type": "integer", "minimum": 0, "maximum": 9_999, "description": (
                    "the part of the pool the latest proposal pays, a milestone, in basis points of the pool "
                    "left after the objectors' pledges (0: the whole pool, or no proposal)")},
                "solutions": {"type": "array", "description": (
                    "in a list only: its claims; a private security report's claim has private_report true, "
                    "its uri is a commitment (never a link) and committed_at its block time")}}},
        }},
    }
