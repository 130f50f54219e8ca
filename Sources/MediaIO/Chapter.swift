import CFFmpeg

/// A chapter mark of the input (Matroska and MP4 chapters: recorders' and editors' scene lists), copied to the
/// output as FFmpeg's tool copies them. Timestamps pass through restoration unchanged, so the marks stay valid.
public struct Chapter: Sendable, Equatable {
    public var id: Int64
    public var timeBase: Rational
    public var start: Int64
    public var end: Int64
    /// Its tags, e.g. `title`.
    public var tags: [String: String]

    /// The chapters of an open input.
    static func read(from context: UnsafeMutablePointer<AVFormatContext>) -> [Chapter] {
        (0..<Int(context.pointee.nb_chapters)).compactMap { i in
            context.pointee.chapters[i].map { c in
                Chapter(
                    id: c.pointee.id, timeBase: Rational(c.pointee.time_base), start: c.pointee.start,
                    end: c.pointee.end, tags: dictionaryEntries(c.pointee.metadata))
            }
        }
    }

    /// Adds `chapters` to an output before its header is written; `avformat_free_context` frees them.
    static func add(_ chapters: [Chapter], to context: UnsafeMutablePointer<AVFormatContext>) {
        for chapter in chapters {
            guard let memory = av_mallocz(MemoryLayout<AVChapter>.size) else { return }
            let c = memory.assumingMemoryBound(to: AVChapter.self)
            c.pointee.id = chapter.id
            c.pointee.time_base = chapter.timeBase.av
            c.pointee.start = chapter.start
            c.pointee.end = chapter.end
            for (key, value) in chapter.tags.sorted(by: { $0.key < $1.key }) { av_dict_set(&c.pointee.metadata, key, value, 0) }
            withUnsafeMutablePointer(to: &context.pointee.chapters) { table in
                withUnsafeMutablePointer(to: &context.pointee.nb_chapters) { count in
                    count.withMemoryRebound(to: Int32.self, capacity: 1) { av_dynarray_add(table, $0, c) }
                }
            }
        }
    }
}
