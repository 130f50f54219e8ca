extension Tensor {
    /// einops `n (gh fh) (gw fw) c -> n (gh gw) (fh fw) c`: patch index `gy·gw + gx` on axis 1,
    /// in-patch index `py·fw + px` on axis 2.
    public func blocked(patchHeight fh: Int, patchWidth fw: Int) -> Tensor {
        let (n, h, w, c) = nhwc
        precondition(h % fh == 0 && w % fw == 0, "Image \(h)×\(w) is not divisible into \(fh)×\(fw) patches")
        let (gh, gw) = (h / fh, w / fw)
        return OpProfiler.measure(.layout, #function) {
            let out = Tensor(uninitializedShape: [n, gh * gw, fh * fw, c])
            for b in 0..<n {
                for y in 0..<h {
                    for x in 0..<w {
                        let g = (y / fh) * gw + x / fw
                        let p = (y % fh) * fw + x % fw
                        (out.pointer + ((b * gh * gw + g) * fh * fw + p) * c)
                            .update(from: pointer + ((b * h + y) * w + x) * c, count: c)
                    }
                }
            }
            return out
        }
    }

    /// Inverse of `blocked`: `n (gh gw) (fh fw) c -> n (gh fh) (gw fw) c`.
    public func unblocked(gridHeight gh: Int, gridWidth gw: Int, patchHeight fh: Int, patchWidth fw: Int) -> Tensor {
        precondition(rank == 4 && shape[1] == gh * gw && shape[2] == fh * fw,
                     "Blocked tensor \(shape) does not match grid \(gh)×\(gw) of \(fh)×\(fw) patches")
        let (n, c) = (shape[0], shape[3])
        let (h, w) = (gh * fh, gw * fw)
        return OpProfiler.measure(.layout, #function) {
            let out = Tensor(uninitializedShape: [n, h, w, c])
            for b in 0..<n {
                for y in 0..<h {
                    for x in 0..<w {
                        let g = (y / fh) * gw + x / fw
                        let p = (y % fh) * fw + x % fw
                        (out.pointer + ((b * h + y) * w + x) * c)
                            .update(from: pointer + ((b * gh * gw + g) * fh * fw + p) * c, count: c)
                    }
                }
            }
            return out
        }
    }

    /// Channels `range` of every row, as a new tensor.
    public func channelSlice(_ range: Range<Int>) -> Tensor {
        let c = channels
        precondition(range.lowerBound >= 0 && range.upperBound <= c, "Channel range \(range) outside 0..<\(c)")
        return OpProfiler.measure(.layout, #function) {
            let out = Tensor(uninitializedShape: Array(shape.dropLast()) + [range.count])
            let k = range.count
            let src = pointer, dst = out.pointer
            ComputeThreads.forEachRange(total: rows, grain: rowGrain(width: c)) { r in
                for i in r { (dst + i * k).update(from: src + i * c + range.lowerBound, count: k) }
            }
            return out
        }
    }

    /// First and second half of the channels (`jnp.split(x, 2, axis=-1)`).
    public func splitChannelsInHalf() -> (Tensor, Tensor) {
        precondition(channels % 2 == 0, "Cannot split \(channels) channels in half")
        return (channelSlice(0..<channels / 2), channelSlice(channels / 2..<channels))
    }

    /// Concatenation along the last axis.
    public static func concatenateChannels(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty, "Nothing to concatenate")
        let leading = Array(parts[0].shape.dropLast())
        for p in parts {
            precondition(Array(p.shape.dropLast()) == leading, "Cannot concatenate shapes \(parts.map(\.shape))")
        }
        let total = parts.reduce(0) { $0 + $1.channels }
        return OpProfiler.measure(.layout, #function) {
            let out = Tensor(uninitializedShape: leading + [total])
            let rows = parts[0].rows
            var offset = 0
            for p in parts {
                let k = p.channels
                for i in 0..<rows { (out.pointer + i * total + offset).update(from: p.pointer + i * k, count: k) }
                offset += k
            }
            return out
        }
    }

    /// Rows `top..<top+height`, columns `left..<left+width` of an NHWC tensor.
    public func cropped(top: Int, left: Int, height: Int, width: Int) -> Tensor {
        let (n, h, w, c) = nhwc
        precondition(top >= 0 && left >= 0 && top + height <= h && left + width <= w,
                     "Crop \(height)×\(width) at (\(top), \(left)) outside \(h)×\(w)")
        if top == 0, left == 0, height == h, width == w { return self }
        return OpProfiler.measure(.layout, #function) {
            let out = Tensor(uninitializedShape: [n, height, width, c])
            for b in 0..<n {
                for y in 0..<height {
                    (out.pointer + (b * height + y) * width * c)
                        .update(from: pointer + ((b * h + top + y) * w + left) * c, count: width * c)
                }
            }
            return out
        }
    }

    /// Gathers rows and columns by index lists (padding by an arbitrary index map).
    public func gathered(rows rowIndex: [Int], columns colIndex: [Int]) -> Tensor {
        let (n, h, w, c) = nhwc
        precondition(rowIndex.allSatisfy { $0 >= 0 && $0 < h } && colIndex.allSatisfy { $0 >= 0 && $0 < w },
                     "Gather index out of range for \(h)×\(w)")
        return OpProfiler.measure(.layout, #function) {
            let (oh, ow) = (rowIndex.count, colIndex.count)
            let out = Tensor(uninitializedShape: [n, oh, ow, c])
            for b in 0..<n {
                for y in 0..<oh {
                    for x in 0..<ow {
                        (out.pointer + ((b * oh + y) * ow + x) * c)
                            .update(from: pointer + ((b * h + rowIndex[y]) * w + colIndex[x]) * c, count: c)
                    }
                }
            }
            return out
        }
    }
}

/// numpy `mode='reflect'` index map (mirror without repeating the edge), for any pad width.
public func reflectIndex(_ i: Int, size n: Int) -> Int {
    precondition(n >= 1, "Cannot reflect into an empty axis")
    if n == 1 { return 0 }
    let period = 2 * (n - 1)
    var k = i % period
    if k < 0 { k += period }
    return k < n ? k : period - k
}
