#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why the simulator could not start: a socket could not be opened or bound.
public struct SimulatorError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// Monotonic time in nanoseconds.
@inline(__always)
func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// Wall-clock Unix time in seconds (for Event-Timestamp).
func unixTimeSeconds() -> UInt32 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return UInt32(truncatingIfNeeded: ts.tv_sec)
}

/// Opens a non-blocking UDP socket bound to `address` (port 0 picks one).
func openUDPSocket(boundTo address: UDPAddress) throws(SimulatorError) -> Int32 {
    let fd = socket(address.family, Int32(SOCK_DGRAM.rawValue), 0)
    guard fd >= 0 else { throw SimulatorError("socket(): \(String(cString: strerror(errno)))") }
    let flags = fcntl(fd, F_GETFL, 0)
    _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    // Room for a full window of answers arriving while the thread is busy sending.
    var size: Int32 = 4 << 20
    _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    let bound = address.withSocketAddress { bind(fd, $0, $1) }
    guard bound == 0 else {
        let reason = String(cString: strerror(errno))
        close(fd)
        throw SimulatorError("bind to \(address): \(reason) (on Linux every 127.0.0.0/8 address is local; other addresses must exist)")
    }
    return fd
}

/// The local address a socket is bound to.
func localAddress(of fd: Int32) -> UDPAddress? {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    return withUnsafeMutablePointer(to: &storage) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address -> UDPAddress? in
            guard getsockname(fd, address, &length) == 0 else { return nil }
            return UDPAddress(address, length: length)
        }
    }
}

/// Runs `body` on a new OS thread (not the Swift concurrency pool), so blocking system calls
/// there never starve async tasks.
func spawnThread(_ body: @escaping @Sendable () -> Void) {
    final class Box: @unchecked Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    // Session scripts may be deep structures; 8 MiB like a main thread.
    pthread_attr_setstacksize(&attributes, 8 << 20)
    let result = pthread_create(
        &thread, &attributes,
        { argument in
            let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
            box.body()
            return nil
        }, box)
    pthread_attr_destroy(&attributes)
    precondition(result == 0, "pthread_create failed: \(result)")
}

/// A pthread mutex at a stable address (so a condition variable can wait on it).
final class Lock: @unchecked Sendable {
    let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
