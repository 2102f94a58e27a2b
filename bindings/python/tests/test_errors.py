"""Typed errors: each failure class raises its own RalioFfiError subclass with Ralio's code."""

import asyncio

import pytest

import ralio
from conftest import DEV_API_CODE, DEV_API_KEY
from flows import eur, individual


def run(coroutine):
    return asyncio.run(coroutine)


def test_a_validation_error_names_the_field(sandbox):
    async def scenario():
        async with ralio.direct(sandbox.base_url, DEV_API_CODE, DEV_API_KEY) as client:
            with pytest.raises(ralio.RalioFfiError.Validation) as caught:
                await client.orders().list_merchant(ralio.ListQuery(page_size=1000))
            return caught.value

    error = run(scenario())
    assert error.code == "VALIDATION_ERROR"
    assert [v.field for v in error.violations] == ["pageSize"]
    assert error.request_id


def test_a_body_violation_names_its_json_path(sandbox, unique):
    async def scenario():
        async with ralio.direct(sandbox.base_url, DEV_API_CODE, DEV_API_KEY) as client:
            user = await client.users().create_individual(individual(f"v-{unique}@example.com"))
            sandbox_session = await client.identity().create_session(user.id)
            sandbox.control(f"identity-verifications/{sandbox_session.id}/start")
            sandbox.control(f"identity-verifications/{sandbox_session.id}/approve")
            account = await client.accounts().create(
                user.id, ralio.AccountCreate(alias="A", currency=ralio.Currency.EUR())
            )
            with pytest.raises(ralio.RalioFfiError.Validation) as caught:
                await client.transfers().simulate(
                    user.id,
                    account.id,
                    ralio.TransferSimulateRequest(
                        origin=eur(0), recipient=ralio.AccountRef(account_id=account.id)
                    ),
                )
            return caught.value

    error = run(scenario())
    assert any("amount" in v.field for v in error.violations), error.violations


def test_an_invalid_config_is_refused_before_any_call():
    with pytest.raises(ralio.RalioFfiError.Validation) as caught:
        ralio.direct("not a url", "code", "key")
    assert caught.value.code == "INVALID_REQUEST"


def test_unknown_ids_insufficient_funds_and_bad_credentials(sandbox, unique):
    async def scenario():
        async with ralio.direct(sandbox.base_url, DEV_API_CODE, DEV_API_KEY) as client:
            with pytest.raises(ralio.RalioFfiError.NotFound) as not_found:
                await client.orders().get("00000000-0000-4000-8000-000000000000")
            assert not_found.value.code == "NOT_FOUND"

            user = await client.users().create_individual(individual(f"f-{unique}@example.com"))
            session = await client.identity().create_session(user.id)
            sandbox.control(f"identity-verifications/{session.id}/start")
            sandbox.control(f"identity-verifications/{session.id}/approve")
            a = await client.accounts().create(user.id, ralio.AccountCreate(alias="A", currency=ralio.Currency.EUR()))
            b = await client.accounts().create(user.id, ralio.AccountCreate(alias="B", currency=ralio.Currency.EUR()))
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
            assert poor.value.code == "INSUFFICIENT_FUNDS"

        async with ralio.direct(sandbox.base_url, DEV_API_CODE, "wrong-key-value") as intruder:
            with pytest.raises(ralio.RalioFfiError.Unauthorized) as refused:
                await intruder.merchant().user()
            # The key never appears in what the error says.
            assert "wrong-key-value" not in str(refused.value)
            assert "wrong-key-value" not in repr(refused.value)

    run(scenario())
