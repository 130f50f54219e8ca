import Testing
import Tensor

@Suite struct LayoutTests {
    @Test func blockingPutsPatchIndexOnAxisOneAndPixelInPatchOnAxisTwo() {
        let x = Tensor(shape: [1, 4, 4, 1], scalars: (0..<16).map(Float.init))
        let b = x.blocked(patchHeight: 2, patchWidth: 2)
        #expect(b.shape == [1, 4, 4, 1])
        // Pixel (y 1, x 2) lies in patch gy 0, gx 1 → g 1, at in-patch (1, 0) → p 2.
        #expect(b[0, 1, 2, 0] == 6)
        #expect(b.scalars == [0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15])
    }

    @Test func unblockingInvertsBlocking() {
        let x = pseudoRandom([2, 6, 8, 3], seed: 9)
        let round = x.blocked(patchHeight: 3, patchWidth: 2).unblocked(gridHeight: 2, gridWidth: 4, patchHeight: 3, patchWidth: 2)
        #expect(round.shape == x.shape)
        #expect(round.scalars == x.scalars)
    }

    @Test func splittingInHalfAndConcatenatingRoundTrips() {
        let x = pseudoRandom([1, 3, 2, 6], seed: 2)
        let (u, v) = x.splitChannelsInHalf()
        #expect(u.shape == [1, 3, 2, 3] && v.shape == [1, 3, 2, 3])
        #expect(u[0, 1, 1, 2] == x[0, 1, 1, 2] && v[0, 1, 1, 0] == x[0, 1, 1, 3])
        #expect(Tensor.concatenateChannels([u, v]).scalars == x.scalars)
    }

    @Test func reflectIndexMirrorsWithoutRepeatingTheEdge() {
        #expect((-3..<7).map { reflectIndex($0, size: 4) } == [3, 2, 1, 0, 1, 2, 3, 2, 1, 0])
        #expect(reflectIndex(5, size: 1) == 0)
    }

    @Test func croppingTakesTheRequestedWindow() {
        let x = Tensor(shape: [1, 4, 4, 1], scalars: (0..<16).map(Float.init))
        #expect(x.cropped(top: 1, left: 2, height: 2, width: 2).scalars == [6, 7, 10, 11])
    }
}
