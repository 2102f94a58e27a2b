// A minimal test harness (no JUnit: Maven Central is not reachable here): named suspend tests run
// in runBlocking, a failed assertion throws, and the run ends with "N passed, M failed".

package ralio.tests

import kotlin.system.exitProcess
import kotlinx.coroutines.runBlocking

class Suite {
    private val tests = mutableListOf<Pair<String, suspend () -> Unit>>()

    fun test(name: String, body: suspend () -> Unit) {
        tests += name to body
    }

    fun run(): Nothing {
        var passed = 0
        var failed = 0
        for ((name, body) in tests) {
            val started = System.nanoTime()
            try {
                runBlocking { body() }
                passed++
                println("PASS $name (${(System.nanoTime() - started) / 1_000_000} ms)")
            } catch (error: Throwable) {
                failed++
                println("FAIL $name: $error")
                error.printStackTrace(System.out)
            }
        }
        println("$passed passed, $failed failed")
        exitProcess(if (failed == 0) 0 else 1)
    }
}

fun check(condition: Boolean, message: () -> String) {
    if (!condition) throw AssertionError(message())
}

fun <T> checkEquals(expected: T, actual: T, what: String = "value") {
    if (expected != actual) throw AssertionError("$what: expected <$expected>, got <$actual>")
}

/** Runs [block], which must throw a [T]; returns it. */
suspend inline fun <reified T : Throwable> expectThrows(block: suspend () -> Unit): T {
    try {
        block()
    } catch (error: Throwable) {
        if (error is T) return error
        throw AssertionError("expected ${T::class.simpleName}, got $error", error)
    }
    throw AssertionError("expected ${T::class.simpleName}, nothing was thrown")
}
