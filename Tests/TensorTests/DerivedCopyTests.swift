import Synchronization
import Testing
@testable import Tensor

/// Copies of a weight tensor in other layouts (oneDNN's blocked kernels, the bf16 copy, the Winograd transform):
/// made once per tensor, shared by every thread that asks.
@Suite struct DerivedCopyTests {
    @Test func aCopyIsMadeOnceAndSharedByConcurrentCallers() async {
        let storage = TensorStorage(count: 4)
        let key = LayoutKey(Array("test layout".utf8))
        final class Counter: Sendable { let made = Atomic<Int>(0) }
        let counter = Counter()
        let bases = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let copy = storage.derivedCopy(key, count: 4) { copy in
                        counter.made.add(1, ordering: .relaxed)
                        for i in 0..<4 { copy.base[i] = Float(i) }
                    }
                    return Int(bitPattern: copy.base)
                }
            }
            return await group.reduce(into: Set<Int>()) { $0.insert($1) }
        }
        #expect(bases.count == 1, "every caller gets the same copy")
        #expect(counter.made.load(ordering: .relaxed) >= 1)
        let again = storage.derivedCopy(key, count: 4) { _ in Issue.record("made again after it was kept") }
        #expect(Array(UnsafeBufferPointer(start: again.base, count: 4)) == [0, 1, 2, 3])
    }

    @Test func bf16CopyHoldsEachValueRoundedAndIsKept() {
        let t = pseudoRandom([3, 5], seed: 41)
        let copy = t.bf16Copy
        for i in 0..<t.count { #expect(copy[i] == BF16.round(t.scalars[i])) }
        #expect(t.bf16Copy == copy)
    }

    /// The transform of a kernel whose only tap is the centre one (weight w between input c and output o): rows of
    /// `G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]` times that tap, `(G g Gᵀ)[i][j] = G[i][1]·G[j][1]·w`.
    @Test func winogradKernelTransformsEachTapAndIsKept() {
        var taps = [Float](repeating: 0, count: 9 * 2 * 3)
        taps[(4 * 2 + 1) * 3 + 2] = 4  // tap (1, 1), input 1, output 2
        let kernel = Tensor(shape: [3, 3, 2, 3], scalars: taps)
        let u = kernel.winogradKernel
        let centre: [Float] = [0, 0.5, -0.5, 0]
        for xi in 0..<16 {
            for co in 0..<6 {
                let expected: Float = co == 1 * 3 + 2 ? centre[xi / 4] * centre[xi % 4] * 4 : 0
                #expect(u[xi * 6 + co] == expected, "ξ \(xi), input·output \(co)")
            }
        }
        #expect(kernel.winogradKernel == u)
    }
}
