"""The whole money flow from Python through the FFI client: straight to the sandbox (direct
mode) and through `ralio-gateway dev` over gRPC (gateway mode), with the same code."""

import asyncio

import pytest

import ralio
from flows import bank_payout, eur, individual
from conftest import DEV_API_CODE, DEV_API_KEY


def test_user_to_ledger_flow_direct(sandbox, unique):
    client = ralio.direct(sandbox.base_url, DEV_API_CODE, DEV_API_KEY)
    asyncio.run(_user_to_ledger_flow(client, sandbox, unique))


def test_user_to_ledger_flow_through_the_gateway(dev_gateway, unique):
    client = ralio.gateway(dev_gateway.grpc_url, dev_gateway.token)
    assert client.is_gateway()
    asyncio.run(_user_to_ledger_flow(client, dev_gateway.sandbox, unique))


async def _user_to_ledger_flow(client, sandbox, unique):
    async with client:
        # A user, verified through an IDV session approved in the sandbox portal.
        user = await client.users().create_individual(individual(f"ann-{unique}@example.com"))
        uid = user.id
        session = await client.identity().create_session(uid)
        assert session.state == ralio.IdvSessionState.NOT_STARTED()
        sandbox.control(f"identity-verifications/{session.id}/start")
        sandbox.control(f"identity-verifications/{session.id}/approve")
        sessions = await client.identity().list_sessions(uid, ralio.ListQuery())
        assert sessions.sessions[0].state == ralio.IdvSessionState.VERIFIED()
        history = await client.identity().session_state_history(uid, session.id)
        assert history.logs[-1].new_state == ralio.IdvSessionState.VERIFIED()

        # Two EUR accounts.
        accounts = client.accounts()
        main = await accounts.create(uid, ralio.AccountCreate(alias="Main", currency=ralio.Currency.EUR()))
        savings = await accounts.create(
            uid, ralio.AccountCreate(alias="Savings", currency=ralio.Currency.EUR())
        )
        assert main.state == ralio.AccountState.ACTIVE()

        # 1000.00 EUR arrive by bank; the payin fee is 1% (D7).
        payin = sandbox.control(
            f"accounts/{main.id}/payins", {"method": "BANK", "amount": 100_000, "currency": "EUR"}
        )
        bank_payin = await client.payins().get_bank(payin["id"])
        assert bank_payin.order.state == ralio.OrderState.SETTLED()
        assert (await accounts.get(uid, main.id)).balance == 99_000

        # A quoted, idempotency-keyed transfer of 100.00 EUR to the savings account.
        recipient = ralio.AccountRef(account_id=savings.id)
        quote = await client.transfers().simulate(
            uid, main.id, ralio.TransferSimulateRequest(origin=eur(10_000), recipient=recipient)
        )
        assert quote.destination == eur(10_000)
        keyed = client.transfers().with_options(ralio.CallOptions(idempotency_key=f"transfer-{unique}"))
        created = await keyed.create(
            uid,
            main.id,
            ralio.TransferCreate(
                code2fa="123456",
                origin=eur(10_000),
                recipient=recipient,
                reference=f"INV-{unique}",
                quote_id=quote.quote_id,
            ),
        )
        transfer = await client.transfers().get(created.id)
        assert transfer.order.state == ralio.OrderState.SETTLED()
        assert transfer.recipient == recipient

        # A bank payout of 100.00 EUR (+1.00 fee), released by OTP.
        payouts = client.payouts()
        payout = await payouts.create_bank(uid, main.id, bank_payout(10_000))
        assert payout.is_otp_required is True
        assert payout.order.state == ralio.OrderState.CREATED()
        await payouts.send_otp(
            ralio.OtpSendRequest(
                order_id=payout.order.id, phone_number="600000000", phone_number_country="ES"
            )
        )
        try:
            await payouts.validate_bank_otp(payout.order.id, "000000")
            raise AssertionError("a wrong OTP was accepted")
        except ralio.RalioFfiError.FailedPrecondition as error:
            assert error.code == "INVALID_OTP"
            assert "000000" not in str(error)
        validated = await payouts.validate_bank_otp(payout.order.id, "123456")
        assert validated.validated_at is not None
        settled = await payouts.get_bank(payout.order.id)
        assert settled.order.state == ralio.OrderState.SETTLED()

        # Balances: 99000 - 10000 - (10000 + 100).
        main_now = await accounts.get(uid, main.id)
        assert (main_now.balance, main_now.pending_out) == (78_900, 0)
        assert (await accounts.get(uid, savings.id)).balance == 10_000

        # Orders: three on the main account; filters reach the server.
        orders = await client.orders().list_account(uid, main.id, ralio.ListQuery(sort="-createdAt"))
        assert len(orders.orders) == 3
        assert orders.pagination.total == 3
        transfers_only = await client.orders().list_merchant(
            ralio.ListQuery(
                filters=[ralio.Filter(field="type", op=ralio.FilterOp.EQ, value="TRANSFER")]
            )
        )
        assert transfers_only.orders
        assert all(o.order_type == ralio.OrderType.TRANSFER() for o in transfers_only.orders)
        assert (await client.orders().get(payin["id"])).order_type == ralio.OrderType.BANK_PAY_IN()

        # The ledger: balance == sum of signed amounts, and the detail agrees with the list.
        ledger = await client.transactions().list(uid, main.id, ralio.ListQuery())
        assert len(ledger) == 3
        assert sum(t.amount for t in ledger) == 78_900
        newest = next(t for t in ledger if t.running_balance == 78_900)
        detail = await client.transactions().get(uid, main.id, newest.id)
        assert (detail.amount, detail.running_balance) == (newest.amount, newest.running_balance)


@pytest.mark.parametrize("mode", ["direct", "gateway"])
def test_opaque_json_crosses_as_text(mode, request, unique):
    if mode == "direct":
        sandbox = request.getfixturevalue("sandbox")
        make = lambda: ralio.direct(sandbox.base_url, DEV_API_CODE, DEV_API_KEY)  # noqa: E731
    else:
        dev = request.getfixturevalue("dev_gateway")
        make = lambda: ralio.gateway(dev.grpc_url, dev.token)  # noqa: E731

    async def run():
        async with make() as client:
            user = await client.users().create_individual(individual(f"json-{unique}@example.com"))
            session = await client.identity().create_session(user.id)
            # `data` is loosely documented JSON: it arrives as JSON text (or None).
            if session.data is not None:
                import json

                json.loads(session.data)
            assert session.id

    asyncio.run(run())
