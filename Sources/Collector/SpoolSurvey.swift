import Foundation
import Storage

#if canImport(Glibc)
    import Glibc
#endif

/// What a spool folder holds, read without its lock and without changing anything (for
/// `Spool` when it opens the folder, and for `tollgate spool status` beside a running collector).
public enum SpoolSurvey {
    /// A segment file and what its first octets say.
    public struct FoundSegment: Sendable {
        public var path: String
        public var firstSequence: Int64
        public var size: Int
        public var start: SpoolFormat.SegmentStart

        /// The segment header, if the segment has one.
        public var header: SegmentHeader? {
            if case .header(let header, _) = start { return header }
            return nil
        }

        /// Where the first record starts.
        public var dataStart: Int {
            if case .header(_, let length) = start { return length }
            return 0
        }
    }

    /// The segments of `directory` in record order (subfolders such as `set-aside/` are not
    /// looked at). Throws when the folder cannot be listed or a segment cannot be opened or
    /// is not a file: passing over it would leave its records unreported and unreplayed.
    public static func segments(in directory: String) throws -> [FoundSegment] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw Spool.SpoolError.io("cannot list the spool folder \(directory): \(error.localizedDescription)")
        }
        var found: [FoundSegment] = []
        for name in names.sorted() where name.hasSuffix(".tgs") {
            // Not a name the spool gives a segment: not one of its files.
            guard let first = Int64(name.dropLast(4)) else { continue }
            let path = directory + "/" + name
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw Spool.SpoolError.io(
                    "cannot open the spool segment \(path): \(String(cString: strerror(errno))); make it readable or move it out of the spool folder")
            }
            defer { close(fd) }
            var status = stat()
            guard fstat(fd, &status) == 0 else {
                throw Spool.SpoolError.io("cannot stat the spool segment \(path): \(String(cString: strerror(errno)))")
            }
            guard Int(status.st_mode) & Int(S_IFMT) == Int(S_IFREG) else {
                throw Spool.SpoolError.io("\(path) is not a file, so not a spool segment: move it out of the spool folder")
            }
            let size = Int(status.st_size)
            var bytes = [UInt8](repeating: 0, count: min(size, SpoolFormat.maximumSegmentHeader))
            let read = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            bytes = Array(bytes.prefix(max(0, read)))
            found.append(FoundSegment(path: path, firstSequence: first, size: size, start: SpoolFormat.decodeSegmentStart(bytes)))
        }
        return found
    }

    /// One segment as `tollgate spool status` lists it.
    public struct SegmentSummary: Sendable {
        public var name: String
        public var header: SegmentHeader?
        /// Why the segment's header cannot be read (its records belong to no known database).
        public var unreadable: String?
        public var records: Int
        public var packets: Int
        public var bytes: Int
        /// Octets that do not read as records (a write cut short, damage).
        public var damagedBytes: Int
    }

    /// Every segment of `directory` with its records and packets counted.
    public static func summarize(_ directory: String) throws -> [SegmentSummary] {
        try segments(in: directory).map { segment in
            var summary = SegmentSummary(
                name: (segment.path as NSString).lastPathComponent, header: segment.header, unreadable: nil,
                records: 0, packets: 0, bytes: segment.size, damagedBytes: 0)
            switch segment.start {
            case .unreadable(let reason):
                summary.unreadable = reason
                return summary
            case .empty:
                return summary
            case .legacy, .header:
                break
            }
            guard let data = FileManager.default.contents(atPath: segment.path) else {
                summary.unreadable = "cannot be read"
                return summary
            }
            let bytes = [UInt8](data)
            var offset = segment.dataStart
            while offset < bytes.count {
                let decoded = bytes.withUnsafeBytes { SpoolFormat.decode(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
                switch decoded {
                case .record(_, let packets, let length):
                    summary.records += 1
                    summary.packets += packets.count
                    offset += length
                case .corrupt(_, let length):
                    summary.damagedBytes += length
                    offset += length
                case .incomplete, .unframed:
                    summary.damagedBytes += bytes.count - offset
                    offset = bytes.count
                }
            }
            return summary
        }
    }

    /// Whether a collector or spool command holds the folder's lock now.
    public static func isInUse(_ directory: String) -> Bool {
        let fd = open(directory + "/lock", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard flock(fd, LOCK_SH | LOCK_NB) == 0 else { return true }
        flock(fd, LOCK_UN)
        return false
    }
}
