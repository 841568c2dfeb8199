import ArgumentParser
import RADIUS

#if canImport(Glibc)
    import Glibc
#endif

/// Finds and loads the dictionary: an explicit path, then TOLLGATE_DICTIONARY, then the tree
/// installed beside the executable (share/tollgate), then ./Dictionaries.
func loadDictionary(_ explicit: String?) throws -> RADIUSDictionary {
    let path = explicit ?? defaultDictionaryPath()
    guard let path else {
        printError("no dictionary found: pass --dictionary or set TOLLGATE_DICTIONARY")
        throw ExitCode(1)
    }
    do {
        return try RADIUSDictionary(contentsOf: path)
    } catch {
        printError("dictionary error: \(error)")
        throw ExitCode(1)
    }
}

func defaultDictionaryPath() -> String? {
    if let env = getenv("TOLLGATE_DICTIONARY") { return String(cString: env) }
    var candidates: [String] = []
    if let executable = executableDirectory() {
        candidates.append(executable + "/../share/tollgate/dictionary")
        // A build folder inside the source tree (.build/debug/tollgate).
        candidates.append(executable + "/../../Dictionaries/dictionary")
        candidates.append(executable + "/../../../Dictionaries/dictionary")
    }
    candidates.append("Dictionaries/dictionary")
    candidates.append("/usr/share/tollgate/dictionary")
    return candidates.first { access($0, R_OK) == 0 }
}

private func executableDirectory() -> String? {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard n > 0 else { return nil }
    let path = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    guard let slash = path.lastIndex(of: "/") else { return nil }
    return String(path[..<slash])
}
