"""The blocking (synchronous) API: every async method `name` has a twin `name_blocking` that
returns the result (or raises the same typed RalioFfiError) on the calling thread, straight to
RalioPay and through the gateway, without holding the GIL while it waits."""

import datetime
import socket
import threading

import pytest

import ralio
from conftest import DEV_API_CODE, DEV_API_KEY
from flows import eur, individual

# Bounds hangs only; never a timing assertion.
DEADLINE = 60


def verified_account_blocking(client, sandbox, unique):
    """A verified user with one EUR account, created with blocking calls only."""
    user = client.users().create_individual_blocking(individual(f"blk-{unique}@example.com"))
    session = client.identity().create_session_blocking(user.id)
    sandbox.control(f"identity-verifications/{session.id}/start")
    sandbox.control(f"identity-verifications/{session.id}/approve")
    account = client.accounts().create_blocking(
        user.id, ralio.AccountCreate(alias="Main", currency=ralio.Currency.EUR())
    )
    return user, account


def test_blocking_calls_straight_to_ralio_return_results_and_typed_errors(sandbox, unique):
    with ralio.direct(sandbox.base_url, DEV_API_CODE, DEV_API_KEY) as client:
        merchant = client.merchant().user_blocking()
        assert merchant.id

        user, account = verified_account_blocking(client, sandbox, unique)
        sandbox.control(
            f"accounts/{account.id}/payins", {"method": "BANK", "amount": 10_000, "currency": "EUR"}
        )
        assert client.accounts().get_blocking(user.id, account.id).balance == 9_900

        with pytest.raises(ralio.RalioFfiError.Validation) as page:
            client.orders().list_merchant_blocking(ralio.ListQuery(page_size=1000))
        with pytest.raises(ralio.RalioFfiError.Validation) as amount:
            client.transfers().simulate_blocking(
                user.id,
                account.id,
                ralio.TransferSimulateRequest(
                    origin=eur(0), recipient=ralio.AccountRef(account_id=account.id)
                ),
            )
        with pytest.raises(ralio.RalioFfiError.NotFound):
            client.orders().get_blocking("00000000-0000-4000-8000-000000000000")
        # `login` has a blocking twin on the client itself.
        assert client.login_blocking(ralio.CallOptions()).token

    assert page.value.code == "VALIDATION_ERROR"
    assert [v.field for v in page.value.violations] == ["pageSize"]
    assert page.value.request_id
    assert any("amount" in v.field for v in amount.value.violations), amount.value.violations


def test_blocking_calls_through_the_gateway_return_results_and_typed_errors(dev_gateway, unique):
    with ralio.gateway(dev_gateway.grpc_url, dev_gateway.token) as client:
        user, account = verified_account_blocking(client, dev_gateway.sandbox, unique)
        same = client.accounts().get_blocking(user.id, account.id)
        assert (same.id, same.currency) == (account.id, ralio.Currency.EUR())

        with pytest.raises(ralio.RalioFfiError.Validation) as bad_id:
            client.accounts().get_blocking("not-a-uuid", account.id)
        with pytest.raises(ralio.RalioFfiError.Validation) as zero:
            client.transfers().simulate_blocking(
                user.id,
                account.id,
                ralio.TransferSimulateRequest(
                    origin=eur(0), recipient=ralio.AccountRef(account_id=account.id)
                ),
            )
        with pytest.raises(ralio.RalioFfiError.Unsupported) as login:
            client.login_blocking(ralio.CallOptions())

    assert bad_id.value.code == "VALIDATION_ERROR"
    assert [v.field for v in bad_id.value.violations] == ["uid"]
    assert [v.field for v in zero.value.violations] == ["origin.amount"]
    assert login.value.code == "UNSUPPORTED_IN_GATEWAY_MODE"


def test_a_missing_scope_is_refused_by_a_blocking_call(read_only_gateway, unique):
    with ralio.gateway(read_only_gateway.grpc_url, read_only_gateway.token) as client:
        assert client.orders().list_merchant_blocking(ralio.ListQuery(page_size=1)).pagination
        with pytest.raises(ralio.RalioFfiError.PermissionDenied) as denied:
            client.users().create_individual_blocking(individual(f"ro-{unique}@example.com"))
    assert denied.value.code == "MISSING_SCOPE"


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while True:
            chunk = source.recv(65536)
            if not chunk:
                break
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _python_proxy(upstream: str):
    """A TCP proxy whose forwarding is done by Python threads: a call through it can only
    complete if the calling thread lets those threads run, i.e. releases the GIL while blocked."""
    host, port = upstream.removeprefix("http://").split(":")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve():
        while True:
            try:
                downstream, _ = listener.accept()
            except OSError:
                return  # the listener was closed
            upstream_socket = socket.create_connection((host, int(port)))
            for pair in ((downstream, upstream_socket), (upstream_socket, downstream)):
                threading.Thread(target=_pump, args=pair, daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return listener, f"http://127.0.0.1:{listener.getsockname()[1]}"


def test_a_blocking_call_releases_the_gil_while_it_waits(sandbox):
    listener, url = _python_proxy(sandbox.base_url)
    with listener:
        # If the call held the GIL, the proxy threads could not forward a byte and the call would
        # end with this deadline's Timeout instead of the merchant.
        deadline = ralio.CallOptions(deadline=datetime.timedelta(seconds=DEADLINE))
        with ralio.direct(url, DEV_API_CODE, DEV_API_KEY, max_retries=0) as client:
            merchant = client.merchant().with_options(deadline).user_blocking()
    assert merchant.id


def test_a_blocking_call_ends_with_its_deadline_as_a_typed_timeout():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()  # accepts connections (kernel backlog) and never answers
    with listener:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        options = ralio.CallOptions(deadline=datetime.timedelta(milliseconds=300))
        with ralio.direct(url, "code", "key") as client:
            with pytest.raises(ralio.RalioFfiError.Timeout) as caught:
                client.merchant().with_options(options).user_blocking()
    assert caught.value.code == "DEADLINE_EXCEEDED"


def test_a_blocking_call_from_an_event_listener_is_refused_not_deadlocked(dev_gateway, unique):
    """Listeners run on the bindings' runtime threads, where blocking would stall the runtime:
    there a blocking method raises Unsupported at once (use the async method instead)."""
    outcome: dict = {}
    done = threading.Event()

    with ralio.gateway(dev_gateway.grpc_url, dev_gateway.token) as client:
        user, account = verified_account_blocking(client, dev_gateway.sandbox, unique)

        class Listener(ralio.EventListener):
            def on_event(self, event):
                if "error" in outcome or event.event_type != "payin_completed":
                    return
                try:
                    outcome["result"] = client.accounts().get_blocking(user.id, account.id)
                except ralio.RalioFfiError as error:
                    outcome["error"] = error
                done.set()

            def on_error(self, error):
                outcome.setdefault("stream_error", error)
                done.set()

        options = ralio.EventSubscribeOptions(
            types=["payin_completed"],
            user_id=None,
            account_id=account.id,
            start=ralio.StartPosition.EARLIEST(),
            consumer=None,
            heartbeat_interval=None,
        )
        subscription = client.subscribe_events(options, Listener())
        try:
            assert subscription.wait_open_blocking()
            dev_gateway.sandbox.control(
                f"accounts/{account.id}/payins",
                {"method": "BANK", "amount": 1_000, "currency": "EUR"},
            )
            assert done.wait(DEADLINE), "no payin_completed event arrived"
        finally:
            subscription.cancel()
            subscription.wait_finished_blocking()
        assert subscription.is_finished()

    error = outcome.get("error")
    assert isinstance(error, ralio.RalioFfiError.Unsupported), outcome
    assert error.code == "BLOCKING_CALL_IN_ASYNC_CONTEXT"
