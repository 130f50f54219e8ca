import MediaIO
import Tensor

// The one place where frames (planar RGB) and network tensors (NHWC) meet.

extension Tensor {
    /// An NHWC tensor `[1, H, W, 3]` holding `image`.
    public init(planar image: RGBImage) {
        let plane = image.width * image.height
        self.init(shape: [1, image.height, image.width, 3]) { dst in
            image.pixels.withUnsafeBufferPointer { src in
                // Pixel by pixel, without the per-element division and remainder of a flat-index generator
                // (0.6 % of a 720p frame's samples).
                for p in 0..<plane {
                    dst[3 * p] = src[p]
                    dst[3 * p + 1] = src[plane + p]
                    dst[3 * p + 2] = src[2 * plane + p]
                }
            }
        }
    }
}

extension RGBImage {
    /// The planar image held by an NHWC tensor `[1, H, W, 3]`.
    public init(nhwc tensor: Tensor) {
        let (n, h, w, c) = tensor.nhwc
        precondition(n == 1 && c == 3, "expected an NHWC tensor [1, H, W, 3], got \(tensor.shape)")
        let plane = h * w
        let pixels = [Float](unsafeUninitializedCapacity: 3 * plane) { dst, count in
            tensor.withUnsafeBufferPointer { src in
                for p in 0..<plane {
                    dst[p] = src[3 * p]
                    dst[plane + p] = src[3 * p + 1]
                    dst[2 * plane + p] = src[3 * p + 2]
                }
            }
            count = 3 * plane
        }
        self.init(width: w, height: h, pixels: pixels)
    }
}
