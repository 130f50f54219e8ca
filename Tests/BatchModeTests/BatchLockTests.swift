import Foundation
import Testing

@testable import BatchMode

func scratchDirectory(_ label: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

@Suite struct BatchLockTests {
    @Test func secondHolderIsRefusedWhileTheFirstHoldsTheLock() throws {
        let path = try scratchDirectory("lock").appendingPathComponent("batch.lock").path
        let first = try BatchLock(path: path, mode: .failIfHeld)
        #expect(throws: BatchLock.AlreadyHeld.self) { _ = try BatchLock(path: path, mode: .failIfHeld) }
        withExtendedLifetime(first) {}
    }

    @Test func lockIsFreeAgainOnceReleased() throws {
        let path = try scratchDirectory("lock").appendingPathComponent("batch.lock").path
        do { _ = try BatchLock(path: path, mode: .failIfHeld) }
        let again = try BatchLock(path: path, mode: .failIfHeld)
        withExtendedLifetime(again) {}
    }

    @Test func waitingHolderGetsTheLockWhenTheFirstReleasesIt() async throws {
        let path = try scratchDirectory("lock").appendingPathComponent("batch.lock").path
        nonisolated(unsafe) var first: BatchLock? = try BatchLock(path: path, mode: .failIfHeld)
        let released = Date().addingTimeInterval(0.3)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { first = nil }
        let second = try BatchLock(path: path, mode: .wait)
        #expect(Date() >= released.addingTimeInterval(-0.05))
        withExtendedLifetime(second) {}
        _ = first
    }

    @Test func unwritableLockDirectoryIsAnIOError() {
        #expect(throws: BatchError.self) { _ = try BatchLock(path: "/proc/no-such-dir/batch.lock", mode: .wait) }
    }
}
