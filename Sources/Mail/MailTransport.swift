import Foundation

/// How tollgated hands mail to the mail system.
///
/// - `sendmail`: the local mail transfer agent's sendmail interface (`sendmail -t -oi`, the
///   message on standard input): exim, postfix and msmtp all provide it.
/// - `smtp`: plain SMTP to a relay (the local MTA on 127.0.0.1:25, or a site relay on a trusted
///   network), for machines without a sendmail program.
///
/// Failure policy: any error (no MTA, connection refused, a 4xx or 5xx reply, a timeout) is
/// thrown with the server's words; the caller keeps the message for a later try.
public enum MailTransport: Sendable, Equatable {
    case sendmail(path: String)
    case smtp(host: String, port: Int)

    /// `/usr/sbin/sendmail`, or `host:port` for SMTP.
    public init?(_ text: String) {
        if text.hasPrefix("/") {
            self = .sendmail(path: text)
        } else if let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port),
                  colon > text.startIndex {
            self = .smtp(host: String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: port)
        } else {
            return nil
        }
    }

    /// Sends one message from `from` to `to`.
    public func send(from: String, to: String, subject: String, body: String, date: Date = Date()) throws(MailError) {
        let message = MailMessage(from: from, to: to, subject: subject, body: body, date: date)
        switch self {
        case .sendmail(let path): try Self.sendmail(path, message)
        case .smtp(let host, let port): try SMTPConnection(host: host, port: port).send(message)
        }
    }

    private static func sendmail(_ path: String, _ message: MailMessage) throws(MailError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-t", "-oi"]
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw .transport("cannot run \(path): \(error)")
        }
        input.fileHandleForWriting.write(Data(message.text.utf8))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else { throw .transport("\(path) exited with \(process.terminationStatus): \(said)") }
    }
}

/// Why a message was not sent.
public enum MailError: Error, Sendable, CustomStringConvertible {
    case transport(String)
    case refused(code: Int, text: String)

    public var description: String {
        switch self {
        case .transport(let text): text
        case .refused(let code, let text): "the mail server answered \(code) \(text)"
        }
    }
}

/// An RFC 5322 plain-text message. Header values come from Tollgate's own sentences (titles
/// are stripped of control characters before they get here); line breaks are removed from them
/// again, so nothing can add a header.
struct MailMessage {
    var from: String, to: String, subject: String, body: String, date: Date

    var text: String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        var lines = [
            "From: \(Self.header(from))",
            "To: \(Self.header(to))",
            "Subject: \(Self.encodedWord(Self.header(subject)))",
            "Date: \(formatter.string(from: date))",
            "Message-ID: <\(UUID().uuidString.lowercased())@tollgate>",
            "Auto-Submitted: auto-generated",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "",
        ]
        lines += body.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return lines.joined(separator: "\r\n") + (lines.last == "" ? "" : "\r\n")
    }

    static func header(_ value: String) -> String {
        String(value.unicodeScalars.filter { $0 != "\r" && $0 != "\n" }.map(Character.init))
    }

    /// RFC 2047 for a header with non-ASCII characters.
    static func encodedWord(_ value: String) -> String {
        value.unicodeScalars.allSatisfy({ $0.isASCII }) ? value : "=?UTF-8?B?\(Data(value.utf8).base64EncodedString())?="
    }
}
