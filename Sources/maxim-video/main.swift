import Foundation
import MediaIO
import MaximVideoCLI
import Tensor

#if MAXIM_X86_64_V3
// Before any engine code: the Tensor module is compiled for x86-64-v3 (see Package.swift).
CPUSupport.exitUnlessSupported(required: CPUSupport.x86_64_v3)
#endif

// Must run before anything touches BLAS: may re-exec this binary with OPENBLAS_CORETYPE set so
// OpenBLAS loads its AVX-512 kernel (see BLASRuntime).
BLASRuntime.reexecWithFastKernelIfNeeded()
BLASRuntime.configure(threads: ProcessInfo.processInfo.activeProcessorCount)

// Before any encoder allocates: libx264 output must not depend on leftover heap contents (see ReproducibleHeap).
ReproducibleHeap.enable()

// A reader that goes away (`maxim-video … -o - | head -c 1000`) becomes a "Broken pipe" error and exit status 1,
// not a silent death by signal.
signal(SIGPIPE, SIG_IGN)

MaximVideo.main()
