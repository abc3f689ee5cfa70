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
    # Optimistic review: an objection below the quorum, then finalized; objections reaching
    # it, then escalated, rejected by the arbiter and refunded.
    for step in ("create optimistic ETH bounty #6", "object to the proposal on #6 (weight 0.3 ETH): pending",
                 "proposal on #6 pending: 0.3 ETH against, quorum 0.33 ETH; window ends",
                 "finalize #6: the proposal stands", "object to the proposal on #7 (weight 0.25 ETH): blocked",
                 "proposal on #7 blocked: 0.5 ETH against, quorum 0.33 ETH; window ends",
                 "escalate #7's blocked proposal to the maintainers (dispute 1, no fee)",
                 "rule on dispute 1 (#7): reject; the proposal is rejected", "refund from #7"):
        assert step in text
