import Testing
import TestSupport
@testable import IPPWire

/// Builds IPP messages octet by octet, as RFC 8010 §3.1 lays them out, to feed the decoder.
struct MessageBuilder {
    var bytes: [UInt8]

    init(status: UInt16 = 0, requestID: UInt32 = 7) {
        bytes = [2, 0, UInt8(status >> 8), UInt8(status & 0xFF)]
        bytes += [24, 16, 8, 0].map { UInt8((requestID >> UInt32($0)) & 0xFF) }
    }

    mutating func group(_ tag: UInt8) { bytes.append(tag) }

    mutating func attribute(_ tag: UInt8, _ name: String, _ value: [UInt8]) {
        bytes.append(tag)
        bytes += length(name.utf8.count) + Array(name.utf8)
        bytes += length(value.count) + value
    }

    mutating func attribute(_ tag: UInt8, _ name: String, _ text: String) { attribute(tag, name, Array(text.utf8)) }

    mutating func integer(_ tag: UInt8, _ name: String, _ value: Int32) {
        attribute(tag, name, [24, 16, 8, 0].map { UInt8((UInt32(bitPattern: value) >> UInt32($0)) & 0xFF) })
    }

    mutating func end() { bytes.append(0x03) }

    func length(_ count: Int) -> [UInt8] { [UInt8(count >> 8), UInt8(count & 0xFF)] }
}

@Suite struct IPPResponseTests {
    /// A job group with every value syntax Tollgate reads, additional values and a nested collection.
    static func sampleJob() -> MessageBuilder {
        var message = MessageBuilder()
        message.group(0x01)
        message.attribute(0x47, "attributes-charset", "utf-8")
        message.attribute(0x48, "attributes-natural-language", "en")
        message.group(0x02)
        message.integer(0x21, "job-id", 42)
        message.integer(0x23, "job-state", 4)
        message.integer(0x21, "time-at-creation", -5)
        message.attribute(0x22, "job-hold", [1])
        message.attribute(0x33, "page-ranges", [0, 0, 0, 1, 0, 0, 0, 3])
        message.attribute(0x33, "", [0, 0, 0, 9, 0, 0, 0, 4])            // upper below lower: kept as 9...9
        message.attribute(0x42, "job-originating-user-name", "alice")
        message.attribute(0x35, "job-name", [0, 2] + Array("fr".utf8) + [0, 5] + Array("thèse".utf8.prefix(5)))
        message.attribute(0x44, "sides", "two-sided-long-edge")
        message.attribute(0x44, "", "one-sided")
        message.attribute(0x31, "date-time-at-creation", [UInt8](repeating: 0, count: 11))
        message.attribute(0x13, "job-message-from-operator", [])
        // media-col = { media-size = { x-dimension = 21000, y-dimension = 29700 }, media-type = stationery }
        message.attribute(0x34, "media-col", [])
        message.attribute(0x4A, "", "media-size")
        message.attribute(0x34, "", [])
        message.attribute(0x4A, "", "x-dimension")
        message.integer(0x21, "", 21000)
        message.attribute(0x4A, "", "y-dimension")
        message.integer(0x21, "", 29700)
        message.attribute(0x37, "", [])
        message.attribute(0x4A, "", "media-type")
        message.attribute(0x44, "", "stationery")
        message.attribute(0x37, "", [])
        message.group(0x02)
        message.integer(0x21, "job-id", 43)
        message.end()
        return message
    }

    @Test func decodesEverySyntaxTollgateReads() throws {
        let response = try IPPResponse(decoding: IPPResponseTests.sampleJob().bytes)
        #expect(response.statusCode == 0)
        #expect(response.requestID == 7)
        let job = response.first(.job)
        #expect(job.integer("job-id") == 42)
        #expect(job.integer("job-state") == 4)
        #expect(job.integer("time-at-creation") == -5)
        #expect(job.values("job-hold") == [.boolean(true)])
        #expect(job.values("page-ranges") == [.range(1...3), .range(9...9)])
        #expect(job.string("job-originating-user-name") == "alice")
        #expect(job.string("job-name")?.hasPrefix("th") == true, "textWithLanguage gives its text, not its language")
        #expect(job.strings("sides") == ["two-sided-long-edge", "one-sided"])
        #expect(job.values("date-time-at-creation") == [.unsupported("dateTime")])
        #expect(job.values("job-message-from-operator") == [.unsupported("no-value")])
        guard case .collection(let media)? = job.values("media-col").first,
              case .collection(let size)? = media.values("media-size").first else {
            Issue.record("media-col is not a nested collection: \(job.values("media-col"))")
            return
        }
        #expect(size.integer("x-dimension") == 21000)
        #expect(size.integer("y-dimension") == 29700)
        #expect(media.string("media-type") == "stationery")
        #expect(response.all(.job).map { $0.integer("job-id") } == [42, 43])
        #expect(response.first(.printer).names.isEmpty)
    }

    @Test func errorStatusAndMessageAreKept() throws {
        var message = MessageBuilder(status: 0x0406)
        message.group(0x01)
        message.attribute(0x41, "status-message", "The job does not exist.")
        message.end()
        let response = try IPPResponse(decoding: message.bytes)
        #expect(response.statusName == "client-error-not-found")
        #expect(response.statusMessage == "The job does not exist.")
    }

    @Test func everyTruncationIsAnErrorNotACrash() {
        let whole = IPPResponseTests.sampleJob().bytes
        for length in 0..<whole.count {
            #expect(throws: IPPDecodingError.self, "cut at \(length) of \(whole.count)") {
                try IPPResponse(decoding: Array(whole.prefix(length)))
            }
        }
    }

    @Test(arguments: [
        "a value before any group", "an additional value with no attribute", "an integer of 3 octets",
        "a boolean of 2 octets", "an unknown group tag", "a collection value without a member name",
        "a group tag inside a collection",
    ])
    func malformedMessagesAreRefused(what: String) {
        var m = MessageBuilder()
        switch what {
        case "a value before any group": m.integer(0x21, "job-id", 1)
        case "an additional value with no attribute": m.group(0x02); m.integer(0x21, "", 1)
        case "an integer of 3 octets": m.group(0x02); m.attribute(0x21, "job-id", [0, 0, 1])
        case "a boolean of 2 octets": m.group(0x02); m.attribute(0x22, "b", [0, 1])
        case "an unknown group tag": m.group(0x0F)
        case "a collection value without a member name":
            m.group(0x02); m.attribute(0x34, "media-col", []); m.integer(0x21, "", 1); m.attribute(0x37, "", [])
        default: m.group(0x02); m.attribute(0x34, "media-col", []); m.group(0x02)
        }
        m.end()
        #expect(throws: IPPDecodingError.self, "\(what)") { try IPPResponse(decoding: m.bytes) }
    }

    @Test func deepCollectionsAreRefused() throws {
        func nested(_ depth: Int) -> [UInt8] {
            var message = MessageBuilder()
            message.group(0x02)
            message.attribute(0x34, "c", [])
            for _ in 1..<depth {
                message.attribute(0x4A, "", "c")
                message.attribute(0x34, "", [])
            }
            for _ in 0..<depth { message.attribute(0x37, "", []) }
            message.end()
            return message.bytes
        }
        _ = try IPPResponse(decoding: nested(IPPResponse.maximumDepth))
        #expect(throws: IPPDecodingError.self) { try IPPResponse(decoding: nested(IPPResponse.maximumDepth + 1)) }
    }

    /// Random damage to a valid message: the decoder answers or refuses, it never traps.
    @Test func damagedMessagesNeverCrash() {
        let whole = IPPResponseTests.sampleJob().bytes
        var generator = SplitMix64(seed: 0x7011_6A7E)
        var refused = 0
        for _ in 0..<20_000 {
            var damaged = whole
            for _ in 0..<Int(generator.next() % 4 + 1) {
                damaged[Int(generator.next() % UInt64(damaged.count))] = UInt8(truncatingIfNeeded: generator.next())
            }
            if (try? IPPResponse(decoding: damaged)) == nil { refused += 1 }
        }
        #expect(refused > 0)
    }

    @Test func requestsRoundTripThroughTheDecoder() throws {
        var request = IPPRequest(.getJobAttributes, requestID: 9)
        try request.add(.uri, "printer-uri", ["ipp://localhost/"])
        try request.add("job-id", integer: 12)
        try request.add(.name, "requesting-user-name", ["root"])
        try request.add(.keyword, "requested-attributes", ["job-id", "job-name"])
        let bytes = request.encoded
        #expect(Array(bytes.prefix(8)) == [2, 0, 0x00, 0x09, 0, 0, 0, 9])
        #expect(bytes.last == 0x03)
        // A request has the layout of a response, with the operation where the status goes.
        let decoded = try IPPResponse(decoding: bytes)
        #expect(decoded.statusCode == 0x0009)
        let operation = decoded.first(.operation)
        #expect(operation.string("attributes-charset") == "utf-8")
        #expect(operation.string("attributes-natural-language") == "en")
        #expect(operation.string("printer-uri") == "ipp://localhost/")
        #expect(operation.integer("job-id") == 12)
        #expect(operation.strings("requested-attributes") == ["job-id", "job-name"])
        // charset and natural-language first, as RFC 8011 §4.1.4 requires.
        #expect(Array(bytes[9...11]) == [0x47, 0x00, 0x12])
    }

    @Test func oversizedValuesAreNotSent() {
        var request = IPPRequest(.getPrinterAttributes)
        #expect(throws: CupsClientError.self) {
            try request.add(.uri, "printer-uri", [String(repeating: "x", count: 40_000)])
        }
    }

    @Test(arguments: [
        ("lab", "ipp://localhost/printers/lab"),
        ("Lab_2-b.x", "ipp://localhost/printers/Lab_2-b.x"),
        ("a b/c%", "ipp://localhost/printers/a%20b%2Fc%25"),
        ("drucker-ü", "ipp://localhost/printers/drucker-%C3%BC"),
    ])
    func printerURIsAreEncoded(name: String, uri: String) {
        #expect(CupsdConnection.printerURI(name) == uri)
    }
}
