extension String {
    /// The text of `bytes` as UTF-8, with each byte that is not part of valid UTF-8 read
    /// as Latin-1, so latin1 dumps keep their accented letters instead of failing.
    init(repairingUTF8 bytes: [UInt8]) {
        // Decoding repairs invalid input with U+FFFD, which changes the bytes; valid input
        // (nearly every value) decodes to the same bytes and is kept as it is.
        let decoded = String(decoding: bytes, as: UTF8.self)
        if String.isASCII(bytes) || decoded.utf8.elementsEqual(bytes) {
            self = decoded
            return
        }
        var scalars = String.UnicodeScalarView()
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var index = 0
        decoding: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                scalars.append(Unicode.UTF8.decode(encoded))
                index += encoded.count
            case .error(let length):
                for offset in index..<(index + length) { scalars.append(Unicode.Scalar(bytes[offset])) }
                index += length
            case .emptyInput:
                break decoding
            }
        }
        self = String(scalars)
    }

    private static func isASCII(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var union: UInt8 = 0
            for byte in buffer { union |= byte }
            return union < 0x80
        }
    }
}
