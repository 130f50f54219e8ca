import Foundation
import Yams

/// A declarative restoration pipeline, as written in a `pipelines/*.yaml` file.
///
/// ```yaml
/// name: deblur-then-denoise
/// stages:
///   - model: deblur          # built-in model name, or a path to a .npz checkpoint
///     tile: 256
///     overlap: 32
///   - model: checkpoints/maxim_s3_denoise_sidd.npz
/// output:
///   codec: libx264
///   crf: 16
///   preset: medium
///   pix_fmt: auto            # same bit depth and chroma as the input
/// queue_capacity: 4
/// threads: 2
/// ```
///
/// Unknown fields are errors rather than being ignored: a misspelt `overlapp:` silently falling back to the
/// default is exactly the kind of mistake a cron job would carry for months.
public struct PipelineFile: Codable, Equatable, Sendable {
    public var name: String
    public var stages: [StageSpec]
    public var output: OutputSpec
    /// Frames allowed in each bounded queue between pipeline steps; nil lets the job choose (2, or 1 for frames so
    /// large that the frames in flight would pass its memory budget).
    public var queueCapacity: Int?
    /// Total CPU threads the pipeline may use; `nil` means all cores.
    public var threads: Int?

    public init(
        name: String, stages: [StageSpec], output: OutputSpec = OutputSpec(), queueCapacity: Int? = nil,
        threads: Int? = nil
    ) {
        self.name = name
        self.stages = stages
        self.output = output
        self.queueCapacity = queueCapacity
        self.threads = threads
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, stages, output
        case queueCapacity = "queue_capacity"
        case threads
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        stages = try c.decode([StageSpec].self, forKey: .stages)
        output = try c.decodeIfPresent(OutputSpec.self, forKey: .output) ?? OutputSpec()
        queueCapacity = try c.decodeIfPresent(Int.self, forKey: .queueCapacity)
        threads = try c.decodeIfPresent(Int.self, forKey: .threads)
    }
}

/// One restoration stage: a MAXIM model run tile by tile.
public struct StageSpec: Codable, Equatable, Sendable {
    public static let defaultTile = 256
    public static let defaultOverlap = 32

    public var model: ModelReference
    /// Tile edge in pixels; a multiple of 64 because MAXIM's grid/block mixing needs it.
    public var tile: Int
    /// Pixels shared with each neighbouring tile, per side.
    public var overlap: Int
    /// Whether tiles stay `tile × tile` or stretch (up to twice) to cover each frame with fewer pixels.
    public var tileShape: TileShape
    /// The number format of the model's matrix products: `fp32` (the default), or `bf16` (meant for CPUs with AMX).
    public var precision: StagePrecision

    public init(model: ModelReference, tile: Int = StageSpec.defaultTile, overlap: Int = StageSpec.defaultOverlap,
                tileShape: TileShape = .fitted, precision: StagePrecision = .fp32) {
        self.model = model
        self.tile = tile
        self.overlap = overlap
        self.tileShape = tileShape
        self.precision = precision
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case model, tile, overlap
        case tileShape = "tile_shape"
        case precision
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = ModelReference(try c.decode(String.self, forKey: .model))
        tile = try c.decodeIfPresent(Int.self, forKey: .tile) ?? Self.defaultTile
        overlap = try c.decodeIfPresent(Int.self, forKey: .overlap) ?? Self.defaultOverlap
        tileShape = try c.decodeChoice(TileShape.self, forKey: .tileShape, default: .fitted)
        precision = try c.decodeChoice(StagePrecision.self, forKey: .precision, default: .fp32)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model.description, forKey: .model)
        try c.encode(tile, forKey: .tile)
        try c.encode(overlap, forKey: .overlap)
        try c.encode(tileShape, forKey: .tileShape)
        try c.encode(precision, forKey: .precision)
    }
}

/// A stage's matrix-product precision (the engine's `ProductPrecision`; named here so a pipeline file is checked
/// without loading the engine). `bf16` rounds the operands of oneDNN's products to bfloat16 and accumulates in fp32:
/// meant for CPUs with AMX, slower than fp32 without it.
public enum StagePrecision: String, Codable, CaseIterable, Sendable {
    case fp32
    case bf16
}

/// A stage's tile shape per frame.
///
/// `fitted` picks each axis's tile lengths in the model's size multiple (`TileSizing.fitted`): tiles of `tile` or
/// one multiple more where those cover the axis, else one length up to `2·tile` that covers it with the fewest
/// pixels. With the shipped models a 1280×720 frame takes 15 tiles of 288 (or 320) and 256 by 256 instead of 18 of
/// 256² (−12.5 % work), 640×360 2 of 352×384 or 3 of 256×384 instead of 6. `square` keeps every tile `tile × tile`.
public enum TileShape: String, Codable, CaseIterable, Sendable {
    case fitted
    case square
}

/// Which checkpoint a stage runs: one of the models shipped with the tool, or a `.npz` file.
public enum ModelReference: Equatable, Sendable, CustomStringConvertible {
    case builtin(String)
    case file(String)

    /// Names resolved to the checkpoints shipped in `models/`.
    public static let builtinNames = ["deblur", "denoise"]

    public init(_ text: String) {
        self = Self.builtinNames.contains(text) ? .builtin(text) : .file(text)
    }

    public var description: String {
        switch self {
        case .builtin(let name): name
        case .file(let path): path
        }
    }
}

/// How the restored video is encoded. Unset values are chosen for the output: the encoder follows the output
/// (libx264 for video files, PNG for `%04d.png` sequences), CRF 16 and preset medium where the encoder has them.
/// Set values are preferences too: a codec the output's container cannot hold gives way to the output's own, and
/// CRF and preset apply only where the encoder has them (one file serves videos and photos).
public struct OutputSpec: Codable, Equatable, Sendable {
    public var codec: String?
    public var crf: Int?
    public var preset: String?
    /// A pixel format name, or `auto` to keep the input's bit depth and chroma where the encoder allows.
    public var pixFmt: String
    /// Copy the input's audio, subtitle and data streams.
    public var copyAudio: Bool
    /// Copy its subtitles (with the other streams; false leaves them out, e.g. SubRip into MP4).
    public var copySubtitles: Bool

    public init(
        codec: String? = nil, crf: Int? = nil, preset: String? = nil, pixFmt: String = "auto", copyAudio: Bool = true,
        copySubtitles: Bool = true
    ) {
        self.codec = codec
        self.crf = crf
        self.preset = preset
        self.pixFmt = pixFmt
        self.copyAudio = copyAudio
        self.copySubtitles = copySubtitles
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case codec, crf, preset
        case pixFmt = "pix_fmt"
        case copyAudio = "audio"
        case copySubtitles = "subtitles"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases)
        let defaults = OutputSpec()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        codec = try c.decodeIfPresent(String.self, forKey: .codec)
        crf = try c.decodeIfPresent(Int.self, forKey: .crf)
        preset = try c.decodeIfPresent(String.self, forKey: .preset)
        pixFmt = try c.decodeIfPresent(String.self, forKey: .pixFmt) ?? defaults.pixFmt
        copyAudio = try c.decodeIfPresent(Bool.self, forKey: .copyAudio) ?? defaults.copyAudio
        copySubtitles = try c.decodeIfPresent(Bool.self, forKey: .copySubtitles) ?? defaults.copySubtitles
    }
}
