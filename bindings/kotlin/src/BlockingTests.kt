// The blocking API from Kotlin: every suspend function `name` has a twin `nameBlocking` that
// returns on the calling thread (or throws the same typed RalioFfiException), straight to
// RalioPay and through the gateway.

package ralio.tests

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import uniffi.ralio_core.*
import uniffi.ralio_ffi.*

/** A verified user with one EUR account, created with blocking calls only. */
fun verifiedAccountBlocking(sandbox: Sandbox, client: RalioClient, tag: String): Pair<String, Account> {
    val user = client.users().createIndividualBlocking(individual("$tag-${unique()}@example.com"))
    val session = client.identity().createSessionBlocking(user.id)
    sandbox.control("identity-verifications/${session.id}/start")
    sandbox.control("identity-verifications/${session.id}/approve")
    val account = client.accounts().createBlocking(user.id, AccountCreate(alias = "Main", currency = Currency.Eur))
    return user.id to account
}

/** Blocking calls on one client: results, the typed errors, and a payin that moves the balance. */
fun blockingCallsWork(sandbox: Sandbox, client: RalioClient, tag: String) {
    val (uid, account) = verifiedAccountBlocking(sandbox, client, tag)
    sandbox.control("accounts/${account.id}/payins", """{"method":"BANK","amount":10000,"currency":"EUR"}""")
    checkEquals(9_900L, client.accounts().getBlocking(uid, account.id).balance, "balance after a 100.00 EUR payin")

    val zero = try {
        client.transfers().simulateBlocking(uid, account.id, TransferSimulateRequest(origin = eur(0), recipient = AccountRef(accountId = account.id)))
        null
    } catch (error: RalioFfiException.Validation) {
        error
    }
    check(zero != null) { "a zero amount was accepted" }
    check(zero!!.violations.any { "amount" in it.field }) { "no amount violation in ${zero.violations}" }

    val missing = try {
        client.orders().getBlocking("00000000-0000-4000-8000-000000000000")
        null
    } catch (error: RalioFfiException.NotFound) {
        error
    }
    checkEquals("NOT_FOUND", missing?.code, "not found code")
}

fun blockingTests(suite: Suite, sandbox: Sandbox, dev: Gateway) {
    suite.test("blocking_calls_straight_to_ralio") {
        directClient(sandbox.baseUrl).use { client ->
            blockingCallsWork(sandbox, client, "kbd")
            check(client.loginBlocking(CallOptions()).token.isNotEmpty()) { "empty token" }
        }
    }

    suite.test("blocking_calls_through_the_gateway") {
        RalioClient.gateway(dev.grpcUrl, dev.token).use { client ->
            blockingCallsWork(dev.sandbox, client, "kbg")
            val login = try {
                client.loginBlocking(CallOptions())
                null
            } catch (error: RalioFfiException.Unsupported) {
                error
            }
            checkEquals("UNSUPPORTED_IN_GATEWAY_MODE", login?.code, "login through the gateway")
        }
    }

    suite.test("blocking_calls_from_many_threads_share_one_client") {
        RalioClient.gateway(dev.grpcUrl, dev.token).use { client ->
            val (uid, account) = verifiedAccountBlocking(dev.sandbox, client, "kbt")
            val ids = coroutineScope {
                (1..8).map { async(Dispatchers.IO) { client.accounts().getBlocking(uid, account.id).id } }.awaitAll()
            }
            checkEquals(List(8) { account.id }, ids, "account ids read from 8 threads")
        }
    }
}
