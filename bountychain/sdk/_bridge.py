"""The greenlet bridge under `AsyncBountyClient` (see `_async`): synchronous client code
running in a greenlet hands each awaitable to the event loop and resumes with its result.
Kept apart from the client so that the transaction layer can wait on the loop (`pause`)
without importing the client."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import greenlet

T = TypeVar("T")


class _Bridged(greenlet.greenlet):
    """A greenlet running the client's code, whose awaits are made by `driver`."""

    def __init__(self, run: Callable[..., Any], driver: greenlet.greenlet) -> None:
        super().__init__(run, driver)
        self.driver = driver


def in_bridge() -> bool:
    return isinstance(greenlet.getcurrent(), _Bridged)


def await_in_bridge(awaitable: Awaitable[T]) -> T:
    """From the client's code in a bridged greenlet: the awaitable's result, awaited by
    the event loop."""
    current = greenlet.getcurrent()
    if not isinstance(current, _Bridged):
        raise RuntimeError("an async request outside AsyncBountyClient's bridge")
    return current.driver.switch(awaitable)  # type: ignore[no-any-return]


async def run_bridged(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Runs synchronous client code whose requests are awaited on this event loop."""
    bridged = _Bridged(function, greenlet.getcurrent())
    request = bridged.switch(*args, **kwargs)
    while not bridged.dead:
        try:
            answer = await request
        except BaseException:
            request = bridged.throw(*sys.exc_info())
        else:
            request = bridged.switch(answer)
    return request  # type: ignore[no-any-return]


def pause(seconds: float) -> None:
    """Waits: on the event loop inside the async client's bridge, else by sleeping."""
    if in_bridge():
        await_in_bridge(asyncio.sleep(seconds))
    else:
        time.sleep(seconds)


__all__ = ["await_in_bridge", "in_bridge", "pause", "run_bridged"]
