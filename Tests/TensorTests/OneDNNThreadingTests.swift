import Foundation
import Synchronization
import Testing
@testable import Tensor

/// The engine runs one tile per thread, so oneDNN must not start OpenMP teams of its own inside those threads.
@Suite struct OneDNNThreadingTests {
    private typealias MaxThreads = @convention(c) () -> Int32

    /// A convolution fixes its OpenMP thread count when it is compiled: one compiled at the default (every core) ran
    /// two-thread teams forever after. So compiling, not only running, must first ask for one thread. A fresh thread
    /// starts at the default, and compiles a shape no other test uses (so it is not cached).
    @Test(.enabled(if: ProcessInfo.processInfo.activeProcessorCount > 1, "OpenMP's default is one thread here"))
    func compilingOnAFreshThreadAsksOpenMPForOneThread() throws {
        let onednn = try #require(OneDNN.shared, "oneDNN did not start")
        let symbol = try #require(dlsym(UnsafeMutableRawPointer(bitPattern: 0), "omp_get_max_threads"))
        let maxThreads = unsafeBitCast(symbol, to: MaxThreads.self)
        let shape = OneDNN.ConvolutionShape(inRows: 13, width: 37, inChannels: 7, outRows: 11, outWidth: 35,
                                            outChannels: 9, kernelHeight: 3, kernelWidth: 3, stride: 1,
                                            padTop: 0, padBottom: 0, padLeft: 0, padRight: 0)
        let seen = Mutex<(before: Int32, after: Int32, compiled: Bool)>((0, 0, false))
        let done = DispatchSemaphore(value: 0)
        Thread {
            let before = maxThreads()
            let compiled = onednn.convolution(shape) != nil
            seen.withLock { $0 = (before, maxThreads(), compiled) }
            done.signal()
        }.start()
        done.wait()
        let (before, after, compiled) = seen.withLock { $0 }
        #expect(compiled)
        #expect(before > 1, "a fresh thread should start at OpenMP's default")
        #expect(after == 1, "compiled with \(after) OpenMP threads")
    }
}
