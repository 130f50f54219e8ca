import Foundation

/// Batch counters in Prometheus text exposition format, for node_exporter's textfile collector.
///
/// The collector may read the file at any moment, so it is written to a temporary name in the same
/// directory and renamed over the target: readers see the old file or the new one, never half of one.
public struct PrometheusMetrics: Sendable, Equatable {
    public var filesProcessed = 0
    public var filesFailed = 0
    public var framesProcessed = 0
    public var secondsProcessing = 0.0
    /// Unix time of the last input restored successfully, if any.
    public var lastSuccess: Double?

    public init() {}

    public var text: String {
        var lines: [String] = []
        func metric(_ name: String, _ type: String, _ help: String, _ value: String) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
            lines.append("\(name) \(value)")
        }
        metric("maxim_video_batch_files_processed", "gauge", "Inputs restored successfully by the last batch run.", "\(filesProcessed)")
        metric("maxim_video_batch_files_failed", "gauge", "Inputs moved to failed/ by the last batch run.", "\(filesFailed)")
        metric("maxim_video_batch_frames", "gauge", "Video frames restored by the last batch run.", "\(framesProcessed)")
        metric("maxim_video_batch_seconds", "gauge", "Wall-clock seconds the last batch run spent on inputs.", Self.format(secondsProcessing))
        if let lastSuccess {
            metric(
                "maxim_video_batch_last_success_timestamp_seconds", "gauge",
                "Unix time at which the last input was restored successfully.", Self.format(lastSuccess))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `text` to `path` atomically (temporary file in the same directory, then rename).
    public func write(to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).partial")
        do {
            try Data(text.utf8).write(to: temporary)
            if rename(temporary.path, url.path) != 0 {
                let code = errno
                try? FileManager.default.removeItem(at: temporary)
                throw BatchError.io(path: path, operation: "rename the metrics file into place", errno: code)
            }
        } catch let error as BatchError {
            throw error
        } catch {
            throw BatchError.io(path: path, operation: "write the metrics file", errno: EIO)
        }
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
