import Foundation

/// Refuses to start on a CPU that lacks the instructions the engine was compiled for.
///
/// The `Tensor` module is built for x86-64-v3 (see Package.swift); on an older CPU its first vector loop would die
/// with SIGILL. This check runs first, from code compiled for baseline x86-64, and names the fix instead.
public enum CPUSupport {
    /// The x86-64-v3 features LLVM emits for `-target-cpu haswell` loops, as `/proc/cpuinfo` spells them.
    public static let x86_64_v3 = ["avx", "avx2", "fma", "bmi1", "bmi2", "abm", "movbe", "f16c", "popcnt"]

    /// The features of `required` missing from the first `flags` line of a `/proc/cpuinfo` text; nil when the text
    /// has no flags line (not Linux, or an unusual kernel), in which case nothing is known and nothing is refused.
    public static func missingFeatures(cpuinfo: String, required: [String]) -> [String]? {
        guard let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return nil }
        let present = Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        return required.filter { !present.contains($0) }
    }

    /// Exits with status 1 and one line on stderr when this CPU lacks any of `required`.
    public static func exitUnlessSupported(required: [String]) {
        guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let missing = missingFeatures(cpuinfo: cpuinfo, required: required), !missing.isEmpty else { return }
        FileHandle.standardError.write(Data((
            "maxim-video: error: this build needs an x86-64-v3 CPU (AVX2, FMA); this one lacks "
            + "\(missing.joined(separator: ", ")); rebuild with `rm -rf .build && MAXIM_PORTABLE=1 swift build -c release`\n"
        ).utf8))
        exit(1)
    }
}
