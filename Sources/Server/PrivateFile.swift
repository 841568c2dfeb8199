import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Small files written and read without following symbolic links, for the data folder of
/// the embedded cluster: some of its folders belong to the `postgres` OS user, who could
/// otherwise plant a link that makes a root-owned process overwrite or disclose any file.
enum PrivateFile {
    struct Error: Swift.Error, CustomStringConvertible, Sendable {
        var description: String
    }

    /// An owner for a new file (nil: the creating process's).
    struct Owner: Sendable {
        var user: uid_t?
        var group: gid_t?
    }

    /// Creates `path` exclusively with `contents` and `mode`, flushed to disk. Fails if
    /// anything, even a dangling link, already has that name.
    static func create(_ path: String, contents: String, mode: mode_t, owner: Owner = Owner()) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure("cannot create", path) }
        var ok = false
        defer {
            close(fd)
            if !ok { unlink(path) }
        }
        // The mode passed to open is filtered by the umask; the file must have exactly `mode`.
        guard fchmod(fd, mode) == 0 else { throw failure("cannot set the mode of", path) }
        if owner.user != nil || owner.group != nil {
            guard fchown(fd, owner.user ?? uid_t.max, owner.group ?? gid_t.max) == 0 else { throw failure("cannot set the owner of", path) }
        }
        let bytes = Array(contents.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw failure("cannot write", path) }
            written += n
        }
        guard fsync(fd) == 0 else { throw failure("cannot flush", path) }
        ok = true
    }

    /// Replaces `path` with a new file through a temporary sibling and a rename, so a link
    /// planted at either name is replaced, never followed.
    static func replace(_ path: String, contents: String, mode: mode_t, owner: Owner = Owner()) throws {
        let temporary = path + ".tollgate-new"
        unlink(temporary)
        try create(temporary, contents: contents, mode: mode, owner: owner)
        guard rename(temporary, path) == 0 else {
            let error = failure("cannot rename \(temporary) to", path)
            unlink(temporary)
            throw error
        }
    }

    /// The contents of a regular file, or nil when nothing has that name. A link is refused.
    static func read(_ path: String) throws -> String? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw failure("cannot read", path)
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & mode_t(S_IFMT) == mode_t(S_IFREG) else {
            throw Error(description: "\(path) is not a regular file: remove it")
        }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw failure("cannot read", path) }
            if n == 0 { break }
            bytes += buffer[..<n]
            guard bytes.count <= 1 << 20 else { throw Error(description: "\(path) is larger than 1 MiB: it is not a file Tollgate wrote") }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The mode bits (permissions) of `path` itself, not of what a link points to.
    static func mode(_ path: String) -> mode_t? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        return status.st_mode & 0o7777
    }

    /// Makes `path` a real folder owned by `owner` with exactly `mode`. Unless `followingLink`
    /// (for a path chosen by the operator, in a folder only they control), a link or file in
    /// its place is removed first.
    static func folder(_ path: String, mode: mode_t, owner: Owner = Owner(), followingLink: Bool = false) throws {
        var status = stat()
        if !followingLink, lstat(path, &status) == 0, status.st_mode & mode_t(S_IFMT) != mode_t(S_IFDIR) {
            guard unlink(path) == 0 else { throw failure("cannot remove the non-folder", path) }
        }
        if mkdir(path, mode) != 0 && errno != EEXIST { throw failure("cannot create the folder", path) }
        // Changed through a descriptor, so what is changed is what was checked.
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (followingLink ? 0 : O_NOFOLLOW))
        guard fd >= 0 else { throw failure("cannot open the folder", path) }
        defer { close(fd) }
        if owner.user != nil || owner.group != nil {
            guard fchown(fd, owner.user ?? uid_t.max, owner.group ?? gid_t.max) == 0 else { throw failure("cannot set the owner of", path) }
        }
        guard fchmod(fd, mode) == 0 else { throw failure("cannot set the mode of", path) }
    }

    private static func failure(_ what: String, _ path: String) -> Error {
        Error(description: "\(what) \(path): \(String(cString: strerror(errno)))")
    }
}
