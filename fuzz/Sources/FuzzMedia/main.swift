import FuzzDriver
import FuzzTargets

/// The entry point libFuzzer calls with each input (it must exist under this name when linking libFuzzer).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    FuzzTargets.media(fuzzData(start, count))
    return 0
}

runLibFuzzer(fuzzOneInput)
