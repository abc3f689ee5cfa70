"""`python -m bountychain.cli`: the same as the `bountychain` console script."""

from bountychain.cli import main

main()
