import Foundation
@_exported import MaximTestSupport
import Testing
import Tensor

/// How far `actual` is from `reference`, relative to the reference's scale.
struct Closeness: CustomStringConvertible {
    /// `max|a − r| / max|r|`
    var maxRelative: Double
    /// `‖a − r‖₂ / ‖r‖₂`
    var l2Relative: Double

    init(_ actual: Tensor, _ reference: Tensor) {
        var maxDiff = 0.0, maxRef = 0.0, diffSq = 0.0, refSq = 0.0
        actual.withUnsafeBufferPointer { a in
            reference.withUnsafeBufferPointer { r in
                for i in 0..<r.count {
                    let d = Double(a[i]) - Double(r[i])
                    maxDiff = max(maxDiff, abs(d))
                    maxRef = max(maxRef, abs(Double(r[i])))
                    diffSq += d * d
                    refSq += Double(r[i]) * Double(r[i])
                }
            }
        }
        maxRelative = maxRef == 0 ? maxDiff : maxDiff / maxRef
        l2Relative = refSq == 0 ? diffSq.squareRoot() : (diffSq / refSq).squareRoot()
    }

    var description: String { "max-rel \(maxRelative), l2-rel \(l2Relative)" }
}
