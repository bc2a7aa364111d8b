import Foundation
import Testing

@testable import TaoGate

@Suite("Configuration")
struct ConfigurationTests {
    private func failure(_ values: [String: String]) -> ConfigurationError? {
        do {
            _ = try GatewayConfiguration(values: values)
            return nil
        } catch let error as ConfigurationError {
            return error
        } catch {
            return nil
        }
    }

    @Test("HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read into the upstream proxy settings")
    func proxySettings() throws {
        let configuration = try GatewayConfiguration(values: [
            "TAOTOKEN_API_KEY": "k",
            "HTTPS_PROXY": "http://user:secret@proxy.internal:3128",
            "NO_PROXY": "corp.example, .internal",
        ])
        let proxy = try #require(configuration.upstreamProxies.https)
        #expect(proxy.host == "proxy.internal" && proxy.port == 3128 && proxy.authorization != nil)
        #expect(configuration.upstreamProxies.http == nil)
        #expect(configuration.upstreamProxies.exceptions == ["corp.example", "internal"])
    }

    @Test("The proxy variables are read in lower case too, the upper-case spelling winning")
    func lowerCaseProxyVariables() throws {
        let configuration = try GatewayConfiguration(values: [
            "TAOTOKEN_API_KEY": "k",
            "https_proxy": "http://lower.internal:3128",
            "HTTP_PROXY": "http://upper.internal:8080",
            "http_proxy": "http://ignored.internal:8080",
            "no_proxy": "corp.example",
        ])
        #expect(configuration.upstreamProxies.https?.host == "lower.internal")
        #expect(configuration.upstreamProxies.http?.host == "upper.internal")
        #expect(configuration.upstreamProxies.exceptions == ["corp.example"])
    }

    @Test("A proxy URL that is not http:// is refused by name, without its value")
    func badProxyURL() {
        let error = failure(["TAOTOKEN_API_KEY": "k", "HTTPS_PROXY": "socks5://user:hunter2@proxy:1080"])
        #expect(error?.name == "HTTPS_PROXY")
        #expect(error.map { !$0.description.contains("hunter2") } == true)
    }

    @Test("Defaults follow the documented table")
    func defaultsFollowTheTable() throws {
        let configuration = try GatewayConfiguration(values: ["TAOTOKEN_API_KEY": "k"])
        #expect(configuration.upstreamBaseURL == "https://taotoken.net/api/v1")
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 3000)
        #expect(configuration.environment == .production)
        #expect(configuration.defaultModel == "claude-sonnet-4-6")
        #expect(configuration.suggestedModels == ["claude-sonnet-4-6", "gpt-4o", "qwen-plus"])
        #expect(configuration.upstreamTimeout == .milliseconds(30_000))
        #expect(configuration.upstreamMaxRetries == 2)
        #expect(configuration.rateLimitWindow == .milliseconds(900_000))
        #expect(configuration.rateLimitMax == 100)
        #expect(configuration.historyContextMessages == 10)
        #expect(configuration.historyMaxMessages == 20)
        #expect(configuration.logLevel == .info)
        #expect(configuration.logFormat == .json)
        #expect(configuration.logDirectory == nil)
        #expect(configuration.maxBodyBytes == 1_048_576)
        #expect(configuration.trustedProxyHops == 0)
        #expect(configuration.database == .sqlite(path: "./data/taogate.sqlite"))
    }

    @Test("Without TAOTOKEN_API_KEY startup fails naming it")
    func missingKeyFailsNamingIt() {
        let error = failure([:])
        #expect(error?.name == "TAOTOKEN_API_KEY")
        #expect(error?.description.hasPrefix("TAOTOKEN_API_KEY") == true)
        #expect(error?.description.contains("\n") == false)
    }

    @Test("Demo mode needs no upstream key")
    func demoModeNeedsNoKey() throws {
        let configuration = try GatewayConfiguration(values: [:], demo: true)
        #expect(configuration.upstreamAPIKey == nil)
    }

    @Test(
        "An invalid value fails naming its variable",
        arguments: [
            ("PORT", "abc"),
            ("PORT", "70000"),
            ("UPSTREAM_TIMEOUT_MS", "-5"),
            ("UPSTREAM_TIMEOUT_MS", "0"),
            ("UPSTREAM_MAX_RETRIES", "many"),
            ("RATE_LIMIT_MAX", "-1"),
            ("RATE_LIMIT_WINDOW_MS", "1.5"),
            ("HISTORY_MAX_MESSAGES", "x"),
            ("APP_ENV", "staging"),
            ("LOG_LEVEL", "loud"),
            ("LOG_FORMAT", "xml"),
            ("TAOTOKEN_BASE_URL", "ftp://example.com"),
            ("TAOTOKEN_BASE_URL", "not a url"),
            ("MAX_BODY_BYTES", "0"),
            ("TRUST_PROXY", "maybe"),
            ("DATABASE_URL", "mysql://localhost/db"),
            ("DATABASE_URL", "sqlite:"),
            ("TAOGATE_ADMIN_KEY", "short"),
            ("TAOGATE_API_KEYS", "short"),
        ]
    )
    func invalidValueFailsNamingIt(name: String, value: String) {
        let error = failure(["TAOTOKEN_API_KEY": "k", name: value])
        #expect(error?.name == name)
        #expect(error?.description.hasPrefix(name) == true)
    }

    @Test("The upstream key never appears in a configuration error")
    func keyNeverAppearsInErrors() {
        let error = failure(["TAOTOKEN_API_KEY": "sk-secret-value-123", "PORT": "abc"])
        #expect(error?.description.contains("sk-secret-value-123") == false)
    }

    @Test("Flags win over the environment, which wins over .env")
    func precedenceIsFlagsThenEnvironmentThenDotEnv() throws {
        let configuration = try GatewayConfiguration.load(
            environment: ["TAOTOKEN_API_KEY": "from-env", "PORT": "4000", "DEFAULT_MODEL": "env-model"],
            dotEnv: "PORT=5000\nDEFAULT_MODEL=dotenv-model\nHOST=0.0.0.0\n",
            flags: ["PORT": "6000"]
        )
        #expect(configuration.port == 6000)
        #expect(configuration.defaultModel == "env-model")
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.upstreamAPIKey == "from-env")
    }

    @Test("A .env file alone can provide the key")
    func dotEnvAloneProvidesTheKey() throws {
        let configuration = try GatewayConfiguration.load(environment: [:], dotEnv: "export TAOTOKEN_API_KEY=\"sk-from-file\"\n")
        #expect(configuration.upstreamAPIKey == "sk-from-file")
    }
}

@Suite(".env parsing")
struct DotEnvFileTests {
    @Test("Real .env files parse: export, quotes, comments, blank lines, escapes")
    func realFilesParse() throws {
        let text = """
            # TaoGate settings

            export TAOTOKEN_API_KEY="sk-abc 123"
            PORT=3000 # the port
            SINGLE='it''s raw \\n'
            DOUBLE="line one\\nline \\"two\\""
              SPACED = value with spaces  
            EMPTY=
            URL=https://example.com/a#b
            """
        let values = try DotEnvFile.parse(text)
        #expect(values["TAOTOKEN_API_KEY"] == "sk-abc 123")
        #expect(values["PORT"] == "3000")
        #expect(values["SINGLE"] == "it")
        #expect(values["DOUBLE"] == "line one\nline \"two\"")
        #expect(values["SPACED"] == "value with spaces")
        #expect(values["EMPTY"] == "")
        #expect(values["URL"] == "https://example.com/a#b")
        #expect(values.count == 7)
    }

    @Test("Single quotes keep backslashes as written")
    func singleQuotesAreRaw() throws {
        #expect(try DotEnvFile.parse(#"A='x\ny'"#)["A"] == #"x\ny"#)
    }

    @Test("CRLF line endings are accepted")
    func crlfLinesAreAccepted() throws {
        #expect(try DotEnvFile.parse("A=1\r\nB=2\r\n") == ["A": "1", "B": "2"])
    }

    @Test("A line that is not KEY=value is reported with its number")
    func badLineIsReported() {
        #expect(throws: DotEnvFile.SyntaxError(line: 2)) {
            _ = try DotEnvFile.parse("A=1\nthis is not a setting\n")
        }
    }
}

@Suite("Accept-Language")
struct LanguageTests {
    @Test(
        "The most preferred language decides",
        arguments: [
            ("zh-CN", Language.chinese),
            ("zh-TW,en;q=0.5", .chinese),
            ("en-US,zh;q=0.9", .english),
            ("en;q=0.4,zh;q=0.8", .chinese),
            ("fr", .english),
            ("", .english),
        ]
    )
    func mostPreferredLanguageDecides(header: String, expected: Language) {
        #expect(Language(acceptLanguage: header) == expected)
    }
}

@Suite(".env.example")
struct DotEnvExampleTests {
    @Test(".env.example parses and gives a valid configuration with the documented defaults")
    func exampleIsValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent(".env.example"), encoding: .utf8)
        let configuration = try GatewayConfiguration.load(environment: [:], dotEnv: text)
        let defaults = try GatewayConfiguration(values: ["TAOTOKEN_API_KEY": "k"])
        #expect(configuration.port == defaults.port)
        #expect(configuration.upstreamTimeout == defaults.upstreamTimeout)
        #expect(configuration.rateLimitMax == defaults.rateLimitMax)
        #expect(configuration.shutdownGrace == defaults.shutdownGrace)
        #expect(configuration.circuitBreakerFailures == defaults.circuitBreakerFailures)
        #expect(configuration.corsOrigins == defaults.corsOrigins)
    }
}
