import CCups
// Its values, errors and printer URIs are IPPWire's: one vocabulary for both clients.
@_exported import IPPWire

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
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nil, CupsdConnection.printerURI(printer))
        addRequested(names, to: request)
        return try send(request, operation: "Get-Printer-Attributes", group: IPP_TAG_PRINTER)
    }

    /// Attributes of job `id` (Get-Job-Attributes). `names` empty asks for all. With `user`, asked
    /// in that user's name: cupsd shows a job's private values (owner, title) to its owner even when
    /// this process's user is outside `SystemGroup`, and hides them for anyone else's job.
    public func jobAttributes(_ id: Int, names: [String] = [], asUser user: String? = nil) throws(CupsClientError) -> IPPAttributes {
        let request = ippNewRequest(IPP_OP_GET_JOB_ATTRIBUTES)
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nil, "ipp://localhost/")
        ippAddInteger(request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", Int32(clamping: id))
        addRequested(names, to: request, asUser: user)
        return try send(request, operation: "Get-Job-Attributes", group: IPP_TAG_JOB)
    }

    /// Jobs not yet completed (pending, held, processing, stopped), with attributes `names`.
    /// With `owner`, only that user's jobs (`my-jobs`); cupsd answers for all queues.
    public func activeJobs(owner: String?, names: [String]) throws(CupsClientError) -> [IPPAttributes] {
        let request = ippNewRequest(IPP_OP_GET_JOBS)
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nil, "ipp://localhost/")
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "which-jobs", nil, "not-completed")
        addRequested(names, to: request, asUser: owner)
        if owner != nil { ippAddBoolean(request, IPP_TAG_OPERATION, "my-jobs", 1) }
        return try sendForList(request, operation: "Get-Jobs", group: IPP_TAG_JOB)
    }

    // Job operations name `owner` as requesting-user-name when given: cupsd's default policy lets
    // a job's owner (or @SYSTEM) release, cancel or move it, and root is @SYSTEM only where
    // SystemGroup lists it. Where a policy demands authentication (Tollgate's), libcups answers
    // with this process's own identity, which must then be @SYSTEM.

    /// Releases a held job (Release-Job): cupsd runs its filters and backend again.
    public func releaseJob(_ id: Int, owner: String? = nil) throws(CupsClientError) {
        try jobOperation(IPP_OP_RELEASE_JOB, "Release-Job", id, owner: owner)
    }

    /// Cancels a job (Cancel-Job).
    public func cancelJob(_ id: Int, owner: String? = nil) throws(CupsClientError) {
        try jobOperation(IPP_OP_CANCEL_JOB, "Cancel-Job", id, owner: owner)
    }

    /// Moves a job to another queue of this server (CUPS-Move-Job).
    public func moveJob(_ id: Int, toPrinter printer: String, owner: String? = nil) throws(CupsClientError) {
        try jobOperation(IPP_OP_CUPS_MOVE_JOB, "CUPS-Move-Job", id, owner: owner) { request in
            ippAddString(request, IPP_TAG_JOB, IPP_TAG_URI, "job-printer-uri", nil, CupsdConnection.printerURI(printer))
        }
    }

    /// Names and attributes of every queue (CUPS-Get-Printers).
    public func printers(names: [String]) throws(CupsClientError) -> [IPPAttributes] {
        let request = ippNewRequest(IPP_OP_CUPS_GET_PRINTERS)
        addRequested(names, to: request)
        return try sendForList(request, operation: "CUPS-Get-Printers", group: IPP_TAG_PRINTER)
    }

    /// Sets queue `printer`'s options as `lpadmin -p PRINTER -o NAME=VALUE …` does, and removes
    /// those whose value is `nil` as `lpadmin -R NAME` does (CUPS-Add-Modify-Printer, encoded by
    /// libcups as lpadmin encodes them). cupsd demands an administrator: this process must be
    /// @SYSTEM (root is, over cupsd's socket).
    public func setPrinterOptions(_ printer: String, _ options: [(name: String, value: String?)]) throws(CupsClientError) {
        let request = ippNewRequest(IPP_OP_CUPS_ADD_MODIFY_PRINTER)
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nil, CupsdConnection.printerURI(printer))
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nil, cupsUser())
        var encoded: UnsafeMutablePointer<cups_option_t>? = nil
        var count: Int32 = 0
        for option in options {
            if let value = option.value { count = cupsAddOption(option.name, value, count, &encoded) }
        }
        cupsEncodeOptions2(request, count, encoded, IPP_TAG_PRINTER)
        cupsFreeOptions(count, encoded)
        for option in options where option.value == nil {
            ippAddInteger(request, IPP_TAG_PRINTER, IPP_TAG_DELETEATTR, option.name, 0)
        }
        _ = try sendForList(request, operation: "CUPS-Add-Modify-Printer", group: IPP_TAG_PRINTER)
    }

    private func jobOperation(_ op: ipp_op_t, _ name: String, _ id: Int, owner: String?,
                              extra: (OpaquePointer?) -> Void = { _ in }) throws(CupsClientError) {
        let request = ippNewRequest(op)
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nil, "ipp://localhost/")
        ippAddInteger(request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", Int32(clamping: id))
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nil, owner ?? String(cString: cupsUser()))
        extra(request)
        _ = try sendForList(request, operation: name, group: IPP_TAG_JOB)
    }

    private func addRequested(_ names: [String], to request: OpaquePointer?, asUser user: String? = nil) {
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nil, user ?? String(cString: cupsUser()))
        let list = names.isEmpty ? ["all"] : names
        let pointers = list.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        var constPointers = pointers.map { UnsafePointer<CChar>($0) }
        ippAddStrings(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", Int32(list.count), nil, &constPointers)
    }

    /// Sends `request` (consumed) and returns the first group tagged `group` of the response.
    private func send(_ request: OpaquePointer?, operation: String, group: ipp_tag_t) throws(CupsClientError) -> IPPAttributes {
        try exchange(request, operation: operation) { response in CupsClient.attributes(of: response, group: group) }
    }

    /// Sends `request` (consumed) and returns every group tagged `group` of the response.
    private func sendForList(_ request: OpaquePointer?, operation: String, group: ipp_tag_t) throws(CupsClientError) -> [IPPAttributes] {
        try exchange(request, operation: operation) { response in CupsClient.groups(of: response, tag: group) }
    }

    private func exchange<T>(_ request: OpaquePointer?, operation: String, read: (OpaquePointer?) -> T) throws(CupsClientError) -> T {
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
        return read(response)
    }

    /// Every group tagged `tag` of a response (one per job or printer), in order.
    static func groups(of message: OpaquePointer?, tag: ipp_tag_t) -> [IPPAttributes] {
        var result: [IPPAttributes] = []
        var current: IPPAttributes?
        var attribute = ippFirstAttribute(message)
        while let present = attribute {
            defer { attribute = ippNextAttribute(message) }
            guard let namePointer = ippGetName(present) else {          // a separator between groups
                if let finished = current { result.append(finished) }
                current = nil
                continue
            }
            guard ippGetGroupTag(present) == tag else {
                if let finished = current { result.append(finished) }
                current = nil
                continue
            }
            let name = String(cString: namePointer)
            var group = current ?? IPPAttributes()
            for index in 0..<ippGetCount(present) { group.append(value(of: present, at: index), to: name) }
            current = group
        }
        if let finished = current { result.append(finished) }
        return result
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
}
