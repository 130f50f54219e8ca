import CFFmpeg

/// Converts planar float RGB frames to the encoder's pixel format, encodes them and muxes them together with copied
/// (passthrough) streams and, optionally, an audio track encoded from samples.
///
/// Pts are written exactly as given, in ``VideoFormat/timeBase``. ``finish()`` fails when the encoder did not emit
/// one packet per frame, so an output never silently has a different frame count.
///
/// # Thread safety
/// Not thread-safe. `@unchecked Sendable` so it can be created on one thread (to fail fast) and handed to the encoder
/// thread, which is from then on its only user.
public final class VideoWriter: @unchecked Sendable {
    /// The output as the user named it (errors name this, not the temporary file).
    public let file: String
    /// The pixel format the encoder receives, e.g. "yuv420p10le".
    public let outputPixelFormat: String
    /// Frames given to the encoder so far.
    public private(set) var framesWritten = 0

    private let muxer: Muxer
    private let encoder: VideoEncoder
    private let converter: FrameConverter
    private let videoStream: Int32
    private var passthroughMap: [Int32: (stream: Int32, timeBase: AVRational)] = [:]
    private let audio: AudioEncoder?
    private let audioStream: Int32
    private let packet: Packet
    private var videoPackets = 0
    private var finished = false

    /// - Parameters:
    ///   - path: where bytes go (a temporary name from ``AtomicOutput``, or the final path).
    ///   - displayName: the name the user gave; picks the container and appears in errors. Defaults to `path`.
    public init(
        path: String, displayName: String? = nil, video: VideoFormat, encoder settings: EncoderSettings,
        passthrough: [PassthroughStream] = [], audio audioSettings: AudioTrackSettings? = nil
    ) throws(MediaError) {
        let file = displayName ?? path
        self.file = file
        muxer = try Muxer(path: path, formatName: file, file: file)
        encoder = try VideoEncoder(settings: settings, video: video, globalHeader: muxer.wantsGlobalHeader, file: file)
        videoStream = try muxer.addVideoStream(encoder: encoder, video: video).pointee.index
        try muxer.requireRoom(forFrames: video.estimatedFrameCount)
        outputPixelFormat = pixelFormatName(encoder.pixelFormat)
        converter = try FrameConverter(
            width: video.width, height: video.height, pixelFormat: encoder.pixelFormat, colors: encoder.colors,
            direction: .fromRGB, file: file)
        packet = try Packet(file: file)


        for source in passthrough {
            let parameters = source.parameters.pointer.pointee
            guard try muxer.takesCopiedStream(
                index: source.inputIndex, type: parameters.codec_type, codec: parameters.codec_id)
            else { continue }
            let out = try muxer.addCopiedStream(
                index: source.inputIndex, parameters: source.parameters.pointer, timeBase: source.timeBase.av,
                tags: source.tags, disposition: source.disposition)
            passthroughMap[source.inputIndex] = (out.pointee.index, source.timeBase.av)
        }

        if let audioSettings {
            guard !muxer.holdsVideoOnly else {
                throw MediaError(
                    file: file, operation: "add an audio track", reason: "an image sequence holds pictures only",
                    hint: "write the audio to a video container such as .mkv or .mp4")
            }
            let encoder = try AudioEncoder(settings: audioSettings, globalHeader: muxer.wantsGlobalHeader, file: file)
            let out = try muxer.addStream()
            try libavRequire(
                avcodec_parameters_from_context(out.pointee.codecpar, encoder.context), "set up the audio stream",
                file: file)
            out.pointee.time_base = encoder.context.pointee.time_base
            audio = encoder
            audioStream = out.pointee.index
        } else {
            audio = nil
            audioStream = -1
        }
        try muxer.start(copying: video)
    }

    /// Encodes one frame with the given decoder timestamps; `alpha` is kept where the output format has an alpha
    /// channel, `sideData` (captions, an ICC profile) where the encoder writes it.
    public func write(
        _ image: RGBImage, alpha: AlphaPlane? = nil, sideData: FrameSideData? = nil, timing: FrameTiming
    ) throws(MediaError) {
        precondition(!finished, "VideoWriter.write after finish")
        let frame = try converter.fromRGB(image, alpha: alpha)
        encoder.stamp(frame, with: timing)
        _ = try encoder.send(frame, carrying: sideData)
        framesWritten += 1
        try drainVideo()
    }

    /// Copies one packet of a passthrough stream (dropped when its stream was not given to `init`).
    public func write(_ passthrough: PassthroughPacket) throws(MediaError) {
        guard let (stream, timeBase) = passthroughMap[passthrough.inputIndex] else { return }
        let p = passthrough.packet.pointer
        av_packet_rescale_ts(p, timeBase, muxer.stream(stream).pointee.time_base)
        p.pointee.stream_index = stream
        p.pointee.pos = -1
        try muxer.write(passthrough.packet)
    }

    /// Encodes interleaved float samples in [-1, 1] into the audio track given to `init`.
    public func writeAudio(_ interleaved: [Float]) throws(MediaError) {
        guard let audio else { preconditionFailure("writeAudio on a VideoWriter without an audio track") }
        try audio.encode(interleaved, write: writeAudioPacket)
    }

    /// Drains the encoders, writes the trailer and closes the file; throws if the frame count does not match.
    public func finish() throws(MediaError) {
        guard !finished else { return }
        finished = true
        _ = try encoder.send(nil)
        try drainVideo()
        try audio?.finish(write: writeAudioPacket)
        try muxer.finish()
        guard videoPackets == framesWritten else {
            throw MediaError(
                file: file, operation: "finish the video",
                reason: "the encoder produced \(videoPackets) packets for \(framesWritten) frames")
        }
    }

    private func writeAudioPacket(_ packet: Packet) throws(MediaError) {
        guard let audio else { return }
        av_packet_rescale_ts(packet.pointer, audio.context.pointee.time_base, muxer.stream(audioStream).pointee.time_base)
        packet.pointer.pointee.stream_index = audioStream
        try muxer.write(packet)
    }

    private func drainVideo() throws(MediaError) {
        while true {
            switch try encoder.receive(into: packet) {
            case .done:
                av_packet_rescale_ts(
                    packet.pointer, encoder.context.pointee.time_base, muxer.stream(videoStream).pointee.time_base)
                packet.pointer.pointee.stream_index = videoStream
                videoPackets += 1
                try muxer.write(packet)
            case .tryAgain, .endOfStream:
                return
            }
        }
    }
}
