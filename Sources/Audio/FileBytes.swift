#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and writes on POSIX calls, with one-line errors that name the path and the cause.
///
/// Writes go *through* the path as a shell's `>` does: a symlink's target is written, `/dev/stdout`
/// and FIFOs receive the bytes, and nothing the path points at is ever replaced by a new file (an
/// atomic temp-and-rename did all three). Every short write, `fsync` and `close` error is reported,
/// so a full disk or `/dev/full` is a failure, not a silent success.
enum FileBytes {
    /// Larger inputs are refused rather than read into memory (an hour of 48 kHz stereo 16-bit is 691 MB).
    static let maximumReadSize = 1 << 30

    static func read(path: String) throws(AudioError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .file(describe(errno, path: path, reading: true)) }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { throw .file("\(path) is a directory, not a file") }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .file(describe(errno, path: path, reading: true))
            }
            if count == 0 { return bytes }
            guard bytes.count + count <= maximumReadSize else {
                throw .file("\(path) is larger than \(maximumReadSize >> 20) MiB; refusing to read it")
            }
            bytes.append(contentsOf: chunk[..<count])
        }
    }

    static func write(_ bytes: [UInt8], toPath path: String) throws(AudioError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .file(describe(errno, path: path, reading: false)) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                close(fd)
                throw .file(describe(code, path: path, reading: false))
            }
            offset += written
        }
        // Data reaches the disk or the write fails here; terminals, pipes and /dev/null cannot sync.
        if fsync(fd) != 0, ![EINVAL, EROFS, ENOTSUP, EBADF].contains(errno) {
            let code = errno
            close(fd)
            throw .file(describe(code, path: path, reading: false))
        }
        if close(fd) != 0, errno != EINTR { throw .file(describe(errno, path: path, reading: false)) }
    }

    /// "no such file: q.wav", "cannot write out.wav: no space left on device", and so on.
    static func describe(_ code: Int32, path: String, reading: Bool) -> String {
        switch code {
        case ENOENT: return reading ? "no such file: \(path)" : "cannot write \(path): its directory does not exist"
        case EACCES, EPERM: return "permission denied: \(path)"
        case EISDIR: return "\(path) is a directory, not a file"
        case ENOSPC: return "cannot write \(path): no space left on device"
        default:
            let reason = String(cString: strerror(code)).lowercased()
            return "cannot \(reading ? "read" : "write") \(path): \(reason)"
        }
    }
}
