import Testing

@testable import MediaIO

@Suite struct DerivedFileNameTests {
    @Test func shortNamesGetThePrefixAndSuffixAsTheyAre() {
        #expect(derivedFileName("clip.mp4", prefix: ".", suffix: ".maxim-partial") == ".clip.mp4.maxim-partial")
        #expect(derivedFileName("clip.mp4", suffix: ".job.json") == "clip.mp4.job.json")
    }

    /// 84 two-character pairs of 3-byte characters plus "ab.mp4": 250 bytes, as a long Japanese title is.
    @Test func namesAtTheLimitAreCutOnACharacterAndStayDistinct() {
        let long = String(repeating: "動画", count: 41) + "ab.mp4"
        let other = String(repeating: "動画", count: 41) + "cd.mp4"
        let derived = derivedFileName(long, prefix: ".", suffix: ".maxim-partial")
        #expect(derived.utf8.count <= maximumFileNameBytes)
        #expect(derived.hasPrefix(".動画") && derived.hasSuffix(".maxim-partial"))
        #expect(String(decoding: Array(derived.utf8), as: UTF8.self) == derived, "valid UTF-8: no character cut in two")
        #expect(derived != derivedFileName(other, prefix: ".", suffix: ".maxim-partial"))
        #expect(derived == derivedFileName(long, prefix: ".", suffix: ".maxim-partial"), "the same name each run")
    }
}
