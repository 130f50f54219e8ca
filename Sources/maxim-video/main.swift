import Foundation
import MaximVideoCLI
import Tensor

// Must run before anything touches BLAS: may re-exec this binary with OPENBLAS_CORETYPE set so
// OpenBLAS loads its AVX-512 kernel (see BLASRuntime).
BLASRuntime.reexecWithFastKernelIfNeeded()
BLASRuntime.configure(threads: ProcessInfo.processInfo.activeProcessorCount)

MaximVideo.main()
