// Gateway mode from Kotlin: typed errors from gRPC statuses, scopes, the event Flow and its
// cancellation, against the real `ralio-gateway` binaries.

package ralio.tests

import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.flow.takeWhile
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import uniffi.ralio_core.*
import uniffi.ralio_ffi.*

/** Bounds hangs only; never a timing assertion. */
const val HANG_MS = 60_000L

fun gatewayTests(suite: Suite, dev: Gateway, readOnly: Gateway) {
    fun client() = RalioClient.gateway(dev.grpcUrl, dev.token)

    suite.test("gateway_validation_error_names_the_proto_field") {
        client().use { client ->
            val (uid, a, b) = verifiedUserWithAccounts(dev.sandbox, client, "gv")
            val zero = expectThrows<RalioFfiException.Validation> {
                client.transfers().simulate(uid, a.id, TransferSimulateRequest(origin = eur(0), recipient = AccountRef(accountId = b.id)))
            }
            checkEquals("VALIDATION_ERROR", zero.code, "code")
            checkEquals(listOf("origin.amount"), zero.violations.map { it.field }, "violated fields")
            check(zero.requestId != null) { "no request id" }
            val badId = expectThrows<RalioFfiException.Validation> { client.accounts().get("not-a-uuid", a.id) }
            checkEquals(listOf("uid"), badId.violations.map { it.field }, "violated id field")
        }
    }

    suite.test("gateway_business_errors_keep_ralio_codes") {
        client().use { client ->
            val missing = expectThrows<RalioFfiException.NotFound> { client.orders().get("00000000-0000-4000-8000-000000000000") }
            checkEquals("NOT_FOUND", missing.code, "not found code")
            val (uid, a, b) = verifiedUserWithAccounts(dev.sandbox, client, "gf")
            val poor = expectThrows<RalioFfiException.FailedPrecondition> {
                client.transfers().create(uid, a.id, TransferCreate(code2fa = "123456", origin = eur(1_000_000), recipient = AccountRef(accountId = b.id), reference = "INV-X"))
            }
            checkEquals("INSUFFICIENT_FUNDS", poor.code, "insufficient funds code")
        }
    }

    suite.test("gateway_missing_scope_is_refused") {
        RalioClient.gateway(readOnly.grpcUrl, readOnly.token).use { client ->
            val orders = client.orders().listMerchant(ListQuery(pageSize = 1u))
            check(orders.pagination != null) { "no pagination" }
            val denied = expectThrows<RalioFfiException.PermissionDenied> {
                client.users().createIndividual(individual("ro-${unique()}@example.com"))
            }
            checkEquals("MISSING_SCOPE", denied.code, "missing scope code")
            // The event Flow ends with the same typed error.
            val refused = expectThrows<RalioFfiException.PermissionDenied> {
                withTimeout(HANG_MS) { client.events().toList() }
            }
            checkEquals("MISSING_SCOPE", refused.code, "subscribe refused code")
        }
    }

    suite.test("gateway_unknown_token_is_unauthenticated") {
        RalioClient.gateway(dev.grpcUrl, "not-the-token").use { client ->
            val error = expectThrows<RalioFfiException.Unauthorized> { client.orders().listMerchant(ListQuery()) }
            checkEquals("UNAUTHENTICATED", error.code, "code")
            check("not-the-token" !in error.toString()) { "the token leaked into the error" }
        }
    }

    suite.test("gateway_unsupported_operations_fail_clearly") {
        client().use { client ->
            val error = expectThrows<RalioFfiException.Unsupported> { client.login(CallOptions()) }
            checkEquals("UNSUPPORTED_IN_GATEWAY_MODE", error.code, "code")
        }
    }

    suite.test("event_flow_receives_payin_completed_of_a_simulated_payin") {
        client().use { client ->
            val (_, account, _) = verifiedUserWithAccounts(dev.sandbox, client, "ge")
            var subscription: EventSubscription? = null
            val options = EventSubscribeOptions(types = listOf("payin_*"), accountId = account.id, start = StartPosition.Earliest)
            val payinId = jsonId(dev.sandbox.control("accounts/${account.id}/payins", """{"method":"BANK","amount":12345,"currency":"EUR"}"""))
            val completed = withTimeout(HANG_MS) {
                client.events(options) { subscription = it }.first { it.eventType == "payin_completed" }
            }
            checkEquals<String?>(account.id, completed.accountId, "event account")
            check(payinId in completed.rawJson) { "the payin id is not in ${completed.rawJson}" }
            check(completed.cursor > 0u) { "no cursor" }
            // `first` ended the collection, which cancelled the subscription and its Rust task.
            withTimeout(HANG_MS) { subscription!!.waitFinished() }
            check(subscription!!.isFinished()) { "the stream task is still running" }
        }
    }

    suite.test("cancelling_the_collecting_coroutine_ends_the_stream_task") {
        client().use { client ->
            coroutineScope {
                val opened = CompletableDeferred<EventSubscription>()
                val collector = launch(Dispatchers.Default) {
                    client.events(EventSubscribeOptions(types = listOf("never_sent_event"))) { opened.complete(it) }
                        .collect { error("no event expected, got $it") }
                }
                val subscription = withTimeout(HANG_MS) { opened.await() }
                check(withTimeout(HANG_MS) { subscription.waitOpen() }) { "the gateway did not accept the stream" }
                check(!subscription.isFinished()) { "finished before the cancel" }
                val before = dev.subscribeStreamsCancelled()
                withTimeout(HANG_MS) { collector.cancelAndJoin() }
                withTimeout(HANG_MS) { withContext(Dispatchers.IO) { subscription.waitFinished() } }
                check(subscription.isFinished()) { "the stream task is still running" }
                // The gateway saw the client close the stream (it notices asynchronously).
                withTimeout(HANG_MS) { while (dev.subscribeStreamsCancelled() < before + 1) delay(50) }
            }
        }
    }
}
