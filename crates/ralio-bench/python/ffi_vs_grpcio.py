"""One RPC from Python, four ways, in one run: the uniffi client (``ralio.gateway``), async and
blocking, versus ``grpcio`` stubs generated from ``proto/`` — what a Python user would otherwise
pick — with grpc.aio and with grpcio's blocking stubs.

All call ``MerchantService/GetMerchantUserAccount`` on the same ``ralio-gateway dev`` process
(gateway + embedded sandbox), sequentially from one thread: the async APIs from one asyncio loop,
the blocking ones from plain code. The like-for-like pairs are FFI async vs grpc.aio and FFI
blocking (``account_blocking``) vs grpcio blocking. Prints p50/p99/mean latency and calls per
second, and the two p50 ratios. ``--profile N`` adds a cProfile of N blocking FFI calls (where
the Python-side time of one call goes). Also measured, for the record: the FFI async call
through uniffi's generated completion helper (which the package replaces, ralio/_async_calls.py)
and through the package's fallback (a Python callback instead of the event loop's completion
queue), and a call refused before any I/O, with each helper and blocking (the async protocol's
own cost).

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
    print(f"{name:<38} p50 {row['p50']:8.1f} µs   p99 {row['p99']:8.1f} µs   "
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


def grpc_parts():
    merchant_pb2 = importlib.import_module("ralio.v1.merchant_pb2")
    merchant_grpc = importlib.import_module("ralio.v1.merchant_pb2_grpc")
    metadata = (("authorization", f"Bearer {TOKEN}"),)
    request = merchant_pb2.GetMerchantUserAccountRequest(aid=MERCHANT_EUR)
    return merchant_grpc, metadata, request


async def run_async(target: str, calls: int, warmup: int) -> dict:
    import grpc
    import ralio

    merchant_grpc, metadata, request = grpc_parts()
    rows = {}

    # The FFI client through the gateway, async.
    client = ralio.RalioClient.gateway(f"http://{target}", TOKEN)
    merchant = client.merchant()
    account = await merchant.account(MERCHANT_EUR)
    assert account.id == MERCHANT_EUR, account
    rows["ffi_async"] = summarise("ffi (uniffi, async)", await measure_async(
        lambda: merchant.account(MERCHANT_EUR), calls, warmup))
    # The same through uniffi's own completion helper, which the package replaces
    # (ralio/_async_calls.py), and, with both helpers, a call that ends before any I/O (login
    # is refused by a gateway client): the cost of the async protocol alone.
    from ralio import _async_calls
    from ralio._native import ralio_ffi

    async def refused():
        try:
            await client.login(ralio.CallOptions())
        except ralio.RalioFfiError.Unsupported:
            pass

    ours = ralio_ffi._uniffi_rust_call_async
    for label, helper in (("uniffi's helper", _async_calls.generated_helper), ("ours", ours)):
        ralio_ffi._uniffi_rust_call_async = helper
        try:
            if helper is not ours:
                rows["ffi_async_generated"] = summarise(
                    f"ffi (uniffi, async, {label})", await measure_async(
                        lambda: merchant.account(MERCHANT_EUR), calls, warmup))
            summarise(f"  refused before I/O, {label}", await measure_async(refused, calls, warmup))
        finally:
            ralio_ffi._uniffi_rust_call_async = ours

    # Ours without the loop's completion queue: the Python continuation it falls back to
    # (spec/NOTES.md D29, D30), called from a runtime thread.
    loop = asyncio.get_running_loop()
    queue = _async_calls._queues.get(loop)
    _async_calls._queues[loop] = None
    try:
        rows["ffi_async_fallback"] = summarise(
            "ffi (uniffi, async, Python callback)", await measure_async(
                lambda: merchant.account(MERCHANT_EUR), calls, warmup))
    finally:
        _async_calls._queues[loop] = queue

    def refused_blocking():
        try:
            client.login_blocking(ralio.CallOptions())
        except ralio.RalioFfiError.Unsupported:
            pass

    summarise("  refused before I/O, blocking", measure_sync(refused_blocking, calls, warmup))

    # grpcio's asyncio API.
    async with grpc.aio.insecure_channel(target) as channel:
        stub = merchant_grpc.MerchantServiceStub(channel)
        reply = await stub.GetMerchantUserAccount(request, metadata=metadata)
        assert reply.account.id == MERCHANT_EUR, reply
        rows["grpc_aio"] = summarise("grpcio (grpc.aio)", await measure_async(
            lambda: stub.GetMerchantUserAccount(request, metadata=metadata), calls, warmup))
    return rows


def run_blocking(target: str, calls: int, warmup: int) -> dict:
    import grpc
    import ralio

    merchant_grpc, metadata, request = grpc_parts()
    rows = {}

    # The FFI client through the gateway, blocking: the same future run on the calling thread.
    client = ralio.RalioClient.gateway(f"http://{target}", TOKEN)
    merchant = client.merchant()
    assert merchant.account_blocking(MERCHANT_EUR).id == MERCHANT_EUR
    rows["ffi_blocking"] = summarise("ffi (uniffi, blocking)", measure_sync(
        lambda: merchant.account_blocking(MERCHANT_EUR), calls, warmup))

    # grpcio's blocking API.
    with grpc.insecure_channel(target) as channel:
        stub = merchant_grpc.MerchantServiceStub(channel)
        assert stub.GetMerchantUserAccount(request, metadata=metadata).account.id == MERCHANT_EUR
        rows["grpc_blocking"] = summarise("grpcio (blocking)", measure_sync(
            lambda: stub.GetMerchantUserAccount(request, metadata=metadata), calls, warmup))
    return rows


def profile_blocking(target: str, calls: int) -> None:
    """cProfile of `calls` blocking FFI calls: the Python-side share (argument lowering, result
    lifting, the ctypes call itself, whose own time is the Rust side plus the network)."""
    import cProfile
    import pstats
    import ralio

    merchant = ralio.RalioClient.gateway(f"http://{target}", TOKEN).merchant()
    for _ in range(100):
        merchant.account_blocking(MERCHANT_EUR)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        merchant.account_blocking(MERCHANT_EUR)
    profiler.disable()
    print(f"\ncProfile of {calls} blocking FFI calls (tottime, top 15):")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gateway-bin", default=str(REPO / "target" / "release" / "ralio-gateway"))
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="also cProfile N blocking FFI calls (off by default)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        generate_stubs(Path(tmp) / "stubs")
        process, target = start_gateway(args.gateway_bin, str(Path(tmp) / "data"))
        try:
            print(f"ffi-vs-grpcio: {METHOD} through ralio-gateway dev at {target}, "
                  f"{args.calls} sequential calls each after {args.warmup} warm-up calls, "
                  f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, "
                  f"RALIO_FFI_WORKER_THREADS={os.environ.get('RALIO_FFI_WORKER_THREADS', 'unset (1)')}, "
                  f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            rows = asyncio.run(run_async(target, args.calls, args.warmup))
            rows.update(run_blocking(target, args.calls, args.warmup))
            if args.profile:
                profile_blocking(target, args.profile)
        finally:
            process.terminate()
            process.wait(timeout=10)
    ratio = lambda a, b: rows[a]["p50"] / rows[b]["p50"]  # noqa: E731
    print(f"\np50 ratios: ffi blocking / grpcio blocking {ratio('ffi_blocking', 'grpc_blocking'):.2f}x; "
          f"ffi async / grpc.aio {ratio('ffi_async', 'grpc_aio'):.2f}x")
    for ffi, grpc_row, label in (("ffi_blocking", "grpc_blocking", "blocking"),
                                 ("ffi_async", "grpc_aio", "async")):
        mine, theirs = rows[ffi]["p50"], rows[grpc_row]["p50"]
        verdict = "met" if mine <= theirs else "MISSED"
        print(f"target FFI {label} p50 <= grpcio {label} p50: {mine:.1f} vs {theirs:.1f} µs: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
