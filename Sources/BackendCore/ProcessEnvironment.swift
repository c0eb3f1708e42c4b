#if canImport(Glibc)
import Glibc
#endif

/// The process environment as cupsd gave it to the backend.
public enum ProcessEnvironment {
    /// `NAME=value` entries, in order (the real backend gets them back, with DEVICE_URI replaced).
    public static func entries() -> [String] {
        var result: [String] = []
        var entry = environ
        while let pointer = entry.pointee {
            result.append(String(cString: pointer))
            entry += 1
        }
        return result
    }

    /// The entries by name (the last one wins, as getenv would see it).
    public static func dictionary(_ entries: [String]) -> [String: String] {
        var result: [String: String] = [:]
        for entry in entries {
            guard let eq = entry.firstIndex(of: "=") else { continue }
            result[String(entry[..<eq])] = String(entry[entry.index(after: eq)...])
        }
        return result
    }
}
