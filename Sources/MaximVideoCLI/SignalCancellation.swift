import Foundation
import RestorationPipeline

/// Turns SIGINT and SIGTERM into a ``CancellationToken`` cancellation, so the pipeline stops at the next frame
/// boundary and deletes its partial output. A second signal exits at once with status 130.
///
/// The token reads the signal handler's atomic count directly (see ``StopSignals``), so frame loops see a stop
/// request as soon as the handler has run; the watcher thread then cancels the token to wake blocked threads.
/// Keep the value alive for as long as signals should be handled.
final class SignalCancellation {
    let token: CancellationToken
    private let signals: StopSignals

    init() {
        let token = CancellationToken(alsoCancelledWhen: { StopSignals.requested })
        self.token = token
        signals = StopSignals {
            printError("maxim-video: stopping after the current frame (signal again to abort now)")
            token.cancel()
        }
    }
}
