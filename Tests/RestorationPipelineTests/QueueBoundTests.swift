import Foundation
import MaximTestSupport
import MediaIO
import RestorationPipeline
import Testing

/// A stage that sleeps, so that an unbounded decoder would decode the whole clip before the first frame is encoded.
struct SlowStage: RestorationStage {
    let name = "slow"
    func restore(_ image: RGBImage) throws -> RGBImage {
        Thread.sleep(forTimeInterval: 0.02)
        return image
    }
}

/// A stage that cancels the run once it has seen `after` frames.
struct CancellingStage: RestorationStage {
    let name = "cancel"
    let token: CancellationToken
    let after: Int
    func restore(_ image: RGBImage) throws -> RGBImage {
        if image.pixels[0] >= 0 && Self.count.increment() >= after { token.cancel() }
        return image
    }
    static let count = Counter()
}

/// A stage that fails on every frame.
struct FailingStage: RestorationStage {
    struct Failure: Error, CustomStringConvertible { var description: String { "model exploded" } }
    let name = "failing"
    func restore(_ image: RGBImage) throws -> RGBImage { throw Failure() }
}

final class Counter: @unchecked Sendable {
    // @unchecked Sendable: `value` is only touched under `lock`.
    private let lock = NSLock()
    private var value_ = 0
    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return value_
    }
    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value_ += 1
        return value_
    }
}

@Suite("Pipeline bounds, cancellation and failure")
struct QueueBoundTests {
    @Test(arguments: [(1, 1), (2, 1), (1, 2)])
    func slowStageDoesNotLetTheDecoderRunAhead(capacity: Int, workers: Int) throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        clip.frames = 40
        clip.pixelFormat = "bgr0"  // RGB through FFV1 is lossless, so frames can be compared exactly
        try clip.write(to: dir.path("in.mkv"))
        let options = RestorerOptions(queueCapacity: capacity, workersPerStage: workers)
        let summary = try VideoRestorer(
            input: dir.path("in.mkv"), output: dir.path("out.mkv"), stages: [SlowStage(), SlowStage()],
            encoder: EncoderSettings(codec: "ffv1"), options: options
        ).run()
        #expect(summary.frames == 40)
        #expect(summary.framesInFlightBound == options.framesInFlightBound(stageCount: 2))
        #expect(summary.framesInFlightBound < 40)
        #expect(summary.maxFramesInFlight <= summary.framesInFlightBound)
        #expect(summary.maxFramesInFlight >= 2, "the pipeline never overlapped decoding and restoring")
        let output = try DecodedClip(dir.path("out.mkv"))
        let input = try DecodedClip(dir.path("in.mkv"))
        #expect(output.images.count == input.images.count)
        #expect(zip(output.images, input.images).allSatisfy { $0 == $1 }, "frames were reordered or changed")
    }

    @Test func cancellationStopsAndLeavesNoOutput() throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        clip.frames = 30
        try clip.write(to: dir.path("in.mkv"))
        let token = CancellationToken()
        #expect(throws: PipelineError.cancelled) {
            try VideoRestorer(
                input: dir.path("in.mkv"), output: dir.path("out.mkv"),
                stages: [CancellingStage(token: token, after: 3)]
            ).run(cancellation: token)
        }
        #expect(dir.contents() == ["in.mkv"])
    }

    @Test func failingStageFailsTheRunAndLeavesNoOutput() throws {
        let dir = try TemporaryDirectory()
        try SyntheticClip().write(to: dir.path("in.mkv"))
        #expect(throws: PipelineError.stageFailed(stage: "failing", frame: 0, underlying: "model exploded")) {
            try VideoRestorer(input: dir.path("in.mkv"), output: dir.path("out.mp4"), stages: [FailingStage()]).run()
        }
        #expect(dir.contents() == ["in.mkv"])
    }

    @Test func existingOutputIsRefusedWithoutOverwrite() throws {
        let dir = try TemporaryDirectory()
        try SyntheticClip().write(to: dir.path("in.mkv"))
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: dir.path("out.mkv")))
        let error = #expect(throws: MediaError.self) {
            try VideoRestorer(input: dir.path("in.mkv"), output: dir.path("out.mkv"), stages: [IdentityStage()]).run()
        }
        #expect(error?.description.contains("already exists") == true)
        #expect(try String(contentsOfFile: dir.path("out.mkv"), encoding: .utf8) == "keep me")
        try VideoRestorer(
            input: dir.path("in.mkv"), output: dir.path("out.mkv"), stages: [IdentityStage()],
            options: RestorerOptions(overwrite: true)
        ).run()
        #expect(try DecodedClip(dir.path("out.mkv")).images.count == 12)
        #expect(dir.contents() == ["in.mkv", "out.mkv"])
    }
}
