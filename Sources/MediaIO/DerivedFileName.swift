/// The most bytes a file name may have (Linux file systems: ext4, XFS, Btrfs, tmpfs).
public let maximumFileNameBytes = 255

/// A name this tool derives from a user's file name — `.NAME.maxim-partial`, `.NAME.maxim-state`,
/// `NAME.job.json`, `NAME.error.txt` — kept within ``maximumFileNameBytes``: where `prefix + name + suffix` would
/// not fit, the name is cut at a character boundary and the first 8 hex digits of its SHA-256 keep it unique.
///
/// A title of 85 Japanese characters is already 255 bytes: the batch runner could not write such an input's job
/// record, stopped the whole run, and did so again on every cron run, so nothing behind it was restored.
public func derivedFileName(_ name: String, prefix: String = "", suffix: String = "") -> String {
    let fixed = prefix.utf8.count + suffix.utf8.count
    guard fixed + name.utf8.count > maximumFileNameBytes else { return prefix + name + suffix }
    let tag = "~" + SHA256.hex(name.utf8).prefix(8)
    let room = maximumFileNameBytes - fixed - tag.utf8.count
    var cut = ""
    for character in name {
        guard cut.utf8.count + character.utf8.count <= room else { break }
        cut.append(character)
    }
    return prefix + cut + tag + suffix
}
