/// An IPP/2.0 request in its wire encoding (RFC 8010 §3.1): version, operation, request id, then
/// the operation attributes group. Only what cupsd's read operations take is needed here.
public struct IPPRequest: Sendable {
    /// The operations this encoder is used for (RFC 8011 §5.4, PWG 5100.x).
    public enum Operation: UInt16, Sendable {
        case getJobAttributes = 0x0009
        case getPrinterAttributes = 0x000B

        /// The operation's name, for messages.
        public var name: String {
            switch self {
            case .getJobAttributes: "Get-Job-Attributes"
            case .getPrinterAttributes: "Get-Printer-Attributes"
            }
        }
    }

    /// Value tags this encoder writes (RFC 8010 §3.5.2).
    public enum ValueTag: UInt8, Sendable {
        case integer = 0x21
        case keyword = 0x44
        case uri = 0x45
        case name = 0x42
        case charset = 0x47
        case naturalLanguage = 0x48
    }

    public let operation: Operation
    private var bytes: [UInt8]

    /// A request with the two attributes every request starts with: `attributes-charset` utf-8
    /// and `attributes-natural-language` en.
    public init(_ operation: Operation, requestID: UInt32 = 1) {
        self.operation = operation
        bytes = [2, 0]
        IPPRequest.append(operation.rawValue, to: &bytes)
        IPPRequest.append(requestID, to: &bytes)
        bytes.append(0x01)                                      // operation-attributes-tag
        try! add(.charset, "attributes-charset", ["utf-8"])     // short constants: cannot fail
        try! add(.naturalLanguage, "attributes-natural-language", ["en"])
    }

    /// Adds an operation attribute with one or more string values (the first carries the name,
    /// the others are additional values).
    public mutating func add(_ tag: ValueTag, _ name: String, _ values: [String]) throws(CupsClientError) {
        for (index, value) in values.enumerated() {
            try addValue(tag, name: index == 0 ? name : "", value: Array(value.utf8))
        }
    }

    /// Adds an integer operation attribute.
    public mutating func add(_ name: String, integer: Int32) throws(CupsClientError) {
        var value: [UInt8] = []
        IPPRequest.append(UInt32(bitPattern: integer), to: &value)
        try addValue(.integer, name: name, value: value)
    }

    /// The whole message, `end-of-attributes-tag` included.
    public var encoded: [UInt8] { bytes + [0x03] }

    private mutating func addValue(_ tag: ValueTag, name: String, value: [UInt8]) throws(CupsClientError) {
        let nameBytes = Array(name.utf8)
        // Lengths are 16-bit; IPP limits values to 32767 octets (RFC 8010 §3.1.5).
        guard nameBytes.count <= 0x7FFF, value.count <= 0x7FFF else {
            throw .requestFailed(operation: operation.name, status: "not sent",
                                 message: "attribute \(name.prefix(64)) is longer than IPP allows")
        }
        bytes.append(tag.rawValue)
        IPPRequest.append(UInt16(nameBytes.count), to: &bytes)
        bytes += nameBytes
        IPPRequest.append(UInt16(value.count), to: &bytes)
        bytes += value
    }

    private static func append(_ value: UInt16, to bytes: inout [UInt8]) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8((value >> UInt32(shift)) & 0xFF)) }
    }
}
