import Foundation
import MaximTestSupport
import MaximVideoCLI
import Tensor
import Testing

/// `maxim-video bench` reports a model's speed against the machine's matrix peak measured in the same run.
@Suite struct BenchCommandTests {
    @Test func benchReportsTheModelsShareOfTheMatrixPeakAndPeakMemory() throws {
        let dir = try TemporaryDirectory()
        let result = try CommandRunner.run(
            ["bench", "--checkpoint", tinyCheckpoint, "--size", "64", "--runs", "1", "--threads", "1", "--json"],
            in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let modelRate = try #require(report["gflops_per_second"] as? Double)
        let peak = try #require(report["sgemm_peak_gflops_per_second"] as? Double)
        let fraction = try #require(report["fraction_of_sgemm_peak"] as? Double)
        // A single-threaded AVX2/AVX-512 sgemm sustains tens of GFLOP/s at least; a tiny 64² model far less.
        #expect(peak > 10, "sgemm peak \(peak) GFLOP/s")
        #expect(modelRate > 0 && modelRate < peak)
        #expect(abs(fraction - modelRate / peak) < 1e-9)
        let rss = try #require(report["peak_rss_bytes"] as? Int)
        #expect(rss > 10 << 20 && rss < 4 << 30, "peak RSS \(rss) bytes")
    }

    /// The report names the variant of the engine's own vector kernels: the widest this CPU runs, and the AVX2 one
    /// when `MAXIM_VECTOR_ISA=avx2` asks for it (as on an AVX-512 CPU, to compare the two).
    @Test func benchNamesTheVectorKernelsItRuns() throws {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        func has(_ features: [String]) -> Bool { CPUSupport.missingFeatures(cpuinfo: cpuinfo, required: features) == [] }
        let hasAVX2 = has(["avx2", "fma"])
        let widest = has(["avx512f", "avx512dq"]) ? "avx512" : hasAVX2 ? "avx2" : "off"
        let dir = try TemporaryDirectory()
        for (request, expected) in [(nil, widest), ("avx2", hasAVX2 ? "avx2" : "off")] {
            var environment = ProcessInfo.processInfo.environment
            environment["MAXIM_VECTOR_ISA"] = request
            let result = try CommandRunner.run(
                ["bench", "--checkpoint", tinyCheckpoint, "--size", "64", "--runs", "1", "--threads", "1", "--json"],
                in: dir.url, environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            let report = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(report["vector_kernels"] as? String == expected, "MAXIM_VECTOR_ISA=\(request ?? "unset")")
        }
    }

    /// `--precision bf16` also measures oneDNN's bf16 peak in the same run and reports the model's share of it.
    @Test(.enabled(if: ProductPrecision.bf16.unavailableReason == nil, "oneDNN has no bf16 kernels on this CPU"))
    func bf16BenchReportsTheBF16PeakAndTheKernelsInstructionSet() throws {
        let dir = try TemporaryDirectory()
        let result = try CommandRunner.run(
            ["bench", "--checkpoint", tinyCheckpoint, "--size", "64", "--runs", "1", "--threads", "1", "--json",
             "--precision", "bf16"], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["precision"] as? String == "bf16")
        let isa = try #require(report["onednn_isa"] as? String)
        #expect(isa.hasPrefix("avx512_core"), "\(isa)")
        let rate = try #require(report["gflops_per_second"] as? Double)
        let peak = try #require(report["bf16_peak_gflops_per_second"] as? Double)
        let fraction = try #require(report["fraction_of_bf16_peak"] as? Double)
        #expect(peak > 10, "bf16 peak \(peak) GFLOP/s")
        #expect(abs(fraction - rate / peak) < 1e-9)
    }

    /// `--by-shape` names every timed operation with its shape, and the shapes' times add up to the breakdown's.
    @Test func byShapeAccountsForEveryTimedOperation() throws {
        let dir = try TemporaryDirectory()
        let result = try CommandRunner.run(
            ["bench", "--checkpoint", tinyCheckpoint, "--size", "64", "--runs", "1", "--threads", "1", "--json",
             "--by-shape"], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let shapes = try #require(report["shapes"] as? [[String: Any]])
        let names = shapes.compactMap { $0["shape"] as? String }
        // Spatial mixes appear on their own, or fused with the dense layer before them (`gmlp`, `projected mix`).
        let mixes = ["spatialMix ", "gmlp ", "projected mix "]
        #expect(names.contains { $0.hasPrefix("dense ") } && names.contains { $0.hasPrefix("conv 3×3/1 ") }
                && names.contains { name in mixes.contains { name.hasPrefix($0) } }, "\(names)")
        let breakdown = try #require(report["breakdown"] as? [String: [String: Any]])
        let kindSeconds = breakdown.values.compactMap { $0["seconds"] as? Double }.reduce(0, +)
        let shapeSeconds = shapes.compactMap { $0["seconds"] as? Double }.reduce(0, +)
        #expect(kindSeconds > 0 && abs(shapeSeconds - kindSeconds) < 1e-6 * max(1, kindSeconds),
                "shapes \(shapeSeconds) s, kinds \(kindSeconds) s")
        for shape in shapes {
            let seconds = try #require(shape["seconds"] as? Double), library = try #require(shape["library_seconds"] as? Double)
            #expect(library >= 0 && library <= seconds + 1e-9, "\(shape)")
        }
    }

    /// The shipped denoiser's fitted 720p tiles are 256×288 (its input multiple is 32): bench takes that width, as
    /// the pipeline does, and refuses one the model would pad.
    @Test func widthFollowsTheModelsInputMultiple() throws {
        let dir = try TemporaryDirectory()
        let model = Fixtures.model("denoise-small").path
        let result = try CommandRunner.run(
            ["bench", "--checkpoint", model, "--size", "64", "--width", "288", "--runs", "1", "--threads", "1", "--json"],
            in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["width"] as? Int == 288)
        let bad = try CommandRunner.run(["bench", "--checkpoint", model, "--size", "64", "--width", "272"], in: dir.url)
        #expect(bad.status == 2 && bad.stderr.contains("multiples of 32"), "\(bad.status) \(bad.stderr)")
    }

    /// `--width` benchmarks a rectangular input (the fitted tiles of a frame): twice the width, twice the counted
    /// work; a width that is not a multiple of the model's (64 here) is a usage error.
    @Test func widthBenchmarksARectangularInput() throws {
        let dir = try TemporaryDirectory()
        func gflop(_ extra: [String]) throws -> (Double, Int) {
            let result = try CommandRunner.run(
                ["bench", "--checkpoint", tinyCheckpoint, "--size", "64", "--runs", "1", "--threads", "1", "--json"]
                    + extra, in: dir.url)
            #expect(result.status == 0, "\(result.stderr)")
            let report = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            return (try #require(report["gflop"] as? Double), try #require(report["width"] as? Int))
        }
        let (square, squareWidth) = try gflop([]), (wide, wideWidth) = try gflop(["--width", "128"])
        #expect(squareWidth == 64 && wideWidth == 128)
        #expect(abs(wide / square - 2) < 0.01, "\(wide) vs \(square) GFLOP")
        let bad = try CommandRunner.run(["bench", "--checkpoint", tinyCheckpoint, "--size", "64", "--width", "100"],
                                        in: dir.url)
        #expect(bad.status == 2 && bad.stderr.contains("--width"), "\(bad.status) \(bad.stderr)")
    }
}
