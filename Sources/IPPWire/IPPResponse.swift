/// An IPP response decoded from its wire encoding (RFC 8010 §3.1), with bounds: every length is
/// checked against what is left, collections nest at most ``maximumDepth`` deep, and anything
/// malformed is an error, never a crash or a guess.
public struct IPPResponse: Sendable {
    /// The attribute groups a response can carry (RFC 8010 §3.5.1 delimiter tags).
    public enum Group: UInt8, Sendable {
        case operation = 0x01
        case job = 0x02
        case printer = 0x04
        case unsupported = 0x05
        case subscription = 0x06
        case eventNotification = 0x07
        case resource = 0x08
        case document = 0x09
        case system = 0x0A
    }

    /// IPP status-code (RFC 8011 §B): below 0x0400 is success.
    public let statusCode: UInt16
    public let requestID: UInt32
    /// The groups in order; a response to Get-Jobs has one job group per job.
    public let groups: [(group: Group, attributes: IPPAttributes)]

    /// Collections nested deeper than this are refused (cupsd's media-col is 2 deep).
    public static let maximumDepth = 8

    /// Decodes `bytes`, a whole IPP message.
    public init(decoding bytes: [UInt8]) throws(IPPDecodingError) {
        var reader = Reader(bytes: bytes)
        let major = try reader.byte()
        _ = try reader.byte()
        guard major == 1 || major == 2 else { throw .malformed("IPP version \(major).x is not supported") }
        statusCode = try reader.uint16()
        requestID = try reader.uint32()
        var groups: [(group: Group, attributes: IPPAttributes)] = []
        var current: (group: Group, attributes: IPPAttributes)?
        var lastName: String?
        while true {
            let tag = try reader.byte()
            if tag == 0x03 { break }                                    // end-of-attributes-tag
            if tag < 0x10 {                                             // a new group
                if let finished = current { groups.append(finished) }
                guard let group = Group(rawValue: tag) else { throw .malformed("unknown group tag 0x\(hex(tag))") }
                current = (group, IPPAttributes())
                lastName = nil
                continue
            }
            guard current != nil else { throw .malformed("attribute outside any group") }
            let name = try reader.string(length: Int(try reader.uint16()))
            let valueBytes = try reader.bytes(Int(try reader.uint16()))
            let attributeName: String
            if name.isEmpty {                                           // another value of the last attribute
                guard let lastName else { throw .malformed("additional value without an attribute") }
                attributeName = lastName
            } else {
                attributeName = name
                lastName = name
            }
            let value = tag == 0x34 ? .collection(try reader.collection(depth: 1)) : try IPPResponse.value(tag: tag, bytes: valueBytes)
            current!.attributes.append(value, to: attributeName)
        }
        if let finished = current { groups.append(finished) }
        self.groups = groups
    }

    /// The first group of kind `group` (the printer of Get-Printer-Attributes, the job of
    /// Get-Job-Attributes); empty when there is none.
    public func first(_ group: Group) -> IPPAttributes {
        groups.first { $0.group == group }?.attributes ?? IPPAttributes()
    }

    /// Every group of kind `group`, in order.
    public func all(_ group: Group) -> [IPPAttributes] {
        groups.filter { $0.group == group }.map(\.attributes)
    }

    /// cupsd's `status-message`, when it sent one.
    public var statusMessage: String? { first(.operation).string("status-message") }

    /// The status code's keyword (RFC 8011 §B), or its hex value.
    public var statusName: String { IPPResponse.statusName(statusCode) }

    static func statusName(_ code: UInt16) -> String {
        let names: [UInt16: String] = [
            0x0000: "successful-ok", 0x0001: "successful-ok-ignored-or-substituted-attributes",
            0x0400: "client-error-bad-request", 0x0401: "client-error-forbidden",
            0x0402: "client-error-not-authenticated", 0x0403: "client-error-not-authorized",
            0x0404: "client-error-not-possible", 0x0405: "client-error-timeout",
            0x0406: "client-error-not-found", 0x0407: "client-error-gone",
            0x0408: "client-error-request-entity-too-large", 0x040B: "client-error-attributes-or-values-not-supported",
            0x0500: "server-error-internal-error", 0x0501: "server-error-operation-not-supported",
            0x0502: "server-error-service-unavailable", 0x0503: "server-error-version-not-supported",
            0x0507: "server-error-busy",
        ]
        return names[code] ?? "0x" + String(code, radix: 16)
    }

    /// One value of value tag `tag` (RFC 8010 §3.9), as libcups would present it.
    static func value(tag: UInt8, bytes: ArraySlice<UInt8>) throws(IPPDecodingError) -> IPPValue {
        switch tag {
        case 0x21, 0x23:                                                // integer, enum
            guard bytes.count == 4 else { throw .malformed("an integer of \(bytes.count) octets") }
            return .integer(Int(Int32(bitPattern: UInt32(octets: bytes))))
        case 0x22:                                                      // boolean
            guard bytes.count == 1 else { throw .malformed("a boolean of \(bytes.count) octets") }
            return .boolean(bytes.first! != 0)
        case 0x33:                                                      // rangeOfInteger
            guard bytes.count == 8 else { throw .malformed("a range of \(bytes.count) octets") }
            let lower = Int(Int32(bitPattern: UInt32(octets: bytes.prefix(4))))
            let upper = Int(Int32(bitPattern: UInt32(octets: bytes.suffix(4))))
            return .range(lower...max(lower, upper))
        case 0x35, 0x36:                                                // text/nameWithLanguage
            var inner = Reader(bytes: Array(bytes))
            _ = try inner.bytes(Int(try inner.uint16()))
            let text = try inner.string(length: Int(try inner.uint16()))
            guard inner.isAtEnd else { throw .malformed("trailing octets in a value with language") }
            return .string(text)
        case 0x41, 0x42, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49:            // text, name, keyword, uri …
            return .string(String(decoding: bytes, as: UTF8.self))
        default:
            return .unsupported(tagName(tag))
        }
    }

    /// libcups's names for the tags Tollgate does not decode.
    static func tagName(_ tag: UInt8) -> String {
        switch tag {
        case 0x10: "unsupported"
        case 0x11: "default"
        case 0x12: "unknown"
        case 0x13: "no-value"
        case 0x15: "not-settable"
        case 0x16: "delete-attribute"
        case 0x17: "admin-define"
        case 0x30: "octetString"
        case 0x31: "dateTime"
        case 0x32: "resolution"
        case 0x4A: "memberName"
        case 0x7F: "extension"
        default: "0x" + hex(tag)
        }
    }

    /// A cursor over the message; every read is bounds-checked.
    struct Reader {
        let bytes: [UInt8]
        var position = 0

        var isAtEnd: Bool { position == bytes.count }

        mutating func byte() throws(IPPDecodingError) -> UInt8 {
            guard position < bytes.count else { throw .truncated }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func uint16() throws(IPPDecodingError) -> UInt16 {
            UInt16(try byte()) << 8 | UInt16(try byte())
        }

        mutating func uint32() throws(IPPDecodingError) -> UInt32 {
            UInt32(try uint16()) << 16 | UInt32(try uint16())
        }

        mutating func bytes(_ count: Int) throws(IPPDecodingError) -> ArraySlice<UInt8> {
            guard count <= bytes.count - position else { throw .truncated }
            defer { position += count }
            return bytes[position..<position + count]
        }

        mutating func string(length: Int) throws(IPPDecodingError) -> String {
            String(decoding: try bytes(length), as: UTF8.self)
        }

        /// The members of a collection whose begCollection was just read (RFC 8010 §3.1.6):
        /// memberAttrName values, each followed by its value(s), up to endCollection.
        mutating func collection(depth: Int) throws(IPPDecodingError) -> IPPAttributes {
            guard depth <= IPPResponse.maximumDepth else { throw .malformed("collections nested more than \(IPPResponse.maximumDepth) deep") }
            var members = IPPAttributes()
            var member: String?
            while true {
                let tag = try byte()
                guard tag >= 0x10 else { throw .malformed("a group ends inside a collection") }
                _ = try bytes(Int(try uint16()))                        // members have no name here
                let value = try bytes(Int(try uint16()))
                switch tag {
                case 0x37:                                              // endCollection
                    return members
                case 0x4A:                                              // memberAttrName
                    member = String(decoding: value, as: UTF8.self)
                case 0x34:
                    guard let member else { throw .malformed("a collection value without a member name") }
                    members.append(.collection(try collection(depth: depth + 1)), to: member)
                default:
                    guard let member else { throw .malformed("a collection value without a member name") }
                    members.append(try IPPResponse.value(tag: tag, bytes: value), to: member)
                }
            }
        }
    }
}

/// Why an IPP message could not be decoded.
public enum IPPDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The message ends in the middle of a field.
    case truncated
    /// A field holds something RFC 8010 does not allow.
    case malformed(String)

    public var description: String {
        switch self {
        case .truncated: "the IPP message ends too early"
        case .malformed(let reason): "malformed IPP message: \(reason)"
        }
    }
}

private func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
}

private extension UInt32 {
    /// A big-endian 4-octet field.
    init(octets bytes: ArraySlice<UInt8>) {
        self = bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }
}
