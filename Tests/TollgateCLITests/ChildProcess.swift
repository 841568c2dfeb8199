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
func spawnChild(_ path: String, _ arguments: [String], output: String = "/dev/null", newProcessGroup: Bool = false) -> pid_t? {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    // glibc 2.34's posix_spawn_file_actions_addclosefrom_np; the Swift Glibc module does not
    // declare it, so it is looked up.
    if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
    }
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
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    guard posix_spawn(&pid, path, &actions, &attributes, argv, environ) == 0 else { return nil }
    return pid
}

/// Waits for a child started by `spawnChild`; its exit status, -1 when a signal ended it.
func waitForChild(_ pid: pid_t) -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
}

/// Waits at most `seconds` for a child started by `spawnChild`; its exit status (-1 when a
/// signal ended it), nil when it was still running.
func waitForChild(_ pid: pid_t, seconds: Double) -> Int32? {
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
func childHasExited(_ pid: pid_t) -> Bool {
    var status: Int32 = 0
    let result = waitpid(pid, &status, WNOHANG)
    return result == pid || (result == -1 && errno == ECHILD)
}

/// Runs a program to its end (see `spawnChild`); its exit status, -1 when it could not start or
/// a signal ended it.
func spawnAndWait(_ path: String, _ arguments: [String], output: String = "/dev/null") -> Int32 {
    guard let pid = spawnChild(path, arguments, output: output) else { return -1 }
    return waitForChild(pid)
}
