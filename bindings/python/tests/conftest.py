"""Fixtures: the real `ralio-sandbox` binary on a free port, and its control API."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Iterator

import pytest

REPO = Path(__file__).resolve().parents[3]
DEV_API_CODE = "sandbox-merchant"
DEV_API_KEY = "sandbox-secret-key"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_READY = re.compile(r"RalioPay sandbox ready.*?(http://127\.0\.0\.1:\d+)")


class Sandbox:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def control(self, path: str, body: dict | None = None) -> dict:
        """A sandbox portal action (`POST /sandbox/v1/<path>`, spec/NOTES.md D13)."""
        request = urllib.request.Request(
            f"{self.base_url}/sandbox/v1/{path}",
            data=json.dumps(body or {}).encode(),
            headers={"content-type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"{}")


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    binary = Path(os.environ.get("RALIO_SANDBOX_BIN", REPO / "target" / "debug" / "ralio-sandbox"))
    if not binary.exists():
        pytest.fail(f"{binary} not found: run `cargo build -p ralio-sandbox` or set RALIO_SANDBOX_BIN")
    process = subprocess.Popen(
        [str(binary), "--addr", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "NO_COLOR": "1", "RUST_LOG": "info"},
        text=True,
    )
    try:
        base_url = _wait_ready(process, deadline=time.monotonic() + 30)
        yield Sandbox(base_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(process: subprocess.Popen, deadline: float) -> str:
    """Reads the sandbox's log until it prints its URL (it binds port 0, so only it knows)."""
    assert process.stdout is not None
    seen = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"ralio-sandbox exited early: {''.join(seen)}")
        seen.append(line)
        match = _READY.search(_ANSI.sub("", line))
        if match:
            # Keep draining its output so a full pipe never blocks the server.
            import threading

            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
            return match.group(1)
    raise RuntimeError("ralio-sandbox did not become ready in time")


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:10]
