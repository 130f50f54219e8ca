import Foundation

/// The outcome of one batch run: printed with `--json`, and the source of the exit status and the metrics.
public struct BatchSummary: Codable, Sendable, Equatable {
    public struct Input: Codable, Sendable, Equatable {
        public enum Status: String, Codable, Sendable { case done, failed, interrupted }
        public var name: String
        public var status: Status
        public var attempts: Int
        public var seconds: Double
        public var frames: Int?
        public var error: String?
        /// The output's name in the outbox: the input's, or a free one (`clip-2.mp4`) when an earlier output has it.
        public var output: String?

        public init(
            name: String, status: Status, attempts: Int, seconds: Double, frames: Int? = nil, error: String? = nil,
            output: String? = nil
        ) {
            self.name = name
            self.status = status
            self.attempts = attempts
            self.seconds = seconds
            self.frames = frames
            self.error = error
            self.output = output
        }
    }

    public var inputs: [Input] = []
    /// Files seen in the inbox but not yet stable (left for a later run).
    public var notReady: [String] = []
    public var interrupted = false

    public init() {}

    public var done: Int { inputs.filter { $0.status == .done }.count }
    public var failed: Int { inputs.filter { $0.status == .failed }.count }

    /// DESIGN §5: 0 all done, 3 some inputs failed, 130 interrupted (1, a failure of the runner, never gets here).
    public var exitStatus: Int32 {
        if interrupted { return 130 }
        return failed > 0 ? 3 : 0
    }

    public var metrics: PrometheusMetrics {
        var m = PrometheusMetrics()
        m.filesProcessed = done
        m.filesFailed = failed
        m.framesProcessed = inputs.compactMap(\.frames).reduce(0, +)
        m.secondsProcessing = inputs.map(\.seconds).reduce(0, +)
        return m
    }

    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        struct Wire: Encodable {
            let done: Int
            let failed: Int
            let interrupted: Bool
            let exitStatus: Int32
            let inputs: [Input]
            let notReady: [String]
        }
        let wire = Wire(
            done: done, failed: failed, interrupted: interrupted, exitStatus: exitStatus, inputs: inputs,
            notReady: notReady)
        return (try? encoder.encode(wire)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
