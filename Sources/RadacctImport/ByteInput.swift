#if canImport(Glibc)
    import Glibc
    private let systemRead = Glibc.read
#elseif canImport(Darwin)
    import Darwin
    private let systemRead = Darwin.read
#endif

/// A buffered stream of bytes from a file or from memory, read in fixed-size chunks and
/// counting lines, so a reader holds one chunk of its source at a time.
struct ByteInput {
    /// The default size of one read from the source.
    static let defaultChunkSize = 64 * 1024

    private let source: ByteSource
    private let chunkSize: Int
    private var buffer: [UInt8]
    private var position = 0
    private var end = 0
    private var exhausted = false
    /// The 1-based line of the next byte.
    private(set) var line = 1
    /// The bytes held for reading: the chunk size, grown only for a longer lookahead.
    var bufferCapacity: Int { buffer.count }

    init(source: ByteSource, chunkSize: Int = ByteInput.defaultChunkSize) {
        self.source = source
        self.chunkSize = max(1, chunkSize)
        buffer = [UInt8](repeating: 0, count: self.chunkSize)
    }

    /// The next byte without consuming it, or nil at the end of the source.
    @inline(__always)
    mutating func peek() throws(RadacctSourceError) -> UInt8? {
        if position < end { return buffer[position] }
        return try fill(1) ? buffer[position] : nil
    }

    /// The byte `offset` places after the next one, without consuming anything.
    mutating func peek(at offset: Int) throws(RadacctSourceError) -> UInt8? {
        if position + offset < end { return buffer[position + offset] }
        return try fill(offset + 1) ? buffer[position + offset] : nil
    }

    /// Consumes the byte that `peek()` returned.
    @inline(__always)
    mutating func skip() {
        if buffer[position] == 0x0A { line += 1 }
        position += 1
    }

    /// Consumes and returns the next byte, or nil at the end of the source.
    @inline(__always)
    mutating func next() throws(RadacctSourceError) -> UInt8? {
        guard let byte = try peek() else { return nil }
        skip()
        return byte
    }

    /// Appends to `output` the bytes before the first one for which `isStop` holds, and
    /// returns that byte without consuming it (nil when the source ends first).
    @inline(__always)
    mutating func append(to output: inout [UInt8], until isStop: (UInt8) -> Bool) throws(RadacctSourceError) -> UInt8? {
        while true {
            if position == end, try !fill(1) { return nil }
            let start = position
            var newlines = 0
            var stop: UInt8?
            buffer.withUnsafeBufferPointer { bytes in
                var index = start
                while index < end {
                    let byte = bytes[index]
                    if isStop(byte) {
                        stop = byte
                        break
                    }
                    if byte == 0x0A { newlines += 1 }
                    index += 1
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                position = index
            }
            line += newlines
            if let stop { return stop }
        }
    }

    /// Consumes bytes up to the first one for which `isStop` holds and returns it without
    /// consuming it (nil when the source ends first).
    @inline(__always)
    mutating func skip(until isStop: (UInt8) -> Bool) throws(RadacctSourceError) -> UInt8? {
        while true {
            if position == end, try !fill(1) { return nil }
            var newlines = 0
            var stop: UInt8?
            let start = position
            buffer.withUnsafeBufferPointer { bytes in
                var index = start
                while index < end {
                    let byte = bytes[index]
                    if isStop(byte) {
                        stop = byte
                        break
                    }
                    if byte == 0x0A { newlines += 1 }
                    index += 1
                }
                position = index
            }
            line += newlines
            if let stop { return stop }
        }
    }

    /// Makes at least `count` unread bytes available unless the source ends first; keeps
    /// the unread bytes, so lookahead never loses input.
    private mutating func fill(_ count: Int) throws(RadacctSourceError) -> Bool {
        if end - position >= count { return true }
        if exhausted { return false }
        if position > 0 {
            let unread = end - position
            if unread > 0 {
                buffer.withUnsafeMutableBufferPointer { bytes in
                    let base = bytes.baseAddress!
                    base.update(from: base + position, count: unread)
                }
            }
            position = 0
            end = unread
        }
        if buffer.count < count { buffer.append(contentsOf: repeatElement(0, count: count - buffer.count)) }
        while end < count {
            let wanted = min(chunkSize, buffer.count - end)
            let result = buffer.withUnsafeMutableBytes { bytes in
                Result { () throws(RadacctSourceError) -> Int in
                    try source.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[end..<(end + wanted)]))
                }
            }
            let got = try result.get()
            if got == 0 {
                exhausted = true
                return end - position >= count
            }
            end += got
        }
        return true
    }
}

/// Where a `ByteInput` reads from: an open file descriptor (closed with the source) or
/// bytes in memory.
final class ByteSource {
    private enum Storage {
        case file(descriptor: Int32, path: String)
        case memory(bytes: [UInt8], offset: Int)
    }

    private var storage: Storage

    /// Opens the file at `path` for reading.
    init(path: String) throws(RadacctSourceError) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw RadacctSourceError(line: 0, "cannot open \(path): \(reason); check the path and that it is readable")
        }
        storage = .file(descriptor: descriptor, path: path)
    }

    init(bytes: [UInt8]) {
        storage = .memory(bytes: bytes, offset: 0)
    }

    deinit {
        if case .file(let descriptor, _) = storage { close(descriptor) }
    }

    /// Reads up to `destination.count` bytes; 0 means the end of the source.
    func read(into destination: UnsafeMutableRawBufferPointer) throws(RadacctSourceError) -> Int {
        switch storage {
        case .file(let descriptor, let path):
            while true {
                let got = systemRead(descriptor, destination.baseAddress, destination.count)
                if got >= 0 { return got }
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                throw RadacctSourceError(line: 0, "cannot read \(path): \(reason)")
            }
        case .memory(let bytes, let offset):
            let count = min(destination.count, bytes.count - offset)
            if count > 0 {
                bytes.withUnsafeBytes { source in
                    destination.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
                }
                storage = .memory(bytes: bytes, offset: offset + count)
            }
            return count
        }
    }
}
