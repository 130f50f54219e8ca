import Foundation
import MaximTestSupport
import Testing

@testable import MediaIO

@Suite struct FileLockTests {
    @Test func secondHolderIsRefusedWhileTheFirstHoldsTheLock() throws {
        let dir = try TemporaryDirectory(), path = dir.path("batch.lock")
        let first = try FileLock(path: path, mode: .failIfHeld)
        #expect(throws: FileLock.AlreadyHeld.self) { _ = try FileLock(path: path, mode: .failIfHeld) }
        withExtendedLifetime((dir, first)) {}
    }

    @Test func lockIsFreeAgainOnceReleased() throws {
        let dir = try TemporaryDirectory(), path = dir.path("batch.lock")
        do { _ = try FileLock(path: path, mode: .failIfHeld) }
        let again = try FileLock(path: path, mode: .failIfHeld)
        withExtendedLifetime((dir, again)) {}
    }

    @Test func waitingHolderGetsTheLockWhenTheFirstReleasesIt() async throws {
        let dir = try TemporaryDirectory(), path = dir.path("batch.lock")
        nonisolated(unsafe) var first: FileLock? = try FileLock(path: path, mode: .failIfHeld)
        let released = Date().addingTimeInterval(0.3)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { first = nil }
        let second = try FileLock(path: path, mode: .wait)
        #expect(Date() >= released.addingTimeInterval(-0.05))
        withExtendedLifetime((dir, second)) {}
        _ = first
    }

    @Test func unwritableLockDirectoryIsAnIOError() {
        #expect(throws: MediaError.self) { _ = try FileLock(path: "/proc/no-such-dir/batch.lock", mode: .wait) }
    }
}
