"""One RPC from Python, two ways, in one run: the uniffi client (``ralio.gateway``) versus
``grpcio`` stubs generated from ``proto/`` — what a Python user would otherwise pick.

Both call ``MerchantService/GetMerchantUserAccount`` on the same ``ralio-gateway dev`` process
(gateway + embedded sandbox), sequentially, from one asyncio loop; the FFI client's method is
async, so grpcio is measured both with its asyncio API (the like-for-like comparison) and with
its blocking API (its fastest path). Prints p50/p99/mean latency and calls per second.

Usage: python ffi_vs_grpcio.py --gateway-bin target/release/ralio-gateway [--calls 3000]
Needs: the ``ralio`` wheel (bindings/python), ``grpcio`` and ``grpcio-tools`` installed.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
MERCHANT_EUR = "00000000-0000-4000-8000-000000000101"
TOKEN = "bench-dev-token"
METHOD = "GetMerchantUserAccount"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gateway(binary: str, data_dir: str) -> tuple[subprocess.Popen, str]:
    grpc_port = free_port()
    process = subprocess.Popen(
        [
            binary, "dev",
            "--grpc-addr", f"127.0.0.1:{grpc_port}",
            "--http-addr", f"127.0.0.1:{free_port()}",
            "--sandbox-addr", f"127.0.0.1:{free_port()}",
            "--data-dir", data_dir,
            "--dev-token", TOKEN,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "RUST_LOG": "warn"},
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("ralio-gateway dev exited before it was ready")
        if re.search(r"^\s+gRPC\s", line):
            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
            return process, f"127.0.0.1:{grpc_port}"
    process.kill()
    raise RuntimeError("ralio-gateway dev did not print its addresses in time")


def generate_stubs(out: Path) -> None:
    """protoc (grpcio-tools) over proto/ralio/v1/*.proto into ``out``."""
    from grpc_tools import protoc
    import grpc_tools

    out.mkdir(parents=True, exist_ok=True)
    include = Path(grpc_tools.__file__).parent / "_proto"
    protos = sorted(str(p.relative_to(REPO / "proto")) for p in (REPO / "proto").rglob("*.proto"))
    args = ["protoc", f"-I{REPO / 'proto'}", f"-I{include}", f"--python_out={out}",
            f"--grpc_python_out={out}", *protos]
    if protoc.main(args) != 0:
        raise RuntimeError("grpc_tools.protoc failed")
    # The stubs live in the package `ralio.v1`, and `ralio` is also the bindings' package: let
    # the installed `ralio` package find `ralio.v1` in the generated tree too.
    import ralio

    ralio.__path__.append(str(out / "ralio"))


def summarise(name: str, samples_ns: list[int]) -> dict:
    ordered = sorted(samples_ns)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1000  # noqa: E731
    mean = statistics.fmean(ordered) / 1000
    row = {"name": name, "p50": pick(0.50), "p99": pick(0.99), "mean": mean,
           "rate": 1e6 / mean, "n": len(ordered)}
    print(f"{name:<26} p50 {row['p50']:8.1f} µs   p99 {row['p99']:8.1f} µs   "
          f"mean {mean:8.1f} µs   {row['rate']:7.0f} calls/s   ({row['n']} calls)")
    return row


async def measure_async(call, calls: int, warmup: int) -> list[int]:
    for _ in range(warmup):
        await call()
    samples = []
    for _ in range(calls):
        started = time.perf_counter_ns()
        await call()
        samples.append(time.perf_counter_ns() - started)
    return samples


def measure_sync(call, calls: int, warmup: int) -> list[int]:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(calls):
        started = time.perf_counter_ns()
        call()
        samples.append(time.perf_counter_ns() - started)
    return samples


async def run(target: str, calls: int, warmup: int) -> list[dict]:
    import grpc
    import ralio

    merchant_pb2 = importlib.import_module("ralio.v1.merchant_pb2")
    merchant_grpc = importlib.import_module("ralio.v1.merchant_pb2_grpc")
    metadata = (("authorization", f"Bearer {TOKEN}"),)
    request = merchant_pb2.GetMerchantUserAccountRequest(aid=MERCHANT_EUR)
    rows = []

    # The FFI client through the gateway.
    client = ralio.RalioClient.gateway(f"http://{target}", TOKEN)
    merchant = client.merchant()
    account = await merchant.account(MERCHANT_EUR)
    assert account.id == MERCHANT_EUR, account
    rows.append(summarise("ffi (uniffi, async)",
                          await measure_async(lambda: merchant.account(MERCHANT_EUR), calls, warmup)))

    # grpcio's asyncio API.
    async with grpc.aio.insecure_channel(target) as channel:
        stub = merchant_grpc.MerchantServiceStub(channel)
        reply = await stub.GetMerchantUserAccount(request, metadata=metadata)
        assert reply.account.id == MERCHANT_EUR, reply
        rows.append(summarise("grpcio (grpc.aio)", await measure_async(
            lambda: stub.GetMerchantUserAccount(request, metadata=metadata), calls, warmup)))

    # grpcio's blocking API.
    with grpc.insecure_channel(target) as channel:
        stub = merchant_grpc.MerchantServiceStub(channel)
        assert stub.GetMerchantUserAccount(request, metadata=metadata).account.id == MERCHANT_EUR
        rows.append(summarise("grpcio (blocking)", measure_sync(
            lambda: stub.GetMerchantUserAccount(request, metadata=metadata), calls, warmup)))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gateway-bin", default=str(REPO / "target" / "release" / "ralio-gateway"))
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=300)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        generate_stubs(Path(tmp) / "stubs")
        process, target = start_gateway(args.gateway_bin, str(Path(tmp) / "data"))
        try:
            print(f"ffi-vs-grpcio: {METHOD} through ralio-gateway dev at {target}, "
                  f"{args.calls} sequential calls each after {args.warmup} warm-up calls, "
                  f"Python {sys.version.split()[0]}, {os.cpu_count()} cores")
            rows = asyncio.run(run(target, args.calls, args.warmup))
        finally:
            process.terminate()
            process.wait(timeout=10)
    ffi, aio, blocking = rows
    print(f"\nffi / grpcio(aio) p50 {ffi['p50'] / aio['p50']:.2f}x; "
          f"ffi / grpcio(blocking) p50 {ffi['p50'] / blocking['p50']:.2f}x")
    best = min(aio["p50"], blocking["p50"])
    verdict = "met" if ffi["p50"] <= best else "MISSED"
    print(f"target FFI p50 ≤ grpcio p50 (best of both APIs): {ffi['p50']:.1f} vs {best:.1f} µs: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
