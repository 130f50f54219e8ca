import Foundation
import Testing
@testable import MaximVideoCLI

@Suite struct CPUSupportTests {
    static let haswell = """
        processor\t: 0
        model name\t: Intel(R) Xeon(R) CPU E5-2680 v3
        flags\t\t: fpu vme sse sse2 ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt avx f16c abm bmi1 avx2 bmi2
        """
    static let sandyBridge = """
        processor\t: 0
        flags\t\t: fpu vme sse sse2 ssse3 cx16 sse4_1 sse4_2 popcnt avx
        """

    @Test func aHaswellCPUHasEverythingTheEngineIsCompiledFor() {
        #expect(CPUSupport.missingFeatures(cpuinfo: Self.haswell, required: CPUSupport.x86_64_v3) == [])
    }

    @Test func anOlderCPUIsToldWhatItLacks() {
        #expect(CPUSupport.missingFeatures(cpuinfo: Self.sandyBridge, required: CPUSupport.x86_64_v3)
                == ["avx2", "fma", "bmi1", "bmi2", "abm", "movbe", "f16c"])
    }

    @Test func withoutAFlagsLineNothingIsRefused() {
        #expect(CPUSupport.missingFeatures(cpuinfo: "processor : 0\n", required: CPUSupport.x86_64_v3) == nil)
    }
}
