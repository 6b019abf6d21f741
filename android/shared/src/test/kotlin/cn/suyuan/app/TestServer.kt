package cn.suyuan.app

import java.io.File
import java.net.ServerSocket
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files

/** The real suyuan-server on a loopback port with an SQLite file, for the JVM tests. */
class TestServer : AutoCloseable {
    private val dir: File = Files.createTempDirectory("suyuan-kt-server").toFile()
    private val process: Process
    val url: String
    private val http = HttpClient.newHttpClient()

    init {
        val bin = System.getenv("SUYUAN_SERVER_BIN")
            ?: error("SUYUAN_SERVER_BIN is not set: run the JVM tests through scripts/kotlin-test")
        check(File(bin).canExecute()) { "no server binary at $bin" }
        val port = ServerSocket(0).use { it.localPort }
        url = "http://127.0.0.1:$port"
        process = ProcessBuilder(bin, "--listen", "127.0.0.1:$port", "--data-dir", dir.path)
            .redirectErrorStream(true)
            .redirectOutput(File(dir, "server.log"))
            .start()
        val deadline = System.currentTimeMillis() + 60_000
        while (true) {
            val up = runCatching {
                http.send(HttpRequest.newBuilder(URI("$url/healthz")).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200
            }.getOrDefault(false)
            if (up) break
            check(process.isAlive && System.currentTimeMillis() < deadline) {
                "the server did not start: " + File(dir, "server.log").readText()
            }
            Thread.sleep(100)
        }
    }

    /** Registers an enterprise numbered [n]; returns its id and login (its USCC). */
    fun register(n: Int, name: String, kind: String): Pair<String, String> {
        val code = uscc(n)
        val body = """{"enterprise":{"name":"$name","uscc":"$code","kind":"$kind","region_code":"620102",
            "address":"甘肃省兰州市城关区庆阳路1号","legal_representative":"张三","licence":null,
            "contact":"张三","phone":"0931-7617990"},"password":"$PASSWORD"}"""
        val res = http.send(
            HttpRequest.newBuilder(URI("$url/api/v1/enterprises/register"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString(),
        )
        check(res.statusCode() == 201) { "register: ${res.statusCode()} ${res.body()}" }
        val id = Regex("\"enterprise_id\"\\s*:\\s*\"([0-9a-f-]{36})\"").find(res.body())?.groupValues?.get(1)
            ?: error("no enterprise_id in ${res.body()}")
        return id to code
    }

    /** A bearer token of [login], for the REST calls a phone does not make. */
    fun login(login: String): String {
        val res = post("/api/v1/auth/login", """{"login":"$login","password":"$PASSWORD"}""", null, 200)
        return Regex(""""token"\s*:\s*"([^"]+)"""").find(res)?.groupValues?.get(1) ?: error("no token in $res")
    }

    /** POSTs JSON and returns the body, failing unless the status is [expect]. */
    fun post(path: String, json: String, token: String?, expect: Int): String {
        val req = HttpRequest.newBuilder(URI("$url$path"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
        token?.let { req.header("Authorization", "Bearer $it") }
        val res = http.send(req.build(), HttpResponse.BodyHandlers.ofString())
        check(res.statusCode() == expect) { "POST $path: ${res.statusCode()} ${res.body()}" }
        return res.body()
    }

    override fun close() {
        process.destroy()
        process.waitFor()
        dir.deleteRecursively()
    }

    companion object {
        const val PASSWORD = "兰州-2026-pass"

        /** An address nothing answers on: an app opened with it is offline. */
        const val OFFLINE = "http://127.0.0.1:9"

        private const val CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        private val WEIGHTS = intArrayOf(1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

        /** A valid unified social credit code (GB 32100 check character). */
        fun uscc(n: Int): String {
            val first = "91620102MA" + n.toString().padStart(7, '0')
            val total = first.mapIndexed { i, c -> CHARS.indexOf(c) * WEIGHTS[i] }.sum()
            return first + CHARS[(31 - total % 31) % 31]
        }
    }
}
