import CCups

/// A connection to cupsd for the few IPP operations Tollgate needs, through libcups2.
///
/// Policy is read from here, never from argv[5]: `lpadmin -p Q -o tollgate-mode-default=quota`
/// becomes the printer attribute `tollgate-mode-default`, which only an administrator can set,
/// while any user can put `tollgate-mode=…` among a job's options.
public final class CupsClient {
    /// Where cupsd listens: a domain socket path or `host[:port]`.
    public let server: String
    private let http: OpaquePointer

    /// Connects to `server` (default: `$CUPS_SERVER`, as cupsd sets it for backends, else
    /// libcups's default). Fails after `timeoutMilliseconds`.
    public init(server: String? = nil, timeoutMilliseconds: Int32 = 10_000) throws(CupsClientError) {
        let target = server ?? String(cString: cupsServer())
        var host = target
        var port = ippPort()
        if !target.hasPrefix("/"), let colon = target.lastIndex(of: ":"), let p = Int32(target[target.index(after: colon)...]) {
            host = String(target[..<colon])
            port = p
        }
        guard let connection = httpConnect2(host, port, nil, AF_UNSPEC, HTTP_ENCRYPTION_IF_REQUESTED, 1,
                                            timeoutMilliseconds, nil) else {
            throw .cannotConnect(server: target, reason: String(cString: cupsLastErrorString()))
        }
        self.server = target
        self.http = connection
    }

    deinit {
        httpClose(http)
    }

    /// Attributes of queue `printer` (Get-Printer-Attributes). `names` empty asks for all.
    public func printerAttributes(_ printer: String, names: [String] = []) throws(CupsClientError) -> IPPAttributes {
        let request = ippNewRequest(IPP_OP_GET_PRINTER_ATTRIBUTES)
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nil, CupsClient.printerURI(printer))
        addRequested(names, to: request)
        return try send(request, operation: "Get-Printer-Attributes", group: IPP_TAG_PRINTER)
    }

    /// Attributes of job `id` (Get-Job-Attributes). `names` empty asks for all.
    public func jobAttributes(_ id: Int, names: [String] = []) throws(CupsClientError) -> IPPAttributes {
        let request = ippNewRequest(IPP_OP_GET_JOB_ATTRIBUTES)
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nil, "ipp://localhost/")
        ippAddInteger(request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", Int32(clamping: id))
        addRequested(names, to: request)
        return try send(request, operation: "Get-Job-Attributes", group: IPP_TAG_JOB)
    }

    /// The `ipp://localhost/printers/NAME` URI cupsd uses for a local queue.
    public static func printerURI(_ printer: String) -> String {
        var buffer = [CChar](repeating: 0, count: 1024)
        httpAssembleURI(HTTP_URI_CODING_ALL, &buffer, Int32(buffer.count), "ipp", nil, "localhost", 0, "/printers/" + printer)
        return decode(buffer)
    }

    private func addRequested(_ names: [String], to request: OpaquePointer?) {
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nil, cupsUser())
        let list = names.isEmpty ? ["all"] : names
        let pointers = list.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        var constPointers = pointers.map { UnsafePointer<CChar>($0) }
        ippAddStrings(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", Int32(list.count), nil, &constPointers)
    }

    /// Sends `request` (consumed) and returns the first group tagged `group` of the response.
    private func send(_ request: OpaquePointer?, operation: String, group: ipp_tag_t) throws(CupsClientError) -> IPPAttributes {
        guard let response = cupsDoRequest(http, request, "/") else {
            throw .cannotConnect(server: server, reason: String(cString: cupsLastErrorString()))
        }
        defer { ippDelete(response) }
        let status = ippGetStatusCode(response)
        if status.rawValue >= IPP_STATUS_ERROR_BAD_REQUEST.rawValue {
            let message = String(cString: cupsLastErrorString())
            if status == IPP_STATUS_ERROR_NOT_FOUND { throw .notFound(operation: operation, message: message) }
            throw .requestFailed(operation: operation, status: String(cString: ippErrorString(status)), message: message)
        }
        return CupsClient.attributes(of: response, group: group)
    }

    static func attributes(of message: OpaquePointer?, group: ipp_tag_t?) -> IPPAttributes {
        var result = IPPAttributes()
        var attribute = ippFirstAttribute(message)
        var seenGroup = false
        while let current = attribute {
            defer { attribute = ippNextAttribute(message) }
            if let group {
                let tag = ippGetGroupTag(current)
                if tag == group { seenGroup = true } else if seenGroup && tag != IPP_TAG_ZERO { break } else { continue }
            }
            guard let namePointer = ippGetName(current) else { continue }
            let name = String(cString: namePointer)
            for index in 0..<ippGetCount(current) {
                result.append(value(of: current, at: index), to: name)
            }
        }
        return result
    }

    private static func value(of attribute: OpaquePointer, at index: Int32) -> IPPValue {
        let tag = ipp_tag_t(rawValue: ippGetValueTag(attribute).rawValue & 0x7FFF_FFFF)
        switch tag {
        case IPP_TAG_INTEGER, IPP_TAG_ENUM:
            return .integer(Int(ippGetInteger(attribute, index)))
        case IPP_TAG_BOOLEAN:
            return .boolean(ippGetBoolean(attribute, index) != 0)
        case IPP_TAG_RANGE:
            var upper: Int32 = 0
            let lower = ippGetRange(attribute, index, &upper)
            return .range(Int(lower)...Int(max(lower, upper)))
        case IPP_TAG_BEGIN_COLLECTION:
            return .collection(attributes(of: ippGetCollection(attribute, index), group: nil))
        case IPP_TAG_TEXT, IPP_TAG_NAME, IPP_TAG_KEYWORD, IPP_TAG_URI, IPP_TAG_URISCHEME, IPP_TAG_CHARSET,
             IPP_TAG_LANGUAGE, IPP_TAG_MIMETYPE, IPP_TAG_TEXTLANG, IPP_TAG_NAMELANG:
            return ippGetString(attribute, index, nil).map { .string(String(cString: $0)) } ?? .string("")
        default:
            return .unsupported(String(cString: ippTagString(tag)))
        }
    }

    private static func decode(_ buffer: [CChar]) -> String {
        buffer.withUnsafeBufferPointer { pointer in
            let bytes = UnsafeRawBufferPointer(pointer)
            return String(decoding: bytes[..<(bytes.firstIndex(of: 0) ?? bytes.count)], as: UTF8.self)
        }
    }
}
