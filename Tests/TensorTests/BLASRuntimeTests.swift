import Testing
@testable import Tensor

@Suite(.serialized) struct BLASRuntimeTests {
    @Test func configureSetsTheComputeBudgetAndKeepsOpenBLASSingleThreaded() {
        let previous = ComputeThreads.count
        defer { BLASRuntime.configure(threads: previous) }
        BLASRuntime.configure(threads: 3)
        #expect(ComputeThreads.count == 3)
        #expect(BLASRuntime.blasThreads == 1)
        #expect(BLASRuntime.description.contains(BLASRuntime.coreName))
        #expect(BLASRuntime.description.contains("3 compute thread"))
    }

    @Test func reportsAKernelName() {
        #expect(!BLASRuntime.coreName.isEmpty && BLASRuntime.coreName != "unknown")
    }

    @Test func avx512KernelsNeedNoReexec() {
        #expect(BLASRuntime.avx512Kernels.contains("skylakex"))
        #expect(BLASRuntime.avx512Kernels.contains("cooperlake"))
        #expect(!BLASRuntime.avx512Kernels.contains("haswell"))
    }

    @Test func slowerKernelOnAnAVX512CPUIsReplacedEvenWhenPreset() {
        #expect(BLASRuntime.coreTypeToRequest(cpuHasAVX512: true, loadedCore: "Haswell", alreadyReexecuted: false,
                                              keepPreset: false) == "SkylakeX")
        #expect(BLASRuntime.coreTypeToRequest(cpuHasAVX512: true, loadedCore: "Prescott", alreadyReexecuted: false,
                                              keepPreset: false) == "SkylakeX")
    }

    @Test func nothingIsRequestedWhenItCannotHelpOrWasAlreadyTried() {
        #expect(BLASRuntime.coreTypeToRequest(cpuHasAVX512: true, loadedCore: "Cooperlake", alreadyReexecuted: false,
                                              keepPreset: false) == nil)
        #expect(BLASRuntime.coreTypeToRequest(cpuHasAVX512: false, loadedCore: "Haswell", alreadyReexecuted: false,
                                              keepPreset: false) == nil)
        #expect(BLASRuntime.coreTypeToRequest(cpuHasAVX512: true, loadedCore: "Haswell", alreadyReexecuted: true,
                                              keepPreset: false) == nil)
        #expect(BLASRuntime.coreTypeToRequest(cpuHasAVX512: true, loadedCore: "Haswell", alreadyReexecuted: false,
                                              keepPreset: true) == nil)
    }
}
