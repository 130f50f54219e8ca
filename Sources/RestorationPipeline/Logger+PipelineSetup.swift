import Logging
import MediaIO

extension Logger {
    /// What a restoration run is about to do, logged once at its start by every restorer: the formats, the
    /// stages, the memory budget of the frames in flight, and the matrix assumed for untagged input.
    func logPipelineSetup(
        input: String, format: VideoFormat, output: String, codec: String, outputPixelFormat: String,
        stages: [any RestorationStage], framesInFlight bound: Int
    ) {
        let megabytes = bound * format.width * format.height * 12 / 1_048_576
        info(
            """
            \(input): \(format.width)x\(format.height) \(format.pixelFormat) → \(output) with \(codec) \
            \(outputPixelFormat); stages: \(stages.map(\.name).joined(separator: " → ")); \
            at most \(bound) frames (\(megabytes) MiB of RGB) in flight
            """)
        if format.colors.matrix == ColorTags.unspecified.matrix {
            notice("\(input): no colour matrix tag; converting as \(format.height >= 720 ? "BT.709 (HD)" : "BT.601 (SD)")")
        }
    }
}
