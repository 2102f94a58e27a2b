"""Gateway mode from Python: typed errors from gRPC statuses, scopes, the event subscription and
its cancellation, against the real `ralio-gateway` binaries."""

import asyncio
import json

import pytest

import ralio
from conftest import subscribe_streams_cancelled
from flows import eur, individual

# Bounds hangs only; never a timing assertion.
DEADLINE = 60


def run(coroutine):
    return asyncio.run(coroutine)


async def verified_account(client, sandbox, unique):
    """A verified user with one EUR account, created through `client`."""
    user = await client.users().create_individual(individual(f"gw-{unique}@example.com"))
    session = await client.identity().create_session(user.id)
    sandbox.control(f"identity-verifications/{session.id}/start")
    sandbox.control(f"identity-verifications/{session.id}/approve")
    account = await client.accounts().create(
        user.id, ralio.AccountCreate(alias="Main", currency=ralio.Currency.EUR())
    )
    return user, account


def test_a_validation_error_names_the_proto_field(dev_gateway, unique):
    async def scenario():
        async with ralio.gateway(dev_gateway.grpc_url, dev_gateway.token) as client:
            user, account = await verified_account(client, dev_gateway.sandbox, unique)
            with pytest.raises(ralio.RalioFfiError.Validation) as zero:
                await client.transfers().simulate(
                    user.id,
                    account.id,
                    ralio.TransferSimulateRequest(
                        origin=eur(0), recipient=ralio.AccountRef(account_id=account.id)
                    ),
                )
            with pytest.raises(ralio.RalioFfiError.Validation) as bad_id:
                await client.accounts().get("not-a-uuid", account.id)
            return zero.value, bad_id.value

    zero, bad_id = run(scenario())
    assert zero.code == "VALIDATION_ERROR"
    assert [v.field for v in zero.violations] == ["origin.amount"]
    assert zero.request_id
    assert [v.field for v in bad_id.violations] == ["uid"]


def test_business_errors_keep_ralio_codes(dev_gateway, unique):
    async def scenario():
        async with ralio.gateway(dev_gateway.grpc_url, dev_gateway.token) as client:
            with pytest.raises(ralio.RalioFfiError.NotFound) as not_found:
                await client.orders().get("00000000-0000-4000-8000-000000000000")
            user, a = await verified_account(client, dev_gateway.sandbox, unique)
            b = await client.accounts().create(
                user.id, ralio.AccountCreate(alias="B", currency=ralio.Currency.EUR())
            )
            with pytest.raises(ralio.RalioFfiError.FailedPrecondition) as poor:
                await client.transfers().create(
                    user.id,
                    a.id,
                    ralio.TransferCreate(
                        code2fa="123456",
                        origin=eur(1_000_000),
                        recipient=ralio.AccountRef(account_id=b.id),
                        reference="INV-X",
                    ),
                )
            return not_found.value, poor.value

    not_found, poor = run(scenario())
    assert not_found.code == "NOT_FOUND"
    assert poor.code == "INSUFFICIENT_FUNDS"
    assert "123456" not in str(poor)


def test_a_missing_scope_is_refused(read_only_gateway, unique):
    async def scenario():
        async with ralio.gateway(read_only_gateway.grpc_url, read_only_gateway.token) as client:
            # `read` is enough to list orders ...
            orders = await client.orders().list_merchant(ralio.ListQuery(page_size=1))
            # ... but not to create a user or subscribe to events.
            with pytest.raises(ralio.RalioFfiError.PermissionDenied) as denied:
                await client.users().create_individual(individual(f"ro-{unique}@example.com"))
            return orders, denied.value

    orders, denied = run(scenario())
    assert orders.pagination is not None
    assert denied.code == "MISSING_SCOPE"


def test_an_unknown_token_is_unauthenticated(dev_gateway):
    async def scenario():
        async with ralio.gateway(dev_gateway.grpc_url, "not-the-token") as client:
            with pytest.raises(ralio.RalioFfiError.Unauthorized) as caught:
                await client.orders().list_merchant(ralio.ListQuery())
            return caught.value

    error = run(scenario())
    assert error.code == "UNAUTHENTICATED"
    assert "not-the-token" not in str(error)


def test_operations_gateway_mode_lacks_fail_clearly(dev_gateway, sandbox):
    async def scenario():
        async with ralio.gateway(dev_gateway.grpc_url, dev_gateway.token) as client:
            with pytest.raises(ralio.RalioFfiError.Unsupported) as unsupported:
                await client.login(ralio.CallOptions())
        from conftest import DEV_API_CODE, DEV_API_KEY

        async with ralio.direct(sandbox.base_url, DEV_API_CODE, DEV_API_KEY) as direct:
            with pytest.raises(ralio.RalioFfiError.Unsupported):
                direct.events()
        return unsupported.value

    error = run(scenario())
    assert error.code == "UNSUPPORTED_IN_GATEWAY_MODE"
    assert "login" in error.reason


def test_a_subscription_receives_the_payin_completed_of_a_simulated_payin(dev_gateway, unique):
    async def scenario():
        async with ralio.gateway(dev_gateway.grpc_url, dev_gateway.token) as client:
            user, account = await verified_account(client, dev_gateway.sandbox, unique)
            async with client.events(
                ["payin_*"], account_id=account.id, start=ralio.StartPosition.EARLIEST()
            ) as events:
                payin = dev_gateway.sandbox.control(
                    f"accounts/{account.id}/payins",
                    {"method": "BANK", "amount": 12_345, "currency": "EUR"},
                )
                seen = []
                async for event in events:
                    seen.append(event)
                    if event.event_type == "payin_completed":
                        break
                subscription = events.subscription
            # Leaving the block cancelled the stream and waited for its task to end.
            assert subscription.is_finished()
            return account, payin, seen

    account, payin, seen = run(asyncio.wait_for(scenario(), DEADLINE))
    completed = seen[-1]
    assert completed.event_type == "payin_completed"
    assert completed.account_id == account.id
    assert completed.cursor > 0
    assert payin["id"] in completed.raw_json
    json.loads(completed.raw_json)
    assert all(event.account_id == account.id for event in seen)


def test_cancelling_a_subscription_ends_its_stream_task(dev_gateway):
    async def scenario():
        async with ralio.gateway(dev_gateway.grpc_url, dev_gateway.token) as client:
            # Explicit cancel(): the Rust task ends, and the gateway sees its stream closed by
            # the client (its request metric counts one more CANCELLED Subscribe).
            before = subscribe_streams_cancelled(dev_gateway)
            stream = client.events(["never_sent_event"])
            subscription = stream.subscription
            assert await asyncio.wait_for(subscription.wait_open(), DEADLINE)
            assert not subscription.is_finished()
            subscription.cancel()
            await asyncio.wait_for(subscription.wait_finished(), DEADLINE)
            assert subscription.is_finished()
            while subscribe_streams_cancelled(dev_gateway) < before + 1:
                await asyncio.sleep(0.05)  # the gateway notices the reset asynchronously

            # Cancelling the Python task that iterates the stream: `async with` closes it.
            holder = {}

            async def consume():
                async with client.events(["never_sent_event"]) as events:
                    holder["subscription"] = events.subscription
                    async for _ in events:
                        pass

            task = asyncio.create_task(consume())
            while "subscription" not in holder:
                await asyncio.sleep(0.01)
            assert await asyncio.wait_for(holder["subscription"].wait_open(), DEADLINE)
            before = subscribe_streams_cancelled(dev_gateway)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await asyncio.wait_for(task, DEADLINE)
            assert holder["subscription"].is_finished()
            while subscribe_streams_cancelled(dev_gateway) < before + 1:
                await asyncio.sleep(0.05)

    run(asyncio.wait_for(scenario(), DEADLINE))


def test_a_refused_subscription_reports_the_error_through_the_iterator(read_only_gateway):
    async def scenario():
        async with ralio.gateway(read_only_gateway.grpc_url, read_only_gateway.token) as client:
            async with client.events() as events:
                with pytest.raises(ralio.RalioFfiError.PermissionDenied) as caught:
                    async for _ in events:
                        pass
                return caught.value

    error = run(asyncio.wait_for(scenario(), DEADLINE))
    assert error.code == "MISSING_SCOPE"


def test_other_operations_through_the_gateway_agree_with_direct_mode(dev_gateway, unique):
    """Both modes against the same sandbox: what the gateway path converts must match what the
    core client reads straight from RalioPay."""
    from conftest import DEV_API_CODE, DEV_API_KEY

    async def scenario():
        gateway = ralio.gateway(dev_gateway.grpc_url, dev_gateway.token)
        direct = ralio.direct(dev_gateway.sandbox.base_url, DEV_API_CODE, DEV_API_KEY)
        async with gateway, direct:
            g_user, d_user = await gateway.merchant().user(), await direct.merchant().user()
            assert (g_user.id, g_user.name, g_user.email) == (d_user.id, d_user.name, d_user.email)

            page = ralio.ListQuery(page_size=5)
            g_acts = await gateway.reference().list_activities(page, "es")
            d_acts = await direct.reference().list_activities(page, "es")
            assert [(a.slug, a.name) for a in g_acts.activities] == [
                (a.slug, a.name) for a in d_acts.activities
            ]
            assert g_acts.pagination.total == d_acts.pagination.total

            user, account = await verified_account(gateway, dev_gateway.sandbox, unique)
            g_accounts = await gateway.accounts().list(user.id, ralio.ListQuery())
            d_accounts = await direct.accounts().list(user.id, ralio.ListQuery())
            assert [(a.id, a.balance, a.state, a.currency) for a in g_accounts] == [
                (a.id, a.balance, a.state, a.currency) for a in d_accounts
            ]
            renamed = await gateway.accounts().update(
                user.id, account.id, ralio.AccountUpdate(alias="Renamed")
            )
            assert renamed.alias == "Renamed"

            merchant_accounts = await gateway.merchant().list_accounts(ralio.ListQuery())
            direct_merchant_accounts = await direct.merchant().list_accounts(ralio.ListQuery())
            assert [a.id for a in merchant_accounts] == [a.id for a in direct_merchant_accounts]
            if merchant_accounts:
                one = await gateway.merchant().account(merchant_accounts[0].id)
                assert one.id == merchant_accounts[0].id

            viban = await gateway.vibans().create(
                user.id, account.id, ralio.VirtualIbanCreate(name="Rent", rail=ralio.VibanRail.SEPA())
            )
            same = await direct.vibans().get(user.id, account.id, viban.id)
            assert (viban.id, viban.name, viban.rail, viban.account_id) == (
                same.id, same.name, same.rail, same.account_id
            )
            listed = await gateway.vibans().list(user.id, account.id)
            assert [v.id for v in listed] == [viban.id]
            renamed_viban = await gateway.vibans().update_alias(
                user.id, account.id, viban.id, ralio.VirtualIbanUpdate(name="Rent 2")
            )
            assert renamed_viban.name == "Rent 2"

            created = await gateway.payins().create_card(
                user.id,
                account.id,
                ralio.CardPayinCreate(
                    amount=2_500,
                    currency=ralio.Currency.EUR(),
                    reference=f"CARD-{unique}",
                    url_failed="https://shop.example/failed",
                    url_success="https://shop.example/ok",
                    payer=None,
                ),
            )
            g_card = await gateway.payins().get_card(created.order.id)
            d_card = await direct.payins().get_card(created.order.id)
            assert g_card.order.id == d_card.order.id == created.order.id
            assert (g_card.order.state, g_card.order.origin, g_card.recipient) == (
                d_card.order.state, d_card.order.origin, d_card.recipient
            )
            assert g_card.order.order_type == ralio.OrderType.CARD_PAY_IN()

    run(asyncio.wait_for(scenario(), DEADLINE))


def test_business_user_kyb_personal_user_and_crypto_through_the_gateway(dev_gateway, unique):
    async def scenario():
        async with ralio.gateway(dev_gateway.grpc_url, dev_gateway.token) as client:
            users = client.users()
            # The open JSON objects of the model become the typed proto messages.
            business = await users.create_business(
                ralio.BusinessUserCreate(
                    business_activity=ralio.BusinessActivity(
                        business_nature="Online retail",
                        business_type="LLC",
                        industry_type=ralio.IndustryType.ECOMMERCE(),
                        revenue_model="Sales",
                        business_type_other=None,
                        company_size=json.dumps({"branchesInCountry": 2, "totalEmployees": 40}),
                        existing_providers=None,
                        expected_monthly_volume="50K_TO_250K",
                        funds_flow=None,
                        industry_type_other=None,
                        msb_relationship=None,
                        products_and_services=["shoes"],
                        revenue_breakdown=json.dumps([{"percentage": 100, "productOrService": "shoes"}]),
                    ),
                    company=ralio.Company(
                        addresses=None,
                        contact=json.dumps({"email": f"ops-{unique}@acme.example"}),
                        incorporation=json.dumps({"constitutionType": "LLC", "legalName": "Acme S.L."}),
                    ),
                    other="{}",
                )
            )
            assert business.id
            kyb = client.kyb()
            session = await kyb.create_session(business.id)
            assert session.state == ralio.KybSessionState.CREATED()
            document = await kyb.upload_document(
                business.id,
                session.id,
                ralio.KybDocumentUpload(
                    category="COMPANY_INFO",
                    document_type="BUSINESS_NUMBER",
                    file_name="number.pdf",
                    mime_type="application/pdf",
                    content=b"%PDF-1.4 sandbox",
                ),
            )
            assert document.file_name == "number.pdf"
            submitted = await kyb.submit_session(business.id, session.id)
            assert submitted.state == ralio.KybSessionState.SUBMITTED()
            sessions = await kyb.list_sessions(business.id, ralio.ListQuery())
            assert [len(s.documents) for s in sessions] == [1]

            # A JSON value of the wrong shape is refused before any call, naming its path.
            with pytest.raises(ralio.RalioFfiError.Validation) as shape:
                await users.create_business(
                    ralio.BusinessUserCreate(
                        business_activity=ralio.BusinessActivity(
                            business_nature="x",
                            business_type="LLC",
                            industry_type=ralio.IndustryType.ECOMMERCE(),
                            revenue_model="Sales",
                            business_type_other=None,
                            company_size=json.dumps({"totalEmployees": "many"}),
                            existing_providers=None,
                            expected_monthly_volume=None,
                            funds_flow=None,
                            industry_type_other=None,
                            msb_relationship=None,
                            products_and_services=None,
                            revenue_breakdown=None,
                        ),
                        company=None,
                        other="{}",
                    )
                )
            assert [v.field for v in shape.value.violations] == [
                "business_activity.company_size.totalEmployees"
            ]

            personal = await users.create_personal(
                ralio.PersonalUserCreate(
                    address="Calle Mayor 2",
                    birthdate="1991-02-03",
                    city="Madrid",
                    country="ES",
                    document_number="Y7654321",
                    document_type=ralio.IdentityDocumentType.PASSPORT(),
                    email=f"pers-{unique}@example.com",
                    name="Pat",
                    postal_code="28001",
                    surname="Doe",
                    activity=None,
                    is_public_office=False,
                    kyc=json.dumps(
                        {
                            "data": {
                                "id": f"kyc-{unique}",
                                "computed": {"age": {"data": 35}},
                                "deviceFingerprint": {"ip": "203.0.113.7", "os": {"name": "Linux"}},
                                "documents": [{"country": "ES", "type": "PASSPORT", "photos": ["p1"]}],
                            }
                        }
                    ),
                )
            )
            assert (personal.name, personal.surname) == ("Pat", "Doe")

            # Crypto in and out on a verified user's account.
            user, account = await verified_account(client, dev_gateway.sandbox, unique)
            crypto_in = dev_gateway.sandbox.control(
                f"accounts/{account.id}/payins", {"method": "CRYPTO", "amount": 5_000, "currency": "EUR"}
            )
            payin = await client.payins().get_crypto(crypto_in["id"])
            assert payin.sender.tx_hash
            payouts = client.payouts()
            payout = await payouts.create_crypto(
                user.id,
                account.id,
                ralio.CryptoPayoutCreate(
                    amounts=ralio.PayoutAmounts(
                        debited_amount=eur(1_000),
                        received_amount=ralio.Money(currency=ralio.Currency.USDT(), amount=0),
                    ),
                    description="Crypto out",
                    own_reference=f"CP-{unique}",
                    recipient=ralio.CryptoRecipient(
                        address="So1anaAddress111111111111111111111111111111",
                        currency="USDT",
                        network="SOLANA",
                        amount=None,
                    ),
                ),
            )
            await payouts.validate_crypto_otp(payout.order.id, "123456")
            settled = await payouts.get_crypto(payout.order.id)
            assert settled.order.state == ralio.OrderState.SETTLED()
            assert settled.recipient.network == "SOLANA"

    run(asyncio.wait_for(scenario(), DEADLINE))


def test_tls_to_the_gateway_trusts_only_the_given_ca(tls_gateway, tmp_path):
    from conftest import make_ca

    gateway, ca_pem = tls_gateway

    async def scenario():
        client = ralio.Client(ralio.RalioClient.gateway_with_ca(gateway.grpc_url, gateway.token, ca_pem))
        async with client:
            orders = await client.orders().list_merchant(ralio.ListQuery(page_size=1))
        assert orders.pagination is not None

        # Another CA: the handshake fails, typed as Unavailable.
        other_ca, _ = make_ca(str(tmp_path), "other-ca")
        stranger = ralio.Client(
            ralio.RalioClient.gateway_with_ca(gateway.grpc_url, gateway.token, open(other_ca).read())
        )
        async with stranger:
            with pytest.raises(ralio.RalioFfiError.Unavailable):
                await stranger.orders().list_merchant(ralio.ListQuery(page_size=1))

    run(asyncio.wait_for(scenario(), DEADLINE))
    # An https URL without a CA is refused up front (no system root store is bundled).
    with pytest.raises(ralio.RalioFfiError.Validation) as caught:
        ralio.gateway(gateway.grpc_url, gateway.token)
    assert "CA" in caught.value.reason


def test_a_durable_consumer_resumes_after_its_acknowledged_cursor(dev_gateway, unique):
    async def next_of_type(events, event_type):
        async for event in events:
            if event.event_type == event_type:
                return event
        raise AssertionError("the stream ended")

    async def scenario():
        async with ralio.gateway(dev_gateway.grpc_url, dev_gateway.token) as client:
            user, account = await verified_account(client, dev_gateway.sandbox, unique)
            consumer = f"bindings-{unique}"
            payin = lambda amount: dev_gateway.sandbox.control(  # noqa: E731
                f"accounts/{account.id}/payins",
                {"method": "BANK", "amount": amount, "currency": "EUR"},
            )
            first_id = payin(1_000)["id"]
            filters = dict(account_id=account.id, consumer=consumer, start=ralio.StartPosition.EARLIEST())
            async with client.events(["payin_completed"], **filters) as events:
                first = await next_of_type(events, "payin_completed")
            assert first_id in first.raw_json
            assert await client.ack_events(consumer, first.cursor) >= first.cursor

            second_id = payin(2_000)["id"]
            # The next subscription of the consumer starts after the acknowledged cursor.
            async with client.events(["payin_completed"], **filters) as events:
                second = await next_of_type(events, "payin_completed")
            assert second.cursor > first.cursor
            assert second_id in second.raw_json

    run(asyncio.wait_for(scenario(), DEADLINE))
