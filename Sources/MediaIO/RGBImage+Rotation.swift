extension RGBImage {
    /// The picture turned clockwise by `quarterTurns` × 90° (0–3): how a display matrix asks for it to be shown.
    public func rotatedClockwise(quarterTurns: Int) -> RGBImage {
        let turns = ((quarterTurns % 4) + 4) % 4
        guard turns != 0 else { return self }
        let (w, h) = (width, height)
        let (outW, outH) = turns == 2 ? (w, h) : (h, w)
        var out = [Float](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for c in 0..<3 {
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
        return RGBImage(width: outW, height: outH, pixels: out)
    }
}
