"""`make demo` runs the whole bounty story and every balance reconciles."""

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
