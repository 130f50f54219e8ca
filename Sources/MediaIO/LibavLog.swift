import CFFmpeg

/// How much libav itself prints to stderr. The product reports failures as one line of its own, so libav's
/// messages are hidden unless asked for.
public enum LibavLog {
    /// `verbose`: libav warnings and info (encoder settings, stream details); otherwise only fatal messages.
    public static func configure(verbose: Bool) {
        av_log_set_level(verbose ? AV_LOG_INFO : AV_LOG_FATAL)
    }
}
