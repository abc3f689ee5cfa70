"""What each funder's pledge is worth after milestones (issue 16), replayed from the index's
events exactly as BountyEscrow counts it: pledges are shares of the pool, and a partial award
takes part of the pool without burning shares, so every pledge falls pro-rata.

A reviewed milestone that an objector's pledge stayed out of keeps that pledge's value: the
escrow records the round's objector shares and the shares that replace them, and rewrites
each objector's shares at the new ratio when it next acts (pledges, refunds, objects again,
claims its part of a slashed bond, or is the proposer or issuer of a spam mark), the last of
the round taking what is left. `pledgeOf` values an objector that has not acted yet as if
it had. `ShareBook` is that arithmetic; `values_after_milestones` feeds it a bounty's events.
Read by `pledges` (a bounty's funders, a funder's pledges and record)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from bountychain.index import batches
from bountychain.index.listing import Statements

BPS = 10_000


def pledge_value(shares: int, total: int, supply: int) -> int:
    """What `shares` of a pool of `total` with `supply` shares are worth, as the escrow's
    `pledgeOf` and refund value them: rounded down, except that the last shares take the whole
    remainder."""
    if shares <= 0:
        return 0
    return shares * total // supply if shares < supply else total


class ShareBook:
    """One bounty's pool as the escrow keeps it: what the outstanding pledges are worth
    (`total`), the shares they hold (`supply`), each funder's stored shares, and for reviewed
    bounties the review round, the shares withheld from it by objections, each funder's last
    objection (its round, and whether its shares were rewritten since) and, per round whose
    milestone left objectors out, the replacement shares and old shares still to hand out."""

    def __init__(self, proposer: str = "", issuer: str = "") -> None:
        self.proposer, self.issuer = proposer, issuer  # a reviewed bounty's spam marks rewrite both
        self.total = self.supply = 0
        self.held: dict[str, int] = defaultdict(int)
        self.objected_in: dict[str, tuple[int, bool]] = {}  # funder -> (round, rewritten since)
        self.rejoin: dict[int, tuple[int, int]] = {}  # round -> (new shares left, old shares left)
        self.round = 0
        self.reviewing = False  # a proposal of this round is live (the bounty is under review)
        self.withheld = 0  # shares withheld from the live proposal
        self.upheld = False  # the arbiter upheld it: it takes the objectors' pledges too
        self.before_award: dict[str, int] | None = None  # each pledge's worth when a whole award took it
        self.left_out: set[str] = set()  # the pledges a whole award left out (withheld by objections)

    def shares_now(self, funder: str) -> tuple[int, int, int | None]:
        """(its shares at the current ratio, its stored shares, the round whose record rewrites
        them, else None): the escrow's `_sharesNow`."""
        held = self.held.get(funder, 0)
        objection = self.objected_in.get(funder)
        if held == 0 or objection is None or objection[1] or objection[0] not in self.rejoin:
            return held, held, None
        new_left, old_left = self.rejoin[objection[0]]
        # The last of the round's objectors takes what is left, so no share dangles.
        return (new_left if held == old_left else held * new_left // old_left), held, objection[0]

    def rewrite(self, funder: str) -> None:
        """Its shares rewritten at the current ratio, if a milestone left them out (`_rejoinShares`)."""
        shares, held, round_ = self.shares_now(funder)
        if round_ is None:
            return
        new_left, old_left = self.rejoin[round_]
        self.rejoin[round_] = (new_left - shares, old_left - held)
        if self.rejoin[round_] == (0, 0):
            del self.rejoin[round_]  # the escrow's record is 0 again: none
        self.objected_in[funder] = (round_, True)
        self.held[funder] = shares

    def pledge(self, funder: str, amount: int) -> None:
        """`amount` arrived: shares at the current ratio, rounded down (1:1 while there are none)."""
        added = amount if self.supply == 0 else amount * self.supply // self.total
        self.rewrite(funder)
        self.held[funder] += added
        self.total, self.supply = self.total + amount, self.supply + added

    def refund(self, funder: str, amount: int) -> None:
        """`amount` left: all its shares when it is the pledge's whole worth, else the amount's
        shares rounded up (1:1 while shares are units)."""
        self.rewrite(funder)
        mine = self.held[funder]
        burned = (mine if amount == pledge_value(mine, self.total, self.supply)
                  else amount if self.supply == self.total else -(-amount * self.supply // self.total))
        self.held[funder] = mine - burned
        self.total, self.supply = self.total - amount, self.supply - burned
        if self.reviewing and self.objected_in.get(funder) == (self.round, False):
            self.withheld -= burned

    def propose(self, nonce: int) -> None:
        self.round, self.reviewing, self.withheld, self.upheld = nonce, True, 0, False

    def object(self, funder: str) -> None:
        """Its pledge is withheld from the live proposal (rewritten first)."""
        self.rewrite(funder)
        self.objected_in[funder] = (self.round, False)
        self.withheld += self.held[funder]

    def uphold(self) -> None:
        self.upheld = True

    def settle(self) -> None:
        """The live proposal ended (rejected, or finalized): nothing is withheld any more."""
        self.reviewing, self.withheld = False, 0

    def part(self, pool: int) -> None:
        """A milestone took `pool`; the shares stay. One paid through the review without the
        objectors' pledges leaves them their value: their shares are replaced, as each rejoins,
        by the round's record (`settleReview`)."""
        withheld = 0 if self.upheld or not self.reviewing else self.withheld
        total, supply = self.total, self.supply
        if withheld:
            kept = -(-withheld * total // supply)  # what the withheld shares are worth, rounded up
            others = supply - withheld
            rejoined = kept * others // (total - kept - pool)
            self.rejoin[self.round] = (rejoined, withheld)
            supply = others + rejoined
        self.total, self.supply = total - pool, supply
        self.settle()

    def award(self, pool: int) -> None:
        """A whole award took `pool`: what stays is the pledges withheld from it, if any."""
        self.before_award = self.values()
        kept = 0 if self.upheld or not self.reviewing else self.withheld
        if kept:
            self.left_out = {funder for funder in self.held if self.objected_in.get(funder) == (self.round, False)}
        self.total, self.supply = self.total - pool, kept
        self.settle()

    def spam_marked(self) -> None:
        """A spam mark through the review rewrites the proposer's shares, then the issuer's."""
        self.rewrite(self.proposer)
        if self.issuer != self.proposer:
            self.rewrite(self.issuer)

    def values(self) -> dict[str, int]:
        """Each funder's pledge as `pledgeOf` values it; after a whole award, what each pledge the
        award took was worth when it took it (`pledgeOf` says 0)."""
        return {funder: (self.before_award.get(funder, 0)
                         if self.before_award is not None and funder not in self.left_out
                         else pledge_value(self.shares_now(funder)[0], self.total, self.supply))
                for funder in self.held}


# A bounty's events that move its shares, in chain order: (bounty, block, log index, tx, kind,
# funder, amount). A bond's slashed step is a spam mark; a slashed-bond credit settles a funder.
_STEPS = " UNION ALL ".join(
    f"SELECT bounty_id, block_number, log_index, tx_hash, {kind} AS kind, {funder} AS funder, {amount} AS amount"
    f" FROM {table} WHERE {{among}}{extra}"
    for table, kind, funder, amount, extra in (
        ("pledges", "'pledge'", "funder", "amount", ""),
        ("refunds", "'refund'", "funder", "amount", ""),
        ("milestones", "'part'", "''", "pool", ""),
        ("awards", "'award'", "''", "pool", ""),
        ("proposals", "'propose'", "''", "CAST(nonce AS TEXT)", ""),
        ("objections", "'object'", "funder", "'0'", ""),
        ("proposal_steps", "step", "''", "'0'", " AND step IN ('upheld', 'rejected', 'finalized')"),
        ("bonds", "'slashed'", "''", "'0'", " AND step = 'slashed'"),
        ("slashed_credits", "'credit'", "funder", "'0'", ""))) + " ORDER BY 1, 2, 3"


def replay(book: ShareBook, steps: list[tuple[str, str, str, str]]) -> ShareBook:
    """`book` after a bounty's `steps` (transaction, kind, funder, amount: `_STEPS`), in chain
    order."""
    marking = (book.proposer, book.issuer)
    for position, (tx, kind, funder, text) in enumerate(steps):
        if kind == "pledge":
            book.pledge(funder, int(text))
        elif kind == "refund":
            book.refund(funder, int(text))
        elif kind == "part":
            book.part(int(text))
        elif kind == "award":
            book.award(int(text))
        elif kind == "propose":
            book.propose(int(text))
        elif kind == "object":
            book.object(funder)
        elif kind == "upheld":
            book.uphold()
        elif kind in ("rejected", "finalized"):
            book.settle()
        elif kind == "slashed":
            book.spam_marked()
        elif kind == "credit":
            # A spam mark rewrites the proposer and the issuer before it credits either: the
            # credits just before a mark's BondSlashed, in its transaction, are the mark's.
            later = position + 1
            while later < len(steps) and steps[later][:2] == (tx, "credit") and steps[later][2] in marking:
                later += 1
            if funder in marking and later < len(steps) and steps[later][:2] == (tx, "slashed"):
                book.spam_marked()
            else:
                book.rewrite(funder)  # its pledge, refund, objection or claim of slashed bonds
    return book


def values_after_milestones(db: Statements, bounties: Iterable[tuple[int, str, int]]
                            ) -> dict[tuple[int, str, int], dict[str, int]]:
    """For each of `bounties` (chain id, escrow, bounty id) that had a partial award: what each
    funder's pledge is worth now (`ShareBook.values`), by funder, replayed from its events.
    Bounties without a partial award are left out: a pledge is then worth pledged - refunded
    (shares stay units, and a whole award's objectors keep exactly what they pledged)."""
    values: dict[tuple[int, str, int], dict[str, int]] = {}
    for params, among in batches.escrow_chunks(bounties, alias=""):
        chain_id, escrow = params["chain"], params["escrow"]
        parted = sorted({row[0] for row in db.execute(f"SELECT bounty_id FROM milestones WHERE {among}", params)})
        if not parted:
            continue
        params, among = batches.among(chain_id, escrow, parted)  # type: ignore[arg-type]
        books = {bounty_id: ShareBook() for bounty_id in parted}
        for bounty_id, issuer in db.execute(f"SELECT bounty_id, issuer FROM created WHERE {among}", params):
            books[bounty_id].issuer = issuer
        for bounty_id, proposer in db.execute(f"SELECT bounty_id, approver FROM review_policies WHERE {among}",
                                              params):
            books[bounty_id].proposer = proposer
        steps: dict[int, list[tuple[str, str, str, str]]] = defaultdict(list)
        for bounty_id, _, _, tx, kind, funder, amount in db.execute(_STEPS.format(among=among), params):
            steps[bounty_id].append((tx, kind, funder, amount))
        for bounty_id, book in books.items():
            values[(chain_id, escrow, bounty_id)] = replay(book, steps[bounty_id]).values()
    return values


__all__ = ["ShareBook", "pledge_value", "replay", "values_after_milestones"]
