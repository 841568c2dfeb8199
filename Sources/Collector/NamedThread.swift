import CUDPShim
import Foundation

extension Thread {
    /// Starts a thread running `body` whose name the operating system also knows (`top -H`,
    /// `/proc/PID/task/*/comm`, perf), so an operator can tell the appenders, the merger and its
    /// workers apart. Names are cut to the 15 octets Linux keeps.
    static func start(named name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            _ = tg_name_this_thread(name)
            body()
        }
        thread.name = name
        thread.start()
    }
}
