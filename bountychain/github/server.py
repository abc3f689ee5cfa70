"""The webhook service on uvicorn, with `bountychain serve`'s guarded HTTP protocol (a
deadline per request, caps on connections: see `bountychain.web.server`)."""

from __future__ import annotations

from typing import Any

import uvicorn

from bountychain.web.server import GuardedH11Protocol, Server


class WebhookServer(Server):
    """The webhook app on uvicorn, with `bountychain serve`'s guarded protocol."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 8010) -> None:
        super().__init__(app, host, port)

    def config(self) -> uvicorn.Config:
        protocol = type("Guarded", (GuardedH11Protocol,), {
            "request_deadline": self.request_deadline, "max_connections": self.max_connections,
            "max_per_client": self.max_per_client})
        return uvicorn.Config(self.web, http=protocol, lifespan="off", log_config=None, access_log=False,
                              server_header=False, timeout_keep_alive=min(self.keep_alive, self.request_deadline))
