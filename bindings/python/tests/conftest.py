"""Fixtures: the real `ralio-sandbox` binary on a free port and its control API; the real
`ralio-gateway dev` (sandbox + gateway in one process) on free ports; and `ralio-gateway serve`
with a read-only token in front of the dev sandbox, for scope checks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import threading
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
            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
            return match.group(1)
    raise RuntimeError("ralio-sandbox did not become ready in time")


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:10]


GATEWAY_BIN = Path(os.environ.get("RALIO_GATEWAY_BIN", REPO / "target" / "debug" / "ralio-gateway"))
DEV_TOKEN = "rgw_dev_bindings_" + uuid.uuid4().hex


class Gateway:
    def __init__(
        self,
        grpc_url: str,
        token: str,
        sandbox: Sandbox,
        process: subprocess.Popen,
        admin_url: str | None = None,
    ) -> None:
        self.grpc_url = grpc_url
        self.admin_url = admin_url
        self.token = token
        self.sandbox = sandbox
        self.process = process


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _read_lines_until(stream, patterns: dict, deadline: float, what: str) -> dict:
    """Reads `stream` until every regex of `patterns` matched once; returns their first groups."""
    found: dict = {}
    seen = []
    while len(found) < len(patterns):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not become ready in time: {''.join(seen)[-2000:]}")
        line = stream.readline()
        if not line:
            raise RuntimeError(f"{what} exited early: {''.join(seen)[-2000:]}")
        seen.append(line)
        clean = _ANSI.sub("", line)
        for name, pattern in patterns.items():
            match = pattern.search(clean)
            if match and name not in found:
                found[name] = match.group(1)
    threading.Thread(target=lambda: [None for _ in stream], daemon=True).start()
    return found


@pytest.fixture(scope="session")
def dev_gateway() -> Iterator[Gateway]:
    """`ralio-gateway dev` on free ports, with a known client token (all scopes)."""
    if not GATEWAY_BIN.exists():
        pytest.fail(f"{GATEWAY_BIN} not found: run `cargo build` or set RALIO_GATEWAY_BIN")
    data_dir = tempfile.mkdtemp(prefix="ralio-bindings-dev-")
    process = subprocess.Popen(
        [
            str(GATEWAY_BIN), "dev",
            "--grpc-addr", "127.0.0.1:0",
            "--http-addr", "127.0.0.1:0",
            "--sandbox-addr", "127.0.0.1:0",
            "--data-dir", data_dir,
            "--dev-token", DEV_TOKEN,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "NO_COLOR": "1", "RUST_LOG": "warn"},
        text=True,
    )
    try:
        found = _read_lines_until(
            process.stdout,
            {
                "grpc": re.compile(r"^\s*gRPC\s+(\S+)"),
                "sandbox": re.compile(r"^\s*sandbox\s+(http://\S+)"),
                "admin": re.compile(r"^\s*admin HTTP\s+(http://\S+)"),
            },
            time.monotonic() + 60,
            "ralio-gateway dev",
        )
        yield Gateway(
            f"http://{found['grpc']}", DEV_TOKEN, Sandbox(found["sandbox"]), process, found["admin"]
        )
    finally:
        _stop(process)


def _serve(dev_gateway: Gateway, scopes: list, tls: tuple | None = None) -> tuple:
    """Starts `ralio-gateway serve` in front of the dev sandbox with one token holding `scopes`
    (and TLS from the `(cert, key)` PEM files when given); returns (process, grpc address, token)."""
    token = "rgw_serve_" + uuid.uuid4().hex
    sha256 = subprocess.run(
        [str(GATEWAY_BIN), "hash-token"], input=token, capture_output=True, text=True, check=True
    ).stdout.strip()
    directory = tempfile.mkdtemp(prefix="ralio-bindings-serve-")
    config = Path(directory) / "gateway.toml"
    tls_table = f'\n[tls]\ncert = "{tls[0]}"\nkey = "{tls[1]}"\n' if tls else ""
    config.write_text(
        f"""
grpc_addr = "127.0.0.1:0"
http_addr = "127.0.0.1:0"
data_dir = "{directory}/data"

[ralio]
base_url = "{dev_gateway.sandbox.base_url}"
api_code = "{DEV_API_CODE}"
{tls_table}
[[tokens]]
name = "client"
sha256 = "{sha256}"
scopes = {json.dumps(scopes)}
"""
    )
    process = subprocess.Popen(
        [str(GATEWAY_BIN), "serve", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1", "RUST_LOG": "info", "RALIO_API_KEY": DEV_API_KEY},
        text=True,
    )
    try:
        found = _read_lines_until(
            process.stderr,
            {"grpc": re.compile(r"gateway listening.*grpc_addr=(\S+)")},
            time.monotonic() + 60,
            "ralio-gateway serve",
        )
    except BaseException:
        _stop(process)
        raise
    return process, found["grpc"], token


@pytest.fixture(scope="session")
def read_only_gateway(dev_gateway: Gateway) -> Iterator[Gateway]:
    """`ralio-gateway serve` in front of the dev sandbox, with one token holding only `read`."""
    process, address, token = _serve(dev_gateway, ["read"])
    try:
        yield Gateway(f"http://{address}", token, dev_gateway.sandbox, process)
    finally:
        _stop(process)


def _openssl(*args: str, cwd: str) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_ca(directory: str, name: str) -> tuple:
    """A throw-away CA: (certificate path, key path)."""
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", f"/CN={name}", "-keyout", f"{name}.key", "-out", f"{name}.pem",
        cwd=directory,
    )
    return f"{directory}/{name}.pem", f"{directory}/{name}.key"


@pytest.fixture(scope="session")
def tls_gateway(dev_gateway: Gateway) -> Iterator[tuple]:
    """`ralio-gateway serve` over TLS (a certificate for 127.0.0.1 signed by a test CA) with a
    `read` token; yields (gateway, CA certificate PEM)."""
    directory = tempfile.mkdtemp(prefix="ralio-bindings-tls-")
    ca_pem, ca_key = make_ca(directory, "test-ca")
    _openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
        "-keyout", "server.key", "-out", "server.csr",
        cwd=directory,
    )
    Path(directory, "ext.cnf").write_text(
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
        "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
    )
    _openssl(
        "x509", "-req", "-in", "server.csr", "-CA", ca_pem, "-CAkey", ca_key, "-CAcreateserial",
        "-days", "2", "-extfile", "ext.cnf", "-out", "server.pem",
        cwd=directory,
    )
    process, address, token = _serve(
        dev_gateway, ["read"], tls=(f"{directory}/server.pem", f"{directory}/server.key")
    )
    try:
        yield Gateway(f"https://{address}", token, dev_gateway.sandbox, process), Path(ca_pem).read_text()
    finally:
        _stop(process)


def subscribe_streams_cancelled(gateway: Gateway) -> int:
    """How many `EventsService/Subscribe` streams the gateway counted as ended by the client
    (`CANCELLED` in its request metric, recorded when the response body is dropped)."""
    with urllib.request.urlopen(f"{gateway.admin_url}/metrics", timeout=10) as response:
        text = response.read().decode()
    total = 0
    for line in text.splitlines():
        if (
            line.startswith("ralio_gateway_grpc_requests_total{")
            and 'code="CANCELLED"' in line
            and 'rpc="/ralio.v1.EventsService/Subscribe"' in line
        ):
            total += int(float(line.rsplit(" ", 1)[1]))
    return total
