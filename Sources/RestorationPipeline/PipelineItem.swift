import MediaIO

/// A frame travelling from decoder to encoder. Indices are consecutive from 0 (stages deliver in index order).
typealias PipelineItem = DecodedFrame
