import Testing
@testable import BackendCore

@Suite struct WrappedDeviceURITests {
    @Test(arguments: [
        ("tollgate:ipp://10.0.0.5/ipp/print", "ipp://10.0.0.5/ipp/print", "ipp"),
        ("tollgate:socket://printer.example.com:9100", "socket://printer.example.com:9100", "socket"),
        ("tollgate:lpd://host/queue?format=l", "lpd://host/queue?format=l", "lpd"),
        ("tollgate:usb://HP/LaserJet%20400?serial=ABC", "usb://HP/LaserJet%20400?serial=ABC", "usb"),
        ("TOLLGATE:IPPS://host:631/ipp/print", "IPPS://host:631/ipp/print", "ipps"),
        ("tollgate:hp:/usb/OfficeJet?serial=1", "hp:/usb/OfficeJet?serial=1", "hp"),
        ("tollgate:ipp://user:secret@host/ipp/print", "ipp://user:secret@host/ipp/print", "ipp"),
        ("tollgate:ipp://[::1]:631/ipp/print", "ipp://[::1]:631/ipp/print", "ipp"),
        ("tollgate:ipp://[fe80::1%25eth0]/ipp/print", "ipp://[fe80::1%25eth0]/ipp/print", "ipp"),
        ("tollgate:file:///dev/null", "file:///dev/null", "file"),
        ("tollgate:dnssd://HP%20LaserJet._ipp._tcp.local./?uuid=1-2", "dnssd://HP%20LaserJet._ipp._tcp.local./?uuid=1-2", "dnssd"),
        ("tollgate:smb://dom;u:p%40x@srv/q", "smb://dom;u:p%40x@srv/q", "smb"),
    ])
    func parsesRealURI(device: String, real: String, scheme: String) throws {
        let uri = try WrappedDeviceURI(parsing: device)
        #expect(uri.realURI == real)
        #expect(uri.realScheme == scheme)
    }

    @Test func refusesEmptyRealURI() {
        #expect(throws: BackendError.emptyRealURI) { try WrappedDeviceURI(parsing: "tollgate:") }
    }

    @Test(arguments: ["tollgate:tollgate:ipp://h/ipp/print", "tollgate:TollGate:socket://h", "tollgate:tollgate://x"])
    func refusesRecursion(device: String) {
        #expect(throws: BackendError.recursiveURI) { try WrappedDeviceURI(parsing: device) }
    }

    @Test(arguments: ["ipp://h/ipp/print", "socket://h:9100", "", "tollgat:ipp://h"])
    func refusesOtherSchemes(device: String) {
        #expect(throws: BackendError.notATollgateURI(device)) { try WrappedDeviceURI(parsing: device) }
    }

    @Test(arguments: [
        "tollgate:printer", "tollgate:://host", "tollgate:ipp://host:99999999/x", "tollgate:ipp://ho st/x",
        "tollgate:ipp://host/x\nERROR: forged", "tollgate:../../bin/sh://x", "tollgate:1pp://host",
        "tollgate:ipp://host:0/x", "tollgate:ipp://host:/x", "tollgate:ipp://host:65536/x", "tollgate:ipp://us<er@host/x",
        "tollgate:ipp://ho%zzst/x", "tollgate:ipp://[::1/x", "tollgate:ipp://[::1]x/y", "tollgate:ipp://h\"st/x",
    ])
    func refusesMalformedRealURI(device: String) {
        #expect {
            try WrappedDeviceURI(parsing: device)
        } throws: { error in
            guard case BackendError.malformedRealURI(_, let reason) = error else { return false }
            return !reason.isEmpty
        }
    }

    @Test func malformedMessageIsOneLineAndHidesPassword() throws {
        do {
            _ = try WrappedDeviceURI(parsing: "tollgate:ipp://bob:hunter2@host:bad/x\nforged")
            Issue.record("expected an error")
        } catch {
            #expect(!error.message.contains("\n"))
            #expect(!error.message.contains("hunter2"))
        }
    }

    @Test(arguments: [
        ("ipp://user:secret@host/ipp/print", "ipp://host/ipp/print"),
        ("socket://host:9100", "socket://host:9100"),
        ("smb://dom;u:p@srv/q", "smb://srv/q"),
        ("ipp://host/path@odd", "ipp://host/path@odd"),
        ("hp:/usb/x", "hp:/usb/x"),
    ])
    func redactsCredentials(uri: String, shown: String) {
        #expect(WrappedDeviceURI.redacted(uri) == shown)
    }
}
