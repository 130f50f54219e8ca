import Foundation
import MaximTestSupport
import MediaIO
import Testing

@Suite("maxim-video probe")
struct ProbeCommandTests {
    @Test func jsonListsStreamsSizeFormatTagsAndFrameCount() throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        clip.pixelFormat = "yuv420p10le"
        clip.colors = try ColorTags(range: "tv", primaries: "bt709", transfer: "bt709", matrix: "bt709")
        clip.audio = AudioTrackSettings(codec: "aac")
        try clip.write(to: dir.path("in.mkv"))
        let result = try CommandRunner.run(["probe", "in.mkv", "--json"], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        let info = try JSONDecoder().decode(MediaInfo.self, from: Data(result.stdout.utf8))
        let video = try #require(info.video)
        #expect(video.width == 64 && video.height == 48)
        #expect(video.pixelFormat == "yuv420p10le")
        #expect(video.frameCount == 12)
        #expect(video.colorRange == "tv" && video.colorMatrix == "bt709" && video.colorPrimaries == "bt709")
        #expect(info.audio?.codec == "aac")
    }

    @Test func textNamesEveryStream() throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        clip.audio = AudioTrackSettings(codec: "aac")
        try clip.write(to: dir.path("in.mkv"))
        let result = try CommandRunner.run(["probe", "in.mkv"], in: dir.url)
        #expect(result.status == 0)
        #expect(result.stdout.contains("stream 0: video ffv1, 64x48, yuv420p"))
        #expect(result.stdout.contains("12 frames"))
        #expect(result.stdout.contains("stream 1: audio aac, 48000 Hz, 2 ch"))
        #expect(!result.stdout.contains("clockwise"), "upright as stored")
    }

    /// How restoration will turn the picture (a display matrix, a photo's EXIF orientation), so a user who sees a
    /// turned output can tell why: the same quarter turns the restorer applies.
    @Test(arguments: [("rotate90.mp4", 270), ("rotate180.mp4", 180), ("exif-rotated.jpg", 90)])
    func probeSaysHowThePictureIsTurned(file: String, degrees: Int) throws {
        let dir = try TemporaryDirectory()
        let text = try CommandRunner.run(["probe", Fixtures.media(file)], in: dir.url)
        #expect(text.stdout.contains("turned \(degrees)° clockwise to show upright"), "\(text.stdout)")
        let json = try CommandRunner.run(["probe", Fixtures.media(file), "--json"], in: dir.url)
        #expect(try JSONDecoder().decode(MediaInfo.self, from: Data(json.stdout.utf8)).video?.rotation == degrees)
    }
}

@Suite("maxim-video --help")
struct HelpTests {
    @Test(arguments: [["--help"], ["deblur", "--help"], ["process", "--help"], ["batch", "--help"], ["eval", "-h"]])
    func helpPrintsUsageAndSucceeds(arguments: [String]) throws {
        let dir = try TemporaryDirectory()
        let result = try CommandRunner.run(arguments, in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("USAGE:"), "\(result.stdout)")
        #expect(!result.stderr.contains("error"), "\(result.stderr)")
    }
}
