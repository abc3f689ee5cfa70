"""The funders' web page and its JSON API, served from the index (`bountychain serve`)."""

from bountychain.web.server import WebApp, make_server

__all__ = ["WebApp", "make_server"]
