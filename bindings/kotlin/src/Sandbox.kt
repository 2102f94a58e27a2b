// The real `ralio-sandbox` binary on a free port, and its control API over plain HTTP; the real
// `ralio-gateway dev` (sandbox + gateway) on free ports; and `ralio-gateway serve` with a
// read-only token in front of the dev sandbox.

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

class Sandbox private constructor(private val process: Process?, val baseUrl: String) : AutoCloseable {

    /** A sandbox portal action (`POST /sandbox/v1/<path>`, spec/NOTES.md D13); the JSON answer. */
    fun control(path: String, body: String = "{}"): String {
        val request = HttpRequest.newBuilder(URI.create("$baseUrl/sandbox/v1/$path"))
            .header("content-type", "application/json")
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build()
        // A fresh client (so a fresh connection) per action: a pooled keep-alive connection the
        // server has meanwhile closed would fail a POST, which the JDK client does not retry.
        val response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString())
        check(response.statusCode() in 200..299) { "$path: ${response.statusCode()} ${response.body()}" }
        return response.body()
    }

    override fun close() {
        process?.let(::stop)
    }

    companion object {
        /** The control API of a sandbox another process runs (the one inside `ralio-gateway dev`). */
        fun attach(baseUrl: String) = Sandbox(null, baseUrl)

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

fun stop(process: Process) {
    process.destroy()
    if (!process.waitFor(15, TimeUnit.SECONDS)) process.destroyForcibly().waitFor()
}

private val ansiCodes = Regex("\u001b\\[[0-9;]*m")

/** Reads [process]'s [stream] until every pattern matched once; returns their first groups. */
fun readUntil(process: Process, stream: java.io.InputStream, patterns: Map<String, Regex>, what: String): Map<String, String> {
    val lines = stream.bufferedReader()
    val found = mutableMapOf<String, String>()
    val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60)
    while (found.size < patterns.size) {
        check(System.nanoTime() < deadline) { "$what did not become ready in time" }
        val line = ansiCodes.replace(lines.readLine() ?: run { stop(process); error("$what exited early") }, "")
        for ((name, pattern) in patterns) {
            val match = pattern.find(line) ?: continue
            found.putIfAbsent(name, match.groupValues[1])
        }
    }
    Thread { runCatching { lines.forEachLine { } } }.apply { isDaemon = true }.start()
    return found
}

val gatewayBinary: String = (System.getenv("RALIO_GATEWAY_BIN") ?: "target/debug/ralio-gateway").also {
    check(File(it).exists()) { "$it not found: build it or set RALIO_GATEWAY_BIN" }
}

/** A running gateway: its gRPC URL, a token it accepts, and the sandbox behind it. */
class Gateway(
    private val process: Process,
    val grpcUrl: String,
    val token: String,
    val sandbox: Sandbox,
    private val adminUrl: String? = null,
) : AutoCloseable {
    override fun close() = stop(process)

    /** How many `EventsService/Subscribe` streams the gateway counted as ended by the client
     *  (`CANCELLED` in its request metric, recorded when the response body is dropped). */
    fun subscribeStreamsCancelled(): Int {
        val request = HttpRequest.newBuilder(URI.create("$adminUrl/metrics")).timeout(Duration.ofSeconds(10)).GET().build()
        val text = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body()
        return text.lines()
            .filter {
                it.startsWith("ralio_gateway_grpc_requests_total{") && "code=\"CANCELLED\"" in it &&
                    "rpc=\"/ralio.v1.EventsService/Subscribe\"" in it
            }
            .sumOf { it.substringAfterLast(' ').toDouble().toInt() }
    }

    companion object {
        /** `ralio-gateway dev` on free ports with a known client token (all scopes). */
        fun dev(): Gateway {
            val token = "rgw_dev_kotlin_" + java.util.UUID.randomUUID().toString().replace("-", "")
            val dataDir = java.nio.file.Files.createTempDirectory("ralio-kotlin-dev-").toString()
            val builder = ProcessBuilder(
                gatewayBinary, "dev", "--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0",
                "--sandbox-addr", "127.0.0.1:0", "--data-dir", dataDir, "--dev-token", token,
            ).redirectError(ProcessBuilder.Redirect.DISCARD)
            builder.environment()["NO_COLOR"] = "1"
            builder.environment()["RUST_LOG"] = "warn"
            val process = builder.start()
            val found = readUntil(process, process.inputStream, mapOf(
                "grpc" to Regex("^\\s*gRPC\\s+(\\S+)"),
                "sandbox" to Regex("^\\s*sandbox\\s+(http://\\S+)"),
                "admin" to Regex("^\\s*admin HTTP\\s+(http://\\S+)"),
            ), "ralio-gateway dev")
            return Gateway(process, "http://${found["grpc"]}", token, Sandbox.attach(found["sandbox"]!!), found["admin"])
        }

        /** `ralio-gateway serve` in front of [dev]'s sandbox with one token holding only `read`. */
        fun readOnly(dev: Gateway): Gateway {
            val token = "rgw_reader_" + java.util.UUID.randomUUID().toString().replace("-", "")
            val hasher = ProcessBuilder(gatewayBinary, "hash-token").start()
            hasher.outputStream.use { it.write(token.toByteArray()) }
            val sha256 = hasher.inputStream.bufferedReader().readText().trim()
            check(hasher.waitFor() == 0 && sha256.length == 64) { "hash-token failed" }
            val dir = java.nio.file.Files.createTempDirectory("ralio-kotlin-serve-")
            val config = dir.resolve("gateway.toml").toFile()
            config.writeText("""
                grpc_addr = "127.0.0.1:0"
                http_addr = "127.0.0.1:0"
                data_dir = "$dir/data"

                [ralio]
                base_url = "${dev.sandbox.baseUrl}"
                api_code = "$DEV_API_CODE"

                [[tokens]]
                name = "reader"
                sha256 = "$sha256"
                scopes = ["read"]
            """.trimIndent())
            val builder = ProcessBuilder(gatewayBinary, "serve", "--config", config.path)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            builder.environment()["NO_COLOR"] = "1"
            builder.environment()["RUST_LOG"] = "info"
            builder.environment()["RALIO_API_KEY"] = DEV_API_KEY
            val process = builder.start()
            val found = readUntil(process, process.errorStream, mapOf(
                "grpc" to Regex("gateway listening.*grpc_addr=(\\S+)"),
            ), "ralio-gateway serve")
            return Gateway(process, "http://${found["grpc"]}", token, dev.sandbox)
        }
    }
}
