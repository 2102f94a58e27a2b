// The real `ralio-sandbox` binary on a free port, and its control API over plain HTTP.

package ralio.tests

import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import java.util.concurrent.TimeUnit

const val DEV_API_CODE = "sandbox-merchant"
const val DEV_API_KEY = "sandbox-secret-key"

class Sandbox private constructor(private val process: Process, val baseUrl: String) : AutoCloseable {
    private val http = HttpClient.newHttpClient()

    /** A sandbox portal action (`POST /sandbox/v1/<path>`, spec/NOTES.md D13); the JSON answer. */
    fun control(path: String, body: String = "{}"): String {
        val request = HttpRequest.newBuilder(URI.create("$baseUrl/sandbox/v1/$path"))
            .header("content-type", "application/json")
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build()
        val response = http.send(request, HttpResponse.BodyHandlers.ofString())
        check(response.statusCode() in 200..299) { "$path: ${response.statusCode()} ${response.body()}" }
        return response.body()
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor()
    }

    companion object {
        private val ansi = Regex("\u001b\\[[0-9;]*m")
        private val ready = Regex("RalioPay sandbox ready.*?(http://127\\.0\\.0\\.1:\\d+)")

        fun start(): Sandbox {
            val binary = System.getenv("RALIO_SANDBOX_BIN") ?: "target/debug/ralio-sandbox"
            check(File(binary).exists()) { "$binary not found: build it or set RALIO_SANDBOX_BIN" }
            val builder = ProcessBuilder(binary, "--addr", "127.0.0.1:0").redirectErrorStream(true)
            builder.environment()["NO_COLOR"] = "1"
            builder.environment()["RUST_LOG"] = "info"
            val process = builder.start()
            val lines = process.inputStream.bufferedReader()
            val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30)
            while (System.nanoTime() < deadline) {
                val line = lines.readLine() ?: error("ralio-sandbox exited early")
                val match = ready.find(ansi.replace(line, "")) ?: continue
                // Keep draining its output so a full pipe never blocks the server.
                Thread { runCatching { lines.forEachLine { } } }.apply { isDaemon = true }.start()
                return Sandbox(process, match.groupValues[1])
            }
            process.destroyForcibly()
            error("ralio-sandbox did not become ready in time")
        }
    }
}

/** The `"id"` of a JSON object (enough for the control API's answers). */
fun jsonId(json: String): String =
    Regex("\"id\"\\s*:\\s*\"([^\"]+)\"").find(json)?.groupValues?.get(1) ?: error("no id in $json")
