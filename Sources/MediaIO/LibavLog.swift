import CFFmpeg
import Foundation

/// How much libav itself prints to stderr. The product reports failures as one line of its own, so libav's
/// messages are hidden unless asked for.
public enum LibavLog {
    /// `verbose`: libav warnings and info (encoder settings, stream details); otherwise only fatal messages.
    /// Encoders that log on their own are quietened the same way: SVT-AV1 through `SVT_LOG` (errors only, unless
    /// already set), x265 through its `log-level` (``VideoEncoder``); their version banners filled the job logs.
    public static func configure(verbose: Bool) {
        av_log_set_level(verbose ? AV_LOG_INFO : AV_LOG_FATAL)
        if !verbose { setenv("SVT_LOG", "1", 0) }
    }

    /// Whether libav's info messages are shown (``configure(verbose:)`` with `verbose`).
    static var isVerbose: Bool { av_log_get_level() >= AV_LOG_INFO }
}
