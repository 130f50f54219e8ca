/// A 3×5 pixel font for the chart's tick labels: digits and the few signs numbers need; nothing else is drawn, so no
/// font engine is needed.
enum DigitGlyphs {
    static let width = 3
    static let height = 5
    /// Glyph width plus one column of spacing.
    static let advance = 4

    /// Rows top to bottom, the leftmost pixel in the highest of the three bits; nil for characters the font lacks.
    static func rows(_ ch: Character) -> [UInt8]? {
        switch ch {
        case "0": [0b111, 0b101, 0b101, 0b101, 0b111]
        case "1": [0b010, 0b110, 0b010, 0b010, 0b111]
        case "2": [0b111, 0b001, 0b111, 0b100, 0b111]
        case "3": [0b111, 0b001, 0b111, 0b001, 0b111]
        case "4": [0b101, 0b101, 0b111, 0b001, 0b001]
        case "5": [0b111, 0b100, 0b111, 0b001, 0b111]
        case "6": [0b111, 0b100, 0b111, 0b101, 0b111]
        case "7": [0b111, 0b001, 0b010, 0b010, 0b010]
        case "8": [0b111, 0b101, 0b111, 0b101, 0b111]
        case "9": [0b111, 0b101, 0b111, 0b001, 0b111]
        case ".": [0b000, 0b000, 0b000, 0b000, 0b010]
        case "-": [0b000, 0b000, 0b111, 0b000, 0b000]
        case "+": [0b000, 0b010, 0b111, 0b010, 0b000]
        default: nil
        }
    }
}
