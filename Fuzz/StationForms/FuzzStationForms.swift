import FuzzDriver

// tollgated's form parsing (Sources/Station/FormData.swift, built here on its own so that the
// fuzzer need not build Hummingbird): any body parses, a name given twice keeps its first value.
// The session cookie is read by Hummingbird's own cookie parser (request.cookies), not ours.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let body = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let form = FormData(body)
    for (name, _) in form.fields { precondition(!name.isEmpty && form[name] != nil) }
    return 0
}

@_cdecl("FuzzStationForms_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var c = argc
    var v = argv
    return LLVMFuzzerRunDriver(&c, &v, fuzzOne)
}
