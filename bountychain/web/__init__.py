"""The funders' web page and its JSON API, served from the index (`bountychain serve`, or
`uvicorn --factory bountychain.web:create_app`)."""

from bountychain.web.app import freeze_heap
from bountychain.web.server import Server, WebApp, create_app, make_server

__all__ = ["Server", "WebApp", "create_app", "freeze_heap", "make_server"]
