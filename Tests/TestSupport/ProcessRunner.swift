import Foundation

/// The result of running a program to completion.
public struct ProcessResult: Sendable {
    public var status: Int32
    /// True when the process ended by a signal; `status` is then the signal number.
    public var signaled: Bool
    public var stdout: String
    public var stderr: String
}

/// Runs programs for tests, with a time limit after which the process is killed.
public enum ProcessRunner {
    /// Runs `arguments` (argv[0] is the path, or a name looked up in PATH) and waits.
    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String]? = nil,
                           stdin: Data? = nil, stdinFile: String? = nil,
                           timeout: TimeInterval = 60) throws -> ProcessResult {
        let process = Process()
        if arguments[0].hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: arguments[0])
            process.arguments = Array(arguments.dropFirst())
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments
        }
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        if let stdinFile {
            process.standardInput = FileHandle(forReadingAtPath: stdinFile)
        } else if stdin != nil {
            process.standardInput = Pipe()
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        if let stdin, let pipe = process.standardInput as? Pipe {
            try pipe.fileHandleForWriting.write(contentsOf: stdin)
            try pipe.fileHandleForWriting.close()
        }
        let deadline = DispatchTime.now() + timeout
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        if group.wait(timeout: deadline) == .timedOut {
            process.terminate()
            kill(process.processIdentifier, SIGKILL)
            throw TestFailure("\(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        }
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus,
                             signaled: process.terminationReason == .uncaughtSignal,
                             stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs a shell command line with bash and returns its result.
    @discardableResult
    public static func shell(_ command: String, environment: [String: String]? = nil,
                             timeout: TimeInterval = 60) throws -> ProcessResult {
        try run(["/bin/bash", "-c", command], environment: environment, timeout: timeout)
    }
}

/// A test precondition that did not hold, with a message saying what.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A temporary directory removed when the value is released.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    /// Creates a directory with the given permissions (0755 so that `lp` can traverse it).
    public init(mode: Int = 0o755) throws {
        let template = NSTemporaryDirectory() + "tollgate-test.XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let result = mkdtemp(&bytes) else { throw TestFailure("mkdtemp failed: \(errno)") }
        path = String(cString: result)
        chmod(path, mode_t(mode))
    }

    /// Writes `text` to `name` inside the directory with the given mode and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String, mode: Int = 0o644) throws -> String {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: false, encoding: .utf8)
        chmod(file, mode_t(mode))
        return file
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
