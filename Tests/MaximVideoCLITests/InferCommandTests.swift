import Foundation
import MaximModel
import MaximTestSupport
import MediaIO
import Tensor
import Testing

@Suite("maxim-video infer")
struct InferCommandTests {
    @Test func pictureFilesInAndOutMatchTheNPYOutputClippedTo8Bits() throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        clip.width = 96
        clip.height = 80
        clip.frames = 1
        clip.codec = "png"
        clip.pixelFormat = "rgb24"
        try clip.write(to: dir.path("in.png"))
        for out in ["out.png", "out.npy"] {
            let result = try CommandRunner.run(
                ["infer", "--checkpoint", tinyCheckpoint, "--input", "in.png", "--output", out], in: dir.url)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let png = try StillImage.read(dir.path("out.png")).image
        let npy = try NPYFormat.decode(Data(contentsOf: URL(fileURLWithPath: dir.path("out.npy"))))
        #expect(npy.shape == [1, 80, 96, 3])
        #expect(png.width == 96 && png.height == 80)
        // The random-weight network overshoots [0, 1] a lot; the picture holds the clipped values.
        let values = npy.scalars
        #expect(values.contains { $0 < 0 || $0 > 1 })
        var worst: Float = 0
        for p in 0..<(80 * 96) {
            for c in 0..<3 {
                let expected = (min(max(values[3 * p + c], 0), 1) * 255).rounded() / 255
                worst = max(worst, abs(png.pixels[c * 80 * 96 + p] - expected))
            }
        }
        #expect(worst <= 1.0 / 255 + 1e-6, "worst difference \(worst * 255) levels")
    }

    @Test func unreadablePictureIsAOneLineError() throws {
        let dir = try TemporaryDirectory()
        try Data("not a picture".utf8).write(to: URL(fileURLWithPath: dir.path("in.png")))
        let result = try CommandRunner.run(
            ["infer", "--checkpoint", tinyCheckpoint, "--input", "in.png", "--output", "out.png"], in: dir.url)
        #expect(result.status != 0)
        #expect(result.stderr.contains("in.png"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("out.png")))
    }

    /// The portable path alone (`MAXIM_GEMM=openblas`: every product through OpenBLAS, every convolution through
    /// im2col) matches the reference. A child process, because the backend is process-wide: switching it inside the
    /// test process would change what concurrently running tests compute.
    @Test func openBLASOnlyPathMatchesTheReference() throws {
        let dir = try TemporaryDirectory()
        let golden = URL(fileURLWithPath: tinyCheckpoint).deletingLastPathComponent()
        var environment = ProcessInfo.processInfo.environment
        environment["MAXIM_GEMM"] = "openblas"
        let result = try CommandRunner.run(
            ["infer", "--checkpoint", tinyCheckpoint, "--input", golden.appendingPathComponent("input.npy").path,
             "--output", "out.npy", "--verbose"], in: dir.url, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect((result.stdout + result.stderr).contains("OpenBLAS for every matrix product"))
        try expectOutput(in: dir, matches: golden.appendingPathComponent("outputs.npz"), key: "stage_1/scale_2", "tiny")
    }

    /// The AVX2 kernels (`MAXIM_VECTOR_ISA=avx2`: on an AVX-512 CPU too) compute the reference's outputs: the golden
    /// tiny model and both shipped models (their 8- and 12-channel layers take every AVX2 kernel) against the
    /// references of their fixtures, within the conformance tolerance. A child process: the variant is chosen once per
    /// process.
    @Test(.enabled(if: ThinDense.instructionSet != "off", "needs an AVX2 CPU"),
          arguments: [("tiny", "stage_1/scale_2"), ("deblur-small", "stage_0/scale_2"), ("denoise-small", "stage_0/scale_1")])
    func avx2KernelsMatchTheReference(model: String, output key: String) throws {
        let dir = try TemporaryDirectory()
        let (checkpoint, input, outputs): (String, URL, URL)
        if model == "tiny" {
            let golden = URL(fileURLWithPath: tinyCheckpoint).deletingLastPathComponent()
            (checkpoint, input, outputs) = (tinyCheckpoint, golden.appendingPathComponent("input.npy"),
                                            golden.appendingPathComponent("outputs.npz"))
        } else {
            (checkpoint, input, outputs) = (Fixtures.model(model).path, Fixtures.shipped(model, "input.npy"),
                                            Fixtures.shipped(model, "outputs.npz"))
        }
        var environment = ProcessInfo.processInfo.environment
        environment["MAXIM_VECTOR_ISA"] = "avx2"
        let result = try CommandRunner.run(
            ["infer", "--checkpoint", checkpoint, "--input", input.path, "--output", "out.npy", "--threads", "2"],
            in: dir.url, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        try expectOutput(in: dir, matches: outputs, key: key, model)
    }

    /// `out.npy` in `dir` against the reference output `key` of `references`, within the conformance tolerance.
    private func expectOutput(in dir: TemporaryDirectory, matches references: URL, key: String, _ label: String) throws {
        let output = try NPYFormat.decode(Data(contentsOf: URL(fileURLWithPath: dir.path("out.npy"))))
        let expected = try #require(try NPZArchive.read(contentsOf: references)[key])
        #expect(output.shape == expected.shape)
        let largest = expected.scalars.map { abs($0) }.max() ?? 0
        let worst = zip(output.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-5 * largest, "\(label): max error \(worst) of \(largest)")
    }
}
