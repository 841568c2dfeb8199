/// One `"Name = value"` line of a vendor profile, its value possibly holding placeholders
/// such as `{rate}`, filled when a request is built.
struct AttributeTemplate: Sendable, Hashable {
    /// The placeholders a value may use, and what each stands for.
    enum Placeholder: String, Sendable, CaseIterable {
        /// The policy's throttle rate as written, "upload/download" in the NAS's syntax.
        case rate
        case rateUpload = "rate_upload"
        case rateDownload = "rate_download"
        /// The parts in bits per second ("1M" = 1000000), for NAS that take numbers.
        case rateUploadBPS = "rate_upload_bps"
        case rateDownloadBPS = "rate_download_bps"
        /// The plan's normal rate, for restore.
        case planRate = "plan_rate"
        case planRateUpload = "plan_rate_upload"
        case planRateDownload = "plan_rate_download"
        case planRateUploadBPS = "plan_rate_upload_bps"
        case planRateDownloadBPS = "plan_rate_download_bps"

        /// Whether the value comes from the plan's rate rather than the policy's.
        var isPlanRate: Bool { rawValue.hasPrefix("plan_") }
    }

    enum Piece: Sendable, Hashable {
        case literal(String)
        case placeholder(Placeholder)
    }

    var name: String
    var tag: UInt8?
    var pieces: [Piece]

    /// Parses `Name = value` or `Name:tag = value`.
    init(parsing line: String) throws(AttributeEncoder.Failure) {
        guard let equals = line.firstIndex(of: "=") else {
            throw AttributeEncoder.Failure("'\(line)' is not of the form \"Attribute-Name = value\"")
        }
        var name = line[..<equals].trimmingSpaces()
        let value = line[line.index(after: equals)...].trimmingSpaces()
        if let colon = name.firstIndex(of: ":") {
            guard let tag = UInt8(name[name.index(after: colon)...]) else {
                throw AttributeEncoder.Failure("'\(name)': the tag after ':' must be a number from 1 to 31")
            }
            self.tag = tag
            name = String(name[..<colon])
        } else {
            tag = nil
        }
        guard !name.isEmpty else { throw AttributeEncoder.Failure("'\(line)' has no attribute name") }
        self.name = name
        pieces = try Self.pieces(of: value)
    }

    private static func pieces(of value: String) throws(AttributeEncoder.Failure) -> [Piece] {
        var pieces: [Piece] = []
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { pieces.append(.literal(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw AttributeEncoder.Failure("unclosed '{' in '\(value)'")
            }
            let name = String(rest[rest.index(after: open)..<close])
            guard let placeholder = Placeholder(rawValue: name) else {
                let known = Placeholder.allCases.map { "{\($0.rawValue)}" }.joined(separator: ", ")
                throw AttributeEncoder.Failure("unknown placeholder {\(name)}; known: \(known)")
            }
            pieces.append(.placeholder(placeholder))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { pieces.append(.literal(String(rest))) }
        return pieces
    }

    var placeholders: [Placeholder] {
        pieces.compactMap { if case .placeholder(let p) = $0 { return p } else { return nil } }
    }

    /// The value with every placeholder filled from `rate` and `planRate`.
    func value(rate: RateText?, planRate: RateText?) throws(AttributeEncoder.Failure) -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case .literal(let text):
                out += text
            case .placeholder(let placeholder):
                let source = placeholder.isPlanRate ? planRate : rate
                guard let source else {
                    throw AttributeEncoder.Failure(
                        placeholder.isPlanRate
                            ? "{\(placeholder.rawValue)} needs the plan's rate, and none was given"
                            : "{\(placeholder.rawValue)} needs the policy's rate, and none was given")
                }
                switch placeholder {
                case .rate, .planRate: out += source.text
                case .rateUpload, .planRateUpload: out += source.upload
                case .rateDownload, .planRateDownload: out += source.download
                case .rateUploadBPS, .planRateUploadBPS, .rateDownloadBPS, .planRateDownloadBPS:
                    let isUpload = placeholder == .rateUploadBPS || placeholder == .planRateUploadBPS
                    let part = isUpload ? source.upload : source.download
                    guard let bps = RateText.bitsPerSecond(part) else {
                        throw AttributeEncoder.Failure(
                            "{\(placeholder.rawValue)}: '\(part)' of rate '\(source.text)' is not a number of bits per second (e.g. 512k, 2M, 1.5G)")
                    }
                    out += String(bps)
                }
            }
        }
        return out
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
