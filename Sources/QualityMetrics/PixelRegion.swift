import Foundation

/// A rectangle of pixels, x/y of its top-left corner and its size; the preview crop.
public struct PixelRegion: Sendable, Equatable, CustomStringConvertible {
    public let x: Int
    public let y: Int
    public let width: Int
    public let height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// Parses `X,Y,W,H` (the `--preview-region` spelling); nil when it is not four integers with a positive size.
    public init?(parsing text: String) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, let x = parts[0], let y = parts[1], let w = parts[2], let h = parts[3],
              x >= 0, y >= 0, w > 0, h > 0 else { return nil }
        self.init(x: x, y: y, width: w, height: h)
    }

    /// The centred crop of at most `limit`×`limit` pixels: large enough to judge detail, small enough to view 1:1.
    public static func centred(inWidth width: Int, height: Int, limit: Int = 512) -> PixelRegion {
        let w = min(width, limit), h = min(height, limit)
        return PixelRegion(x: (width - w) / 2, y: (height - h) / 2, width: w, height: h)
    }

    public func fits(width frameWidth: Int, height frameHeight: Int) -> Bool {
        x >= 0 && y >= 0 && width > 0 && height > 0 && x + width <= frameWidth && y + height <= frameHeight
    }

    public var description: String { "\(x),\(y),\(width),\(height)" }
}
