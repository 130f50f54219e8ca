/// Everything that shapes a MAXIM network. Inferred from a checkpoint's keys and shapes by
/// `CheckpointLoader`, so official checkpoints need no config file.
public struct MaximConfiguration: Equatable, Sendable, CustomStringConvertible {
    /// Channels at full resolution; level `i` has `2^i · features`.
    public var features: Int
    /// Number of encoder/decoder levels.
    public var depth: Int
    public var numStages: Int
    public var numGroups: Int
    public var numBottleneckBlocks: Int
    /// Output scales per stage (full, /2, /4, …), at most `depth`.
    public var numSupervisionScales: Int
    public var useBias: Bool
    public var useGlobalMLP: Bool
    /// Squeeze-excitation reduction of the channel attention layers.
    public var channelsReduction: Int
    /// Block size `(fh, fw)` and grid size `(gh, gw)` per level (index = level).
    public var blockSizes: [Size]
    public var gridSizes: [Size]
    public var bottleneckBlockSize: Size
    public var bottleneckGridSize: Size

    public struct Size: Equatable, Sendable, CustomStringConvertible {
        public var height: Int
        public var width: Int
        public init(_ height: Int, _ width: Int) { self.height = height; self.width = width }
        public var description: String { "\(height)×\(width)" }
    }

    public init(
        features: Int, depth: Int = 3, numStages: Int, numGroups: Int, numBottleneckBlocks: Int,
        numSupervisionScales: Int = 3, useBias: Bool = true, useGlobalMLP: Bool = true, channelsReduction: Int = 4,
        blockSizes: [Size]? = nil, gridSizes: [Size]? = nil,
        bottleneckBlockSize: Size = Size(8, 8), bottleneckGridSize: Size = Size(8, 8)
    ) {
        self.features = features
        self.depth = depth
        self.numStages = numStages
        self.numGroups = numGroups
        self.numBottleneckBlocks = numBottleneckBlocks
        self.numSupervisionScales = numSupervisionScales
        self.useBias = useBias
        self.useGlobalMLP = useGlobalMLP
        self.channelsReduction = channelsReduction
        // Reference defaults: levels below high_res_stages = 2 use 16×16, others 8×8
        // (the low-res GRID size is block_size_lr, a quirk of the reference).
        let defaults = (0..<depth).map { $0 < 2 ? Size(16, 16) : Size(8, 8) }
        self.blockSizes = blockSizes ?? defaults
        self.gridSizes = gridSizes ?? defaults
        self.bottleneckBlockSize = bottleneckBlockSize
        self.bottleneckGridSize = bottleneckGridSize
    }

    /// An official variant: "S-1" … "S-3" (features 32) or "M-1" … "M-3" (features 64).
    public static func variant(_ name: String) -> MaximConfiguration? {
        let parts = name.uppercased().split(separator: "-")
        guard parts.count == 2, let stages = Int(parts[1]), (1...3).contains(stages) else { return nil }
        let features: Int
        switch parts[0] {
        case "S": features = 32
        case "M": features = 64
        default: return nil
        }
        return MaximConfiguration(features: features, numStages: stages, numGroups: 2, numBottleneckBlocks: 2)
    }

    public func channels(level: Int) -> Int { features << level }

    /// H and W must be multiples of this: every level's grid and blocks must tile it exactly.
    public var sizeMultiple: Int {
        var m = 1
        for level in 0..<depth {
            for s in [blockSizes[level], gridSizes[level]] {
                m = lcm(m, lcm(s.height, s.width) << level)
            }
        }
        for s in [bottleneckBlockSize, bottleneckGridSize] {
            m = lcm(m, lcm(s.height, s.width) << depth)
        }
        return m
    }

    public var description: String {
        """
        features \(features), depth \(depth), stages \(numStages), groups \(numGroups), \
        bottleneck blocks \(numBottleneckBlocks), supervision scales \(numSupervisionScales), \
        bias \(useBias), global MLP \(useGlobalMLP), channel reduction \(channelsReduction), \
        block sizes \(blockSizes), grid sizes \(gridSizes), bottleneck block \(bottleneckBlockSize) \
        grid \(bottleneckGridSize), input multiple \(sizeMultiple)
        """
    }
}

func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
func lcm(_ a: Int, _ b: Int) -> Int { a / gcd(a, b) * b }
