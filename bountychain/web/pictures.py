"""Pictures the API draws: a bounty's embeddable badge (`/badge/<id>.svg`, for a README or an
issue) and the QR code of a payment link (EIP-681) for a phone wallet, when the browser has none.

Everything inside an SVG that came from the chain (a token's symbol) is escaped: the badge is
served as an image, but a README renderer or a person may open it as a document."""

from __future__ import annotations

from html import escape

from bountychain import qr
from bountychain.amounts import format_amount
from bountychain.index.records import BountySummary

# The words a person reads for each status (the index's names are identifiers).
STATUS_WORDS = {"open": "open", "expired": "expired", "under_review": "under review", "awarded": "awarded",
                "cancelled": "cancelled", "raising": "raising", "succeeded": "succeeded", "failed": "failed",
                "paid": "paid out", "lapsed": "lapsed"}
STATUS_COLOURS = {"open": "#1a7f37", "raising": "#1a7f37", "succeeded": "#1a7f37", "under_review": "#9a6700",
                  "awarded": "#0969da", "paid": "#0969da", "expired": "#6e7781", "cancelled": "#6e7781",
                  "failed": "#6e7781", "lapsed": "#6e7781"}
_CHAR_WIDTH = 7  # px per character at the badge's 11 px font (Verdana's average, rounded up)
MAX_SYMBOL = 12  # characters of a token's symbol shown on a badge


def badge_amount(summary: BountySummary) -> str:
    """What a badge (and a card) leads with: what was paid once paid, else what is held (a
    fundraiser: what it raised)."""
    if summary.status in ("awarded", "paid"):
        value = summary.paid_out
    else:
        value = summary.raised if summary.is_fundraiser else summary.total
    symbol = summary.symbol if len(summary.symbol) <= MAX_SYMBOL else summary.symbol[:MAX_SYMBOL - 1] + "…"
    return format_amount(value, summary.decimals, symbol)


def badge_svg(summary: BountySummary) -> str:
    """A two-part badge, "bounty | 1.5 ETH open", in the style READMEs use for build badges."""
    label = "fundraiser" if summary.is_fundraiser else "bounty"
    value = f"{badge_amount(summary)} · {STATUS_WORDS.get(summary.status, summary.status)}"
    left, right = 10 + _CHAR_WIDTH * len(label), 10 + _CHAR_WIDTH * len(value)
    colour = STATUS_COLOURS.get(summary.status, "#6e7781")
    title = escape(f"{label} #{summary.bounty_id}: {value}", quote=True)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + right}" height="20" role="img" '
            f'aria-label="{title}"><title>{title}</title>'
            f'<rect width="{left}" height="20" rx="3" fill="#555"/>'
            f'<rect x="{left}" width="{right}" height="20" rx="3" fill="{colour}"/>'
            f'<rect x="{left}" width="4" height="20" fill="{colour}"/>'
            '<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle">'
            f'<text x="{left / 2}" y="14">{escape(label)}</text>'
            f'<text x="{left + right / 2}" y="14">{escape(value)}</text></g></svg>')


MAX_QR_TEXT = 600  # characters: an EIP-681 pledge or approve link is well under this


def payment_qr_svg(uri: str) -> str:
    """The QR code of an EIP-681 payment link (bountychain.qr, which the CLI's `link` uses too).
    ValueError for anything else, so the route draws no arbitrary text."""
    if not uri.startswith("ethereum:") or len(uri) > MAX_QR_TEXT:
        raise ValueError(f"not an EIP-681 link (ethereum:…, at most {MAX_QR_TEXT} characters)")
    return qr.to_svg(uri, scale=4)


__all__ = ["STATUS_WORDS", "badge_amount", "badge_svg", "payment_qr_svg"]
