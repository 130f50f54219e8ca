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

/// Expects `output` to have `expected`'s shape and to lie within `tolerance` of it, relative to its scale, by both
/// measures (`label` names the output in a failure); returns how close it is.
@discardableResult
func expectConforms(_ output: Tensor, to expected: Tensor, tolerance: Double, _ label: String,
                    sourceLocation: SourceLocation = #_sourceLocation) -> Closeness {
    #expect(output.shape == expected.shape, "\(label)", sourceLocation: sourceLocation)
    let closeness = Closeness(output, expected)
    #expect(closeness.maxRelative <= tolerance, "\(label): \(closeness)", sourceLocation: sourceLocation)
    #expect(closeness.l2Relative <= tolerance, "\(label): \(closeness)", sourceLocation: sourceLocation)
    return closeness
}
