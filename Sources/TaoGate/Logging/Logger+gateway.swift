import Logging

extension Logger {
    /// The gateway's logger as configured: JSON or text lines on stdout, plus `combined.log` and
    /// `error.log` in LOG_DIR when it is set, written by a thread of their own (`output`, which the
    /// caller flushes, or closes, as it exits).
    public static func gateway(
        configuration: GatewayConfiguration,
        label: String = "taogate"
    ) throws -> (logger: Logger, output: BufferedLogWriter) {
        var writers: [any LogLineWriter] = [StandardOutputLogWriter()]
        if let directory = configuration.logDirectory {
            do {
                writers.append(try LogDirectoryWriter(directory: directory))
            } catch {
                throw ConfigurationError(name: "LOG_DIR", problem: "is not usable: \(error)")
            }
        }
        let format: GatewayLogHandler.Format = configuration.logFormat == .json ? .json : .text
        let level = configuration.logLevel
        let output = BufferedLogWriter(writing: writers, format: format)
        let logger = Logger(label: label) { _ in GatewayLogHandler(level: level, format: format, writers: [output]) }
        return (logger, output)
    }
}
