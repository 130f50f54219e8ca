import Foundation

/// Makes glibc fill every fresh heap allocation with a fixed byte (`mallopt(M_PERTURB)`).
///
/// Why: Debian 12's libx264 reads some uninitialised heap memory (seen on small pictures), so its output depended on
/// what earlier allocations had left behind in this process. A resumed job, which encodes its last segments in a new
/// process after other work, then differed from an uninterrupted run by encoding noise. With a fixed fill byte the
/// encoder's output is a function of its input and settings again. Costs one `memset` per allocation, nothing per
/// pixel. Call it first thing in `main`; `MALLOC_PERTURB_` in the environment (read by glibc itself) takes precedence.
public enum ReproducibleHeap {
    /// glibc's `M_PERTURB` (`malloc.h`, not exported by Swift's Glibc module).
    private static let mPerturb: Int32 = -6
    private static let fillByte: Int32 = 0xA5

    /// Returns whether the setting took effect.
    @discardableResult
    public static func enable() -> Bool {
        if ProcessInfo.processInfo.environment["MALLOC_PERTURB_"] != nil { return true }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
        return unsafeBitCast(symbol, to: Mallopt.self)(mPerturb, fillByte) == 1
    }
}
