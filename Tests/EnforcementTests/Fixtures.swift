import Foundation
import RADIUS
import TestSupport

@testable import Enforcement

let projectDictionary: RADIUSDictionary = {
    do { return try RADIUSDictionary(contentsOf: RealData.repositoryRoot + "/Dictionaries/dictionary") } catch { fatalError("\(error)") }
}()

let shippedProfiles: VendorProfiles = {
    do { return try VendorProfiles.load(directory: RealData.repositoryRoot + "/Config/vendors", dictionary: projectDictionary) } catch {
        fatalError("\(error)")
    }
}()

let testSecret = Array("testing123".utf8)

func hex(_ text: String) -> [UInt8] { parseHex(text)! }

func hexString(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

/// A session with every identity field.
let aliceSession = SessionIdentity(
    userName: "alice", acctSessionID: "s1", nasIPAddress: "192.0.2.1", nasIdentifier: "bras-1", framedIPAddress: "10.0.0.5")

/// Writes `files` into a new temporary folder and returns its path.
func temporaryProfiles(_ files: [String: String]) throws -> String {
    let directory = temporaryPath("vendors")
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for (name, text) in files {
        try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
    }
    return directory
}

/// The value of one series in a Prometheus text exposition (its name and labels as rendered,
/// e.g. `x_total{a="b"}`); nil when the exposition has no such series.
func sample(_ exposition: String, _ series: String) -> Double? {
    for line in exposition.split(separator: "\n") where line.hasPrefix(series + " ") {
        return Double(line.dropFirst(series.count + 1))
    }
    return nil
}
