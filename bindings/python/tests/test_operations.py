"""Operations the flow tests do not reach, in both modes: IDV session checks, a bank payout
quote, deactivating a vIBAN, and the merchant's own accounts."""

import asyncio

import pytest

import ralio
from conftest import DEV_API_CODE, DEV_API_KEY
from flows import eur, individual

# Bounds hangs only; never a timing assertion.
DEADLINE = 60
# The sandbox's seeded operational EUR account of the merchant (ralio-sandbox store/merchant.rs).
MERCHANT_EUR = "00000000-0000-4000-8000-000000000101"


@pytest.fixture(params=["direct", "gateway"])
def connection(request):
    """(client factory, sandbox whose portal drives the state) for each mode."""
    if request.param == "direct":
        sandbox = request.getfixturevalue("sandbox")
        return (lambda: ralio.direct(sandbox.base_url, DEV_API_CODE, DEV_API_KEY)), sandbox
    dev = request.getfixturevalue("dev_gateway")
    return (lambda: ralio.gateway(dev.grpc_url, dev.token)), dev.sandbox


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, DEADLINE))


async def verified_account(client, sandbox, unique):
    user = await client.users().create_individual(individual(f"ops-{unique}@example.com"))
    session = await client.identity().create_session(user.id)
    sandbox.control(f"identity-verifications/{session.id}/start")
    sandbox.control(f"identity-verifications/{session.id}/approve")
    account = await client.accounts().create(
        user.id, ralio.AccountCreate(alias="Main", currency=ralio.Currency.EUR())
    )
    return user, session, account


def test_session_checks_of_an_approved_and_a_rejected_session(connection, unique):
    make, sandbox = connection

    async def scenario():
        async with make() as client:
            user, approved, _ = await verified_account(client, sandbox, unique)
            checks = await client.identity().session_checks(user.id, approved.id)
            assert checks.session_id == approved.id
            assert sorted(c.check_type for c in checks.checks) == [
                "document-verification", "face-matching"
            ]
            assert all(not c.refused_reasons for c in checks.checks)

            other = await client.users().create_individual(individual(f"rej-{unique}@example.com"))
            rejected = await client.identity().create_session(other.id)
            sandbox.control(f"identity-verifications/{rejected.id}/start")
            sandbox.control(
                f"identity-verifications/{rejected.id}/reject", {"reason": "Blurred document"}
            )
            refused = await client.identity().session_checks(other.id, rejected.id)
            reasons = [r for c in refused.checks for r in c.refused_reasons]
            assert reasons, refused
            # Another user's session is refused.
            with pytest.raises(ralio.RalioFfiError.PermissionDenied):
                await client.identity().session_checks(user.id, rejected.id)

    run(scenario())


def test_a_bank_payout_quote(connection, unique):
    make, sandbox = connection

    async def scenario():
        async with make() as client:
            user, _, account = await verified_account(client, sandbox, unique)
            sandbox.control(
                f"accounts/{account.id}/payins", {"method": "BANK", "amount": 50_000, "currency": "EUR"}
            )
            quote = await client.payouts().simulate_bank(
                user.id,
                account.id,
                ralio.BankPayoutSimulateRequest(
                    amounts=ralio.PayoutAmounts(debited_amount=eur(10_000), received_amount=eur(0)),
                    recipient=ralio.SimulateRecipient(country="ES", routing_data="IBAN"),
                ),
            )
            assert quote.origin == eur(10_000)
            assert quote.destination == eur(10_000)
            assert quote.quote_id
            # The same through the blocking twin; a refused amount names its field.
            with pytest.raises(ralio.RalioFfiError.Validation) as zero:
                client.payouts().simulate_bank_blocking(
                    user.id,
                    account.id,
                    ralio.BankPayoutSimulateRequest(
                        amounts=ralio.PayoutAmounts(debited_amount=eur(0), received_amount=eur(0)),
                        recipient=ralio.SimulateRecipient(country="ES", routing_data="IBAN"),
                    ),
                )
            return zero.value

    error = run(scenario())
    assert any("amount" in v.field for v in error.violations), error.violations


def test_deactivating_a_viban(connection, unique):
    make, sandbox = connection

    async def scenario():
        async with make() as client:
            user, _, account = await verified_account(client, sandbox, unique)
            vibans = client.vibans()
            viban = await vibans.create(
                user.id, account.id, ralio.VirtualIbanCreate(name="Rent", rail=ralio.VibanRail.SEPA())
            )
            # The sandbox may auto-activate vIBANs (D10); otherwise its portal activates it.
            if viban.state == ralio.VibanState.PENDING():
                sandbox.control(f"virtual-ibans/{viban.id}/activate")
            assert (await vibans.get(user.id, account.id, viban.id)).state == ralio.VibanState.ACTIVE()
            deactivated = await vibans.deactivate(user.id, account.id, viban.id)
            assert (deactivated.id, deactivated.state) == (viban.id, ralio.VibanState.INACTIVE())
            listed = await vibans.list(user.id, account.id)
            assert [(v.id, v.state) for v in listed] == [(viban.id, ralio.VibanState.INACTIVE())]
            # Only an active vIBAN can be deactivated: a second time is refused.
            with pytest.raises(ralio.RalioFfiError.FailedPrecondition) as again:
                await vibans.deactivate(user.id, account.id, viban.id)
            assert again.value.code == "INVALID_STATE"

    run(scenario())


def test_the_merchant_accounts(connection):
    make, sandbox = connection

    async def scenario():
        async with make() as client:
            # Money on the merchant's operational EUR account, so its balance is not just zero.
            sandbox.control(
                f"accounts/{MERCHANT_EUR}/payins", {"method": "BANK", "amount": 20_000, "currency": "EUR"}
            )
            merchant = client.merchant()
            listed = await merchant.list_accounts(ralio.ListQuery())
            assert MERCHANT_EUR in [a.id for a in listed]
            account = await merchant.account(MERCHANT_EUR)
            assert (account.id, account.currency) == (MERCHANT_EUR, ralio.Currency.EUR())
            assert account.balance > 0
            assert account.purpose == ralio.AccountPurpose.OPERATIONAL()
            assert merchant.account_blocking(MERCHANT_EUR).id == MERCHANT_EUR
            with pytest.raises(ralio.RalioFfiError.NotFound):
                await merchant.account("00000000-0000-4000-8000-00000000ffff")

    run(scenario())
