import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Whether `file` can only be read once, in order: `-` (standard input), or a path that names a pipe, socket or
/// character device (`maxim-video denoise <(curl …) -o out.mkv`, a named FIFO). Such an input is opened exactly
/// once — no probe ahead of the job, no second reader for its first frame's metadata or for the audio at the join,
/// so no segments and no resume — and its size says nothing (a pipe's is 0).
public func isStreamInput(_ file: String) -> Bool {
    if file == "-" { return true }
    var st = stat()
    guard stat(file, &st) == 0 else { return false }
    let type = st.st_mode & S_IFMT
    return type == S_IFIFO || type == S_IFSOCK || type == S_IFCHR
}
