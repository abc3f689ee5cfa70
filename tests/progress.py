"""A line every five minutes of a test run: how long it has run, how many tests have ended, and
which are running now and for how long. A run that is cut off (CI stops at 90 minutes) still
says in its output where the time went and what was running at the end; a test that hangs
is named while it hangs. pytest-timeout (pyproject.toml) then fails it, so the run goes on.

Only the process that prints runs the clock: the controller under pytest-xdist (its workers
report each test's start and end to it), or the one process without -n."""

from __future__ import annotations

import threading
import time

import pytest

EVERY = 300.0  # seconds between two lines


class Clock:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.started = time.monotonic()
        self.ended = 0
        self.running: dict[str, float] = {}  # node id -> when it started
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, name="test-clock", daemon=True)

    def pytest_sessionstart(self) -> None:
        self._thread.start()

    def pytest_sessionfinish(self) -> None:
        self._stop.set()

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        with self._lock:
            self.running[nodeid] = time.monotonic()

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        with self._lock:
            self.running.pop(nodeid, None)
            self.ended += 1

    def line(self) -> str:
        now = time.monotonic()
        with self._lock:
            running = sorted(self.running.items(), key=lambda item: item[1])
            ended = self.ended
        words = ", ".join(f"{nodeid} ({_duration(now - since)})" for nodeid, since in running) or "nothing"
        return f"[{_duration(now - self.started)} into the run] {ended} tests ended; running: {words}"

    def _tick(self) -> None:
        while not self._stop.wait(EVERY):
            reporter = self.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                reporter.write_line("")
                reporter.write_line(self.line())


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # an xdist worker's output is not shown
        config.pluginmanager.register(Clock(config), "bountychain-test-clock")
