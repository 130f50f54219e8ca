import MediaIO
import Testing

@Suite("RGBImage rotation")
struct RGBImageRotationTests {
    /// A 3×2 picture whose R plane counts 0…5 in row-major order (G and B are offsets of it).
    private let picture = RGBImage(width: 3, height: 2, pixels: (0..<18).map(Float.init))

    private func redRows(_ image: RGBImage) -> [[Float]] {
        (0..<image.height).map { y in Array(image.pixels[(y * image.width)..<((y + 1) * image.width)]) }
    }

    @Test func quarterTurnClockwiseMovesTheLeftColumnToTheTopRow() {
        // 0 1 2      3 0
        // 3 4 5  →   4 1
        //            5 2
        let turned = picture.rotatedClockwise(quarterTurns: 1)
        #expect(turned.width == 2 && turned.height == 3)
        #expect(redRows(turned) == [[3, 0], [4, 1], [5, 2]])
        #expect(turned.pixels[6] == 9, "green plane turned the same way")
    }

    @Test func halfTurnReversesRowsAndColumns() {
        #expect(redRows(picture.rotatedClockwise(quarterTurns: 2)) == [[5, 4, 3], [2, 1, 0]])
    }

    @Test func threeQuarterTurnsUndoOneAndFourAreIdentity() {
        #expect(redRows(picture.rotatedClockwise(quarterTurns: 3)) == [[2, 5], [1, 4], [0, 3]])
        #expect(picture.rotatedClockwise(quarterTurns: 1).rotatedClockwise(quarterTurns: 3) == picture)
        #expect(picture.rotatedClockwise(quarterTurns: 4) == picture)
    }

    @Test func alphaPlaneTurnsWithItsPicture() {
        let alpha = AlphaPlane(width: 3, height: 2, values: (0..<6).map(Float.init))
        for turns in 0..<4 {
            let turned = alpha.rotatedClockwise(quarterTurns: turns)
            #expect(turned.values == Array(picture.rotatedClockwise(quarterTurns: turns).pixels.prefix(6)))
            #expect((turned.width, turned.height) == (turns % 2 == 1 ? (2, 3) : (3, 2)))
        }
    }
}
