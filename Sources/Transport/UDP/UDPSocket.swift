import CShims
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A non-blocking UDP socket with batched receive (`recvmmsg`) into buffers allocated once, so the
/// steady-state receive path allocates nothing per datagram.
///
/// One owner (the media driver of one session); not shared across tasks.
public final class UDPSocket {
    public let localAddress: SocketAddress
    private let fd: Int32
    private var closed = false

    /// Binds to `address` (port 0 picks a free port).
    public init(bindTo address: SocketAddress) throws(UDPError) {
        let fd = socket(address.isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
                        | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw UDPError("socket() failed: \(String(cString: strerror(errno)))") }
        var storage = address.storage
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, address.length) }
        }
        guard bound == 0 else {
            let reason = String(cString: strerror(errno))
            _ = Glibc.close(fd)
            throw UDPError("bind \(address) failed: \(reason)")
        }
        var actual = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        localAddress = SocketAddress(storage: actual, length: length)
    }

    deinit { close() }

    /// The descriptor, for the driver's poll set.
    public var fileDescriptor: Int32 { fd }

    public func close() {
        guard !closed else { return }
        closed = true
        _ = Glibc.close(fd)
    }

    /// Sends one datagram. Returns false when the kernel buffer is full (EAGAIN): media is dropped,
    /// never queued without bound.
    @discardableResult
    public func send(_ bytes: UnsafeRawBufferPointer, to destination: SocketAddress) throws(UDPError) -> Bool {
        var storage = destination.storage
        let sent = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), $0, destination.length)
            }
        }
        if sent >= 0 { return true }
        if errno == EAGAIN || errno == EWOULDBLOCK { return false }
        throw UDPError("sendto \(destination) failed: \(String(cString: strerror(errno)))")
    }

    public func send(_ bytes: [UInt8], to destination: SocketAddress) throws(UDPError) -> Bool {
        var failure: UDPError?
        let sent = bytes.withUnsafeBytes { raw -> Bool in
            do { return try send(raw, to: destination) } catch let error as UDPError {
                failure = error
                return false
            } catch {
                return false
            }
        }
        if let failure { throw failure }
        return sent
    }

    /// Receives up to `batch.capacity` datagrams without blocking; returns how many arrived.
    public func receive(into batch: UDPReceiveBatch) throws(UDPError) -> Int {
        let count = batch.receive(fd: fd)
        if count >= 0 { return count }
        if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return 0 }
        throw UDPError("recvmmsg failed: \(String(cString: strerror(errno)))")
    }
}

@available(*, unavailable)
extension UDPSocket: Sendable {}

/// Preallocated buffers for batched receive: reused for every batch, so receiving allocates nothing.
public final class UDPReceiveBatch {
    public let capacity: Int
    public let maximumDatagramSize: Int
    private let buffer: UnsafeMutableRawBufferPointer
    private let addresses: UnsafeMutableBufferPointer<sockaddr_storage>
    private let addressLengths: UnsafeMutableBufferPointer<socklen_t>
    private let lengths: UnsafeMutableBufferPointer<UInt32>
    private let flags: UnsafeMutableBufferPointer<Int32>

    /// `capacity` is capped at 64 (the shim's batch limit).
    public init(capacity: Int = 32, maximumDatagramSize: Int = 1500) {
        self.capacity = min(max(1, capacity), 64)
        self.maximumDatagramSize = maximumDatagramSize
        buffer = .allocate(byteCount: self.capacity * maximumDatagramSize, alignment: 16)
        addresses = .allocate(capacity: self.capacity)
        addresses.initialize(repeating: sockaddr_storage())
        addressLengths = .allocate(capacity: self.capacity)
        addressLengths.initialize(repeating: 0)
        lengths = .allocate(capacity: self.capacity)
        lengths.initialize(repeating: 0)
        flags = .allocate(capacity: self.capacity)
        flags.initialize(repeating: 0)
    }

    deinit {
        buffer.deallocate()
        addresses.deallocate()
        addressLengths.deallocate()
        lengths.deallocate()
        flags.deallocate()
    }

    fileprivate func receive(fd: Int32) -> Int {
        Int(steadfast_udp_receive_batch(fd, buffer.baseAddress, maximumDatagramSize, UInt32(capacity),
                                        addresses.baseAddress, addressLengths.baseAddress, lengths.baseAddress,
                                        flags.baseAddress))
    }

    /// The bytes of datagram `index` of the last batch. Valid until the next `receive`.
    public func datagram(_ index: Int) -> UnsafeRawBufferPointer {
        // SAFETY: index < the count `receive` returned; the kernel never writes past a slot (it truncates).
        UnsafeRawBufferPointer(start: buffer.baseAddress! + index * maximumDatagramSize,
                               count: min(Int(lengths[index]), maximumDatagramSize))
    }

    /// Whether datagram `index` was longer than `maximumDatagramSize` (and therefore cut).
    public func wasTruncated(_ index: Int) -> Bool { flags[index] & Int32(MSG_TRUNC) != 0 }

    /// The sender of datagram `index`.
    public func source(_ index: Int) -> SocketAddress {
        SocketAddress(storage: addresses[index], length: addressLengths[index])
    }
}

@available(*, unavailable)
extension UDPReceiveBatch: Sendable {}

/// Socket-level failures (bind, send, receive), with the OS reason.
public struct UDPError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
