import Audio
import Foundation
import Testing

/// Writing goes through the path as a shell's `>` does, and every write error is reported.
@Suite("WAV output files")
struct WAVFileOutputTests {
    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("steadfast-wav-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A symlink stays a symlink and its target receives the audio (temp-and-rename replaced the link).
    @Test func aSymlinkIsWrittenThroughNotReplaced() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("target.wav").path
        let link = dir.appendingPathComponent("reply.wav").path
        #expect(FileManager.default.createFile(atPath: target, contents: Data("old".utf8)))
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let tone = AudioFrame(samples: (0..<480).map { Int16($0 % 100) })
        try WAVFile.write(tone, toPath: link)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
        #expect(try WAVFile.read(path: target).samples == tone.samples)
    }

    /// A full device is a failure with the cause, not a silent success.
    @Test func aFullDeviceIsAnError() throws {
        #expect(FileManager.default.fileExists(atPath: "/dev/full"), "this test needs Linux's /dev/full")
        do {
            try WAVFile.write(.silence(milliseconds: 100), toPath: "/dev/full")
            Issue.record("writing to /dev/full succeeded")
        } catch {
            #expect(error.message == "cannot write /dev/full: no space left on device")
        }
    }

    /// A pipe (as /dev/stdout often is) receives the bytes; nothing is created in its place.
    @Test func aFIFOReceivesTheBytes() async throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o600) == 0)
        // The reader opens the FIFO on a thread of its own (open blocks until the writer comes).
        let received = Task.detached { () -> [UInt8] in
            let fd = open(fifo, O_RDONLY)
            defer { close(fd) }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while fd >= 0 {
                let count = read(fd, &chunk, chunk.count)
                if count <= 0 { break }
                bytes += chunk[..<count]
            }
            return bytes
        }
        let frame = AudioFrame.silence(milliseconds: 20)
        try WAVFile.write(frame, toPath: fifo)
        let bytes = try await received.value
        #expect(bytes == WAVFile.encode(frame))
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO, "still a FIFO")
    }

    @Test func readErrorsNameTheCause() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: AudioError.file("no such file: \(dir.path)/q.wav")) { try WAVFile.read(path: dir.path + "/q.wav") }
        #expect(throws: AudioError.file("\(dir.path) is a directory, not a file")) { try WAVFile.read(path: dir.path) }
        #expect(throws: AudioError.file("cannot write \(dir.path)/none/x.wav: its directory does not exist")) {
            try WAVFile.write(.silence(milliseconds: 10), toPath: dir.path + "/none/x.wav")
        }
    }
}
