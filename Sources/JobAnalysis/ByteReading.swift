extension UnsafeRawBufferPointer {
    /// Big-endian 32-bit value at `offset` (caller checks bounds).
    func bigEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16 | UInt32(self[offset + 2]) << 8 | UInt32(self[offset + 3])
    }

    func littleEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(self[offset + 3]) << 24 | UInt32(self[offset + 2]) << 16 | UInt32(self[offset + 1]) << 8 | UInt32(self[offset])
    }

    /// The index of the first occurrence of `needle` at or after `from`, if any.
    func firstIndex(of needle: [UInt8], from: Int = 0) -> Int? {
        guard !needle.isEmpty, count >= needle.count, let base = baseAddress else { return nil }
        var i = from
        let first = needle[0]
        let last = count - needle.count
        while i <= last {
            guard let p = memchrCompat(base + i, first, last - i + 1) else { return nil }
            i = p - base
            var match = true
            for k in 1..<needle.count where self[i + k] != needle[k] { match = false; break }
            if match { return i }
            i += 1
        }
        return nil
    }
}

#if canImport(Glibc)
import Glibc
#endif

@inline(__always)
func memchrCompat(_ p: UnsafeRawPointer, _ byte: UInt8, _ n: Int) -> UnsafeRawPointer? {
    guard n > 0, let r = memchr(p, Int32(byte), n) else { return nil }
    return UnsafeRawPointer(r)
}
