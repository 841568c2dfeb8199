import Foundation

/// Starts a program with standard output and error appended to `output` and no other
/// descriptor of this process inherited; its pid, nil when it could not start.
///
/// posix_spawn rather than Foundation's Process: a server started by the program inherits its
/// output (a pipe would never reach EOF), Process did not notice pg_ctl's exit here, and
/// PostgreSQL counts the descriptors it finds open against its limit and refuses to start when a
/// test has many sockets open (the burst test's thousand NAS run beside the failover tests).
/// `newProcessGroup`: the child leads a process group of its own, which its descendants join,
/// so one `kill(-pid, ...)` reaches all of them (a lost host).
/// `environment`: exactly these variables, this process's own when nil.
public func spawnChild(
    _ path: String, _ arguments: [String], output: String = "/dev/null", newProcessGroup: Bool = false,
    environment: [String: String]? = nil
) -> pid_t? {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    closeInheritedDescriptors(&actions)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    // No signal blocked and every one at its default: the child would otherwise inherit the
    // test runner's blocked SIGINT and SIGTERM, and a pg_autoctl supervisor would wait forever
    // for services that cannot hear it.
    var none = sigset_t()
    sigemptyset(&none)
    posix_spawnattr_setsigmask(&attributes, &none)
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigdefault(&attributes, &all)
    var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
    if newProcessGroup {
        flags |= Int32(POSIX_SPAWN_SETPGROUP)
        posix_spawnattr_setpgroup(&attributes, 0)
    }
    posix_spawnattr_setflags(&attributes, Int16(flags))
    let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
    defer { for pointer in envp ?? [] { free(pointer) } }
    var pid: pid_t = 0
    let spawned =
        if let envp { posix_spawn(&pid, path, &actions, &attributes, argv, envp) } else {
            posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        }
    guard spawned == 0 else { return nil }
    return pid
}

/// Makes a spawned program start with standard input, output and error only: no socket or
/// file of the test runner's reaches it. glibc 2.34's posix_spawn_file_actions_addclosefrom_np
/// is looked up: the Swift Glibc module does not declare it.
public func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return }
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
}

/// Waits for a child started by `spawnChild`; its exit status, -1 when a signal ended it.
public func waitForChild(_ pid: pid_t) -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
}

/// Waits at most `seconds` for a child started by `spawnChild`; its exit status (-1 when a
/// signal ended it), nil when it was still running.
public func waitForChild(_ pid: pid_t, seconds: Double) -> Int32? {
    let deadline = Date(timeIntervalSinceNow: seconds)
    var status: Int32 = 0
    repeat {
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid { return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1 }
        if result == -1 && errno != EINTR { return -1 }
        usleep(20_000)
    } while Date() < deadline
    return nil
}

/// Whether a child started by `spawnChild` has ended (and is reaped), without waiting.
public func childHasExited(_ pid: pid_t) -> Bool {
    var status: Int32 = 0
    let result = waitpid(pid, &status, WNOHANG)
    return result == pid || (result == -1 && errno == ECHILD)
}

/// Runs a program to its end (see `spawnChild`); its exit status, -1 when it could not start or
/// a signal ended it.
public func spawnAndWait(_ path: String, _ arguments: [String], output: String = "/dev/null") -> Int32 {
    guard let pid = spawnChild(path, arguments, output: output) else { return -1 }
    return waitForChild(pid)
}

/// Runs a program, returns status and combined output.
public func run(_ executable: String, _ arguments: [String], input: String? = nil) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    let stdin = Pipe()
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// The first `name` on PATH (then /usr/bin, /usr/local/bin) that is an executable file.
public func findExecutable(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") + ["/usr/bin", "/usr/local/bin"] {
        let path = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}

/// A finished program's exit status (-1 when a signal ended it) and its output, standard
/// output and error together.
public struct ChildOutcome: Sendable {
    public var status: Int32
    public var output: String
}

/// Runs a program to its end (see `spawnChild`), with exactly `environment` when given, and
/// reads its output back from a file: a server the program leaves running (pg_ctl start) would
/// hold a pipe open forever.
public func spawnAndCapture(_ path: String, _ arguments: [String], environment: [String: String]? = nil) throws -> ChildOutcome {
    let output = temporaryPath("tollgate-run")
    defer { unlink(output) }
    guard let pid = spawnChild(path, arguments, output: output, environment: environment) else {
        throw SetUpError("cannot run \(path): \(String(cString: strerror(errno)))")
    }
    let status = waitForChild(pid)
    return ChildOutcome(status: status, output: (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
}
