// The Kotlin bindings against the real sandbox and the real gateway: the whole money flow (direct
// and through the gateway), typed errors, cancellation of an in-flight call; GatewayTests.kt has
// the gateway-only cases (scopes, events), BlockingTests.kt the blocking twins.

package ralio.tests

import java.net.ServerSocket
import java.net.Socket
import java.net.SocketTimeoutException
import java.time.Duration
import java.util.UUID
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import uniffi.ralio_core.*
import uniffi.ralio_ffi.*

fun individual(email: String) = IndividualUserCreate(
    activity = "SALES_MANAGER", address = "Calle Mayor 1", birthCountry = "ES",
    birthdate = "1990-05-01", city = "Madrid", country = "ES", documentNumber = "X1234567",
    documentType = IdentityDocumentType.Passport, email = email,
    employmentStatus = EmploymentStatus.Employed, estimatedAnnualIncome = 50_000,
    estimatedAnnualTransactionVolume = 20_000, estimatedNetWorth = 100_000,
    hasPepCloseAssociate = false, isPublicOffice = false, name = "Ann", nationality = "ES",
    phoneNumber = "600000000", phoneNumberCountry = "ES", postalCode = "28001",
    professionalSector = "IT", province = "Madrid", sourceOfFunds = SourceOfFunds.Salary,
    surname = "Lee", termsAndConditionsAccepted = true,
)

fun eur(amount: Long) = Money(currency = Currency.Eur, amount = amount)

fun bankPayout(amount: Long) = BankPayoutCreate(
    amounts = PayoutAmounts(debitedAmount = eur(amount), receivedAmount = eur(0)),
    description = "Rent",
    ownReference = "PO-1",
    recipient = BankPayoutRecipient(
        accountNumber = "ES9121000418450200051332",
        address = PostalAddress(city = "Madrid", country = "ES", line1 = "Calle 1", postalCode = "28001", province = "Madrid"),
        beneficiaryType = BeneficiaryType.Person,
        document = PayoutDocument(documentType = PayoutDocumentType.Passport, number = "X1"),
        routingData = "IBAN",
        name = "Bob", relation = "FRIEND", surname = "Ray",
    ),
)

fun unique() = UUID.randomUUID().toString().take(10)

fun directClient(url: String, key: String = DEV_API_KEY, maxRetries: UInt? = null) =
    RalioClient.direct(DirectConfig(baseUrl = url, apiCode = DEV_API_CODE, apiKey = key, maxRetries = maxRetries))

/** A verified user with two EUR accounts. */
suspend fun verifiedUserWithAccounts(sandbox: Sandbox, client: RalioClient, tag: String): Triple<String, Account, Account> {
    val user = client.users().createIndividual(individual("$tag-${unique()}@example.com"))
    val session = client.identity().createSession(user.id)
    sandbox.control("identity-verifications/${session.id}/start")
    sandbox.control("identity-verifications/${session.id}/approve")
    val a = client.accounts().create(user.id, AccountCreate(alias = "Main", currency = Currency.Eur))
    val b = client.accounts().create(user.id, AccountCreate(alias = "Savings", currency = Currency.Eur))
    return Triple(user.id, a, b)
}

/** The whole flow; the same code for a direct and a gateway client. */
suspend fun userToLedgerFlow(sandbox: Sandbox, client: RalioClient) {
    val user = client.users().createIndividual(individual("ann-${unique()}@example.com"))
    val uid = user.id
    val session = client.identity().createSession(uid)
    checkEquals<IdvSessionState?>(IdvSessionState.NotStarted, session.state, "new session state")
    sandbox.control("identity-verifications/${session.id}/start")
    sandbox.control("identity-verifications/${session.id}/approve")
    val sessions = client.identity().listSessions(uid, ListQuery())
    checkEquals<IdvSessionState?>(IdvSessionState.Verified, sessions.sessions[0].state, "approved session")
    val history = client.identity().sessionStateHistory(uid, session.id)
    checkEquals<IdvSessionState?>(IdvSessionState.Verified, history.logs.last().newState, "last state log")

    val accounts = client.accounts()
    val main = accounts.create(uid, AccountCreate(alias = "Main", currency = Currency.Eur))
    val savings = accounts.create(uid, AccountCreate(alias = "Savings", currency = Currency.Eur))
    checkEquals<AccountState?>(AccountState.Active, main.state, "account state")

    val payinId = jsonId(sandbox.control("accounts/${main.id}/payins", """{"method":"BANK","amount":100000,"currency":"EUR"}"""))
    checkEquals<OrderState?>(OrderState.Settled, client.payins().getBank(payinId).order.state, "payin state")
    checkEquals(99_000L, accounts.get(uid, main.id).balance, "balance after payin")

    val recipient = AccountRef(accountId = savings.id)
    val quote = client.transfers().simulate(uid, main.id, TransferSimulateRequest(origin = eur(10_000), recipient = recipient))
    checkEquals(eur(10_000), quote.destination, "quoted destination")
    val created = client.transfers()
        .withOptions(CallOptions(idempotencyKey = "transfer-${unique()}"))
        .create(uid, main.id, TransferCreate(code2fa = "123456", origin = eur(10_000), recipient = recipient, reference = "INV-${unique()}", quoteId = quote.quoteId))
    val transfer = client.transfers().get(created.id)
    checkEquals<OrderState?>(OrderState.Settled, transfer.order.state, "transfer state")
    checkEquals<AccountRef?>(recipient, transfer.recipient, "transfer recipient")

    val payouts = client.payouts()
    val payout = payouts.createBank(uid, main.id, bankPayout(10_000))
    checkEquals<Boolean?>(true, payout.isOtpRequired, "OTP required")
    payouts.sendOtp(OtpSendRequest(orderId = payout.order.id, phoneNumber = "600000000", phoneNumberCountry = "ES"))
    val wrong = expectThrows<RalioFfiException.FailedPrecondition> { payouts.validateBankOtp(payout.order.id, "000000") }
    checkEquals("INVALID_OTP", wrong.code, "wrong OTP code")
    check("000000" !in wrong.toString()) { "the OTP leaked into the error" }
    check(payouts.validateBankOtp(payout.order.id, "123456").validatedAt != null) { "validatedAt missing" }
    checkEquals<OrderState?>(OrderState.Settled, payouts.getBank(payout.order.id).order.state, "payout state")

    val mainNow = accounts.get(uid, main.id)
    checkEquals(78_900L to 0L, mainNow.balance to mainNow.pendingOut, "main balances")
    checkEquals(10_000L, accounts.get(uid, savings.id).balance, "savings balance")

    val orders = client.orders().listAccount(uid, main.id, ListQuery(sort = "-createdAt"))
    checkEquals(3, orders.orders.size, "orders on main")
    checkEquals<Long?>(3L, orders.pagination?.total, "pagination total")
    val transfersOnly = client.orders().listMerchant(ListQuery(filters = listOf(Filter(field = "type", op = FilterOp.EQ, value = "TRANSFER"))))
    check(transfersOnly.orders.isNotEmpty() && transfersOnly.orders.all { it.orderType == OrderType.Transfer }) { "filter not applied" }
    checkEquals<OrderType?>(OrderType.BankPayIn, client.orders().get(payinId).orderType, "payin order type")

    val ledger = client.transactions().list(uid, main.id, ListQuery())
    checkEquals(3, ledger.size, "ledger size")
    checkEquals(78_900L, ledger.sumOf { it.amount }, "ledger sum")
    val newest = ledger.first { it.runningBalance == 78_900L }
    val detail = client.transactions().get(uid, main.id, newest.id)
    checkEquals(newest.amount to newest.runningBalance, detail.amount to detail.runningBalance, "ledger detail")
    client.destroy()
}

suspend fun validationErrorNamesTheField(sandbox: Sandbox) {
    directClient(sandbox.baseUrl).use { client ->
        val error = expectThrows<RalioFfiException.Validation> { client.orders().listMerchant(ListQuery(pageSize = 1000u)) }
        checkEquals("VALIDATION_ERROR", error.code, "code")
        checkEquals(listOf("pageSize"), error.violations.map { it.field }, "violated fields")
        check(error.requestId != null) { "no request id" }

        val (uid, a, b) = verifiedUserWithAccounts(sandbox, client, "v")
        val zero = expectThrows<RalioFfiException.Validation> {
            client.transfers().simulate(uid, a.id, TransferSimulateRequest(origin = eur(0), recipient = AccountRef(accountId = b.id)))
        }
        check(zero.violations.any { "amount" in it.field }) { "no amount violation in ${zero.violations}" }
    }
    val config = expectThrows<RalioFfiException.Validation> { RalioClient.direct(DirectConfig(baseUrl = "not a url", apiCode = "c", apiKey = "k")) }
    checkEquals("INVALID_REQUEST", config.code, "config error code")
}

suspend fun otherErrorsAreTyped(sandbox: Sandbox) {
    directClient(sandbox.baseUrl).use { client ->
        val missing = expectThrows<RalioFfiException.NotFound> { client.orders().get("00000000-0000-4000-8000-000000000000") }
        checkEquals("NOT_FOUND", missing.code, "not found code")
        val (uid, a, b) = verifiedUserWithAccounts(sandbox, client, "f")
        val poor = expectThrows<RalioFfiException.FailedPrecondition> {
            client.transfers().create(uid, a.id, TransferCreate(code2fa = "123456", origin = eur(1_000_000), recipient = AccountRef(accountId = b.id), reference = "INV-X"))
        }
        checkEquals("INSUFFICIENT_FUNDS", poor.code, "insufficient funds code")
    }
    directClient(sandbox.baseUrl, key = "wrong-key-value").use { intruder ->
        val refused = expectThrows<RalioFfiException.Unauthorized> { intruder.merchant().user() }
        check("wrong-key-value" !in refused.toString()) { "the key leaked into the error" }
    }
}

/** Reads an HTTP request head (up to the blank line) from [socket]. */
fun readHead(socket: Socket): String {
    val input = socket.getInputStream()
    val head = StringBuilder()
    while (!head.endsWith("\r\n\r\n")) {
        val byte = input.read()
        check(byte >= 0) { "the client closed before sending its request" }
        head.append(byte.toChar())
    }
    return head.toString()
}

suspend fun cancellingACoroutineAbortsTheRequest() = coroutineScope {
    ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress()).use { server ->
        directClient("http://127.0.0.1:${server.localPort}", maxRetries = 0u).use { client ->
            val call = async { client.merchant().user() }
            withContext(Dispatchers.IO) {
                server.soTimeout = 10_000
                server.accept().use { socket ->
                    socket.soTimeout = 5_000
                    check(readHead(socket).startsWith("POST /api/v1/auth/login")) { "unexpected request" }
                    call.cancel()
                    withTimeout(5_000) { call.join() }
                    check(call.isCancelled) { "the call was not cancelled" }
                    // Dropping the Rust future closes its connection: after the rest of the login
                    // body, the server reads EOF (a read timeout means it is still open).
                    val input = socket.getInputStream()
                    val closed = try { while (input.read() >= 0) Unit; true } catch (_: SocketTimeoutException) { false }
                    check(closed) { "the connection stayed open after the cancel" }
                }
            }
        }
    }
}

suspend fun aDeadlineEndsAHangingCall() {
    ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress()).use { server ->
        directClient("http://127.0.0.1:${server.localPort}").use { client ->
            val error = expectThrows<RalioFfiException.Timeout> {
                client.merchant().withOptions(CallOptions(deadline = Duration.ofMillis(300))).user()
            }
            checkEquals("DEADLINE_EXCEEDED", error.code, "timeout code")
        }
    }
}

fun main() {
    val sandbox = Sandbox.start()
    val dev = Gateway.dev()
    val readOnly = Gateway.readOnly(dev)
    try {
        val suite = Suite()
        suite.test("user_to_ledger_flow_direct") { userToLedgerFlow(sandbox, directClient(sandbox.baseUrl)) }
        suite.test("user_to_ledger_flow_through_the_gateway") {
            userToLedgerFlow(dev.sandbox, RalioClient.gateway(dev.grpcUrl, dev.token))
        }
        gatewayTests(suite, dev, readOnly)
        blockingTests(suite, sandbox, dev)
        suite.test("validation_error_names_the_field") { validationErrorNamesTheField(sandbox) }
        suite.test("not_found_insufficient_funds_and_bad_credentials_are_typed") { otherErrorsAreTyped(sandbox) }
        suite.test("cancelling_a_coroutine_aborts_the_request") { cancellingACoroutineAbortsTheRequest() }
        suite.test("a_deadline_ends_a_hanging_call") { aDeadlineEndsAHangingCall() }
        Runtime.getRuntime().addShutdownHook(Thread { readOnly.close(); dev.close(); sandbox.close() })
        suite.run()
    } catch (error: Throwable) {
        readOnly.close()
        dev.close()
        sandbox.close()
        throw error
    }
}
