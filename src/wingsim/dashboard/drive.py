"""Drive the dashboard from a real browser: a server in a child process, Debian's Chromium.

Shared by the browser tests (``tests/test_dashboard_browser.py``) and the workshop
benchmark (``benchmarks/bench_workshop.py``). Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: Chromium flags for this kind of machine (no sandbox, no GPU, no calls home).
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
#: How long a server may take to start listening (s); a busy 2-core machine needs a while.
START_TIMEOUT = 60
LOCAL_HOSTS = ("127.0.0.1", "localhost")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``wingsim dashboard`` in a child process on a free local port (a context manager)."""

    def __init__(self, *options: str, cwd: Path | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.output: list[str] = []
        cmd = [sys.executable, "-m", "wingsim.cli", "dashboard", "--port", str(self.port)]
        self.proc = subprocess.Popen(
            [*cmd, *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            cwd=cwd,
            text=True,
        )
        # Drain the output in the background, so a chatty server never blocks on its pipe.
        threading.Thread(target=self._drain, daemon=True).start()
        self._wait_listening()

    def _drain(self) -> None:
        for line in self.proc.stdout:
            self.output.append(line)
            if os.environ.get("WINGSIM_DASHBOARD_DEBUG"):
                print(line, end="", flush=True)

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("dashboard exited: " + "".join(self.output)) from None
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"dashboard did not start within {START_TIMEOUT} s")

    def server_pid(self, timeout: float = 30) -> int:
        """The process serving the pages now: the supervisor's child (it changes when the
        server is recycled; between two, this waits for the next)."""
        import psutil

        deadline = time.monotonic() + timeout
        while True:
            children = psutil.Process(self.proc.pid).children()
            if children:
                return children[0].pid
            if time.monotonic() > deadline:
                raise RuntimeError("no server process under the supervisor")
            time.sleep(0.05)

    def wait_output(self, text: str, start: int = 0, timeout: float = 60) -> int:
        """Wait for a line containing ``text`` after line ``start``; that line's index."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, line in enumerate(self.output[start:], start):
                if text in line:
                    return i
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"no {text!r} from the server: " + "".join(self.output))

    @property
    def trainer_url(self) -> str:
        """The trainer's link, as printed at start-up (workshop mode)."""
        for line in self.output:
            if line.startswith("trainer's page:"):
                link = line.split()[2]
                return link.replace(urlparse(link).netloc, f"127.0.0.1:{self.port}")
        raise RuntimeError("no trainer link in the server's output: " + "".join(self.output))

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def watch(page, errors: list[str], offsite: list[str]) -> None:
    """Record a page's console errors and every request that leaves this machine."""
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"failed request {r.url}"))

    def request(r):
        host = urlparse(r.url).hostname
        if r.url.startswith(("http", "ws")) and host not in LOCAL_HOSTS:
            offsite.append(r.url)

    page.on("request", request)


def day(page) -> int:
    """The day counter shown on a dashboard page."""
    return int(page.locator(".wingsim-day").inner_text().split()[-1])


def join(page, url: str, nickname: str, timeout_ms: int = 60_000) -> None:
    """Open the participant page and join with ``nickname``."""
    page.goto(url)
    page.locator(".wingsim-nickname input").fill(nickname)
    page.get_by_role("button", name="Join").click()
    page.wait_for_selector(".wingsim-day", timeout=timeout_ms)
