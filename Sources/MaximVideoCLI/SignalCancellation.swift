import Dispatch
import Foundation
import RestorationPipeline

/// Turns SIGINT and SIGTERM into a ``CancellationToken`` cancellation, so the pipeline stops at a frame boundary and
/// deletes its partial output. A second signal exits at once with status 130.
///
/// Signals are received through `DispatchSource` on a global queue (not an async-signal context), so the handler may
/// lock and print. Keep the value alive for as long as signals should be handled.
final class SignalCancellation {
    private let sources: [any DispatchSourceSignal]

    init(_ token: CancellationToken) {
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if token.isCancelled { _exit(130) }
                printError("maxim-video: stopping after the current frame (signal again to abort now)")
                token.cancel()
            }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
