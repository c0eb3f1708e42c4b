import FuzzDriver
import IPPWire

// IPPWire's decoder of cupsd's answers (RFC 8010): any bytes decode or throw, never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let response = try? IPPResponse(decoding: bytes) {
        for group in response.groups { _ = group.attributes }
    }
    return 0
}

@_cdecl("FuzzIPPDecoder_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var c = argc
    var v = argv
    return LLVMFuzzerRunDriver(&c, &v, fuzzOne)
}
