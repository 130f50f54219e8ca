#if canImport(Glibc)
import Glibc
#endif

/// Which library multiplies the engine's matrices.
///
/// oneDNN's JIT kernels win on thin products (K or N ≤ 128: most of a small model, the 3×3 convolutions' im2col
/// products of every model) and OpenBLAS on wide ones; both compute fp32 products with fp32 accumulation, so the
/// paths agree to float rounding (tested). Convolutions wider than 1×1 run as oneDNN direct convolutions (no im2col
/// copy). `MAXIM_GEMM=openblas` keeps everything on OpenBLAS and im2col.
public enum MatrixBackend: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// OpenBLAS for every product: the portable path.
    case openBLAS
    /// oneDNN for thin products and spatial convolutions, OpenBLAS for the rest (the default where oneDNN starts).
    case oneDNN

    /// Chosen once at start-up (`MAXIM_GEMM`, oneDNN's availability) and fixed for the process: a switch while
    /// other threads compute would mix the paths' float rounding within one result.
    public static let current: MatrixBackend = {
        if let requested = getenv("MAXIM_GEMM").map({ String(cString: $0).lowercased() }), requested == "openblas" {
            return .openBLAS
        }
        return OneDNN.shared == nil ? .openBLAS : .oneDNN
    }()

    /// Products this small are faster through OpenBLAS (oneDNN's per-call set-up costs a few microseconds).
    static let smallestOneDNNProduct = 1 << 19
    /// Wider than this in both K and N, OpenBLAS measured as fast or faster.
    static let widestThinSide = 128

    /// Whether `backend` sends an `m×k · k×n` product to oneDNN.
    static func routesToOneDNN(m: Int, n: Int, k: Int, backend: MatrixBackend = current) -> Bool {
        backend == .oneDNN && k > 0 && m * n * k > smallestOneDNNProduct && min(n, k) <= widestThinSide
    }

    public var description: String {
        switch self {
        case .openBLAS: "OpenBLAS for every matrix product"
        case .oneDNN:
            "oneDNN for thin matrix products (K or N ≤ \(Self.widestThinSide)) and spatial convolutions, OpenBLAS for wide products"
        }
    }
}
