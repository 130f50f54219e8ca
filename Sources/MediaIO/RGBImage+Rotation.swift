extension RGBImage {
    /// The picture turned clockwise by `quarterTurns` × 90° (0–3): how a display matrix asks for it to be shown.
    public func rotatedClockwise(quarterTurns: Int) -> RGBImage {
        let (w, h, turned) = rotatePlanes(pixels, planes: 3, width: width, height: height, quarterTurns: quarterTurns)
        return RGBImage(width: w, height: h, pixels: turned)
    }
}

/// `planes` row-major `width`×`height` planes, each turned clockwise by `quarterTurns` × 90°; returns the turned size.
func rotatePlanes(_ pixels: [Float], planes: Int, width w: Int, height h: Int, quarterTurns: Int)
    -> (width: Int, height: Int, pixels: [Float])
{
    let turns = ((quarterTurns % 4) + 4) % 4
    guard turns != 0 else { return (w, h, pixels) }
    let outW = turns == 2 ? w : h
    var out = [Float](repeating: 0, count: pixels.count)
    pixels.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
            for c in 0..<planes {
                let s = c * w * h
                for y in 0..<h {
                    for x in 0..<w {
                        // Source (x, y) lands at (ox, oy) in the turned picture.
                        let (ox, oy): (Int, Int)
                        switch turns {
                        case 1: (ox, oy) = (h - 1 - y, x)
                        case 2: (ox, oy) = (w - 1 - x, h - 1 - y)
                        default: (ox, oy) = (y, w - 1 - x)
                        }
                        dst[s + oy * outW + ox] = src[s + y * w + x]
                    }
                }
            }
        }
    }
    return (outW, turns == 2 ? h : w, out)
}
