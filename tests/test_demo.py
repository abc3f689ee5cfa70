"""`make demo` runs the whole bounty story, optimistic review included, and every balance reconciles."""

import io

from rich.console import Console

from bountychain import demo


def test_demo_story_reconciles():
    out = io.StringIO()
    assert demo.run(Console(file=out, width=200)) is True
    text = out.getvalue()
    assert "every balance reconciles" in text
    for step in ("pledge on #1", "award #1", "relay eve's signed claim", "pledge on fundraiser #3",
                 "pay fundraiser #3 out to the project", "refund from fundraiser #4", "refund from #5",
                 "withdraw fees in USDC"):
        assert step in text
    # Backers' review: an objection withholds the objector's pledge; the award takes the rest
    # and the objector refunds at once. Objections reaching the quorum block a proposal; the
    # arbiter decides it and the award takes the whole pool.
    for step in ("create optimistic ETH bounty #6", "object to the proposal on #6, withholding 0.3 ETH: withheld",
                 "proposal on #6 pending: 0.3 ETH withheld, 0.7 ETH for, no quorum; window ends",
                 "finalize #6: the award takes the pool less carol's withheld pledge",
                 "refund of the withheld pledge from #6, at once",
                 "object to the proposal on #7, withholding 0.25 ETH: withheld",
                 "object to the proposal on #7, withholding 0.25 ETH: blocked",
                 "proposal on #7 blocked: 0.5 ETH withheld, 0.5 ETH for, quorum 0.33 ETH; window ends",
                 "escalate #7's blocked proposal to the maintainers (no fee)",
                 "decide #7: pay; the proposal is upheld", "finalize #7: the arbiter overruled the objections",
                 "withdraw fees in ETH", "escrow (holds what it owes: nothing)"):
        assert step in text, step
    # The ledger: the award of #6 paid 0.7 ETH (not carol's 0.3), that of #7 the whole 1 ETH.
    assert "0.7 ETH" in text
    # A private security report: committed on chain, opened by the contact, awarded, revealed.
    for step in ("naming the security contact's key", "commit a private security report as claim 1 on #8",
                 "open the envelope (82 bytes): it matches claim 1, committed",
                 "award #8 (claim 1, the security report: 100%)",
                 "frank reveals the report: it verifies against claim 1; a changed one does not"):
        assert step in text, step
    assert "include directive" not in text  # the report's text is never printed
