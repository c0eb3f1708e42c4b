import Foundation

/// Where `swift build` put the project's executables, and the package's own files.
public enum BuiltProducts {
    /// The package root (the directory holding Package.swift).
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// The built executable `name`: `$TOLLGATE_BIN_DIR/name` when set, else next to the test binary.
    public static func executable(_ name: String) -> String {
        if let dir = ProcessInfo.processInfo.environment["TOLLGATE_BIN_DIR"] {
            return dir + "/" + name
        }
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = testBinary.deletingLastPathComponent()
        // On Linux the test runner is `…/debug/TollgatePackageTests.xctest`.
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        fatalError("built executable \(name) not found near \(testBinary.path); run swift build first")
    }
}
