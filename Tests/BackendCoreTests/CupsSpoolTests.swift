import Testing
@testable import BackendCore

@Suite struct CupsSpoolTests {
    @Test func documentsAreNamedAsCupsdNamesThem() {
        let spool = CupsSpool(requestRoot: "/var/spool/cups")
        #expect(spool.documentPath(jobID: 7, document: 1) == "/var/spool/cups/d00007-001")
        #expect(spool.documentPath(jobID: 123456, document: 12) == "/var/spool/cups/d123456-012")
    }

    @Test func requestRootComesFromCupsFilesConf() {
        #expect(CupsSpool(cupsFilesConf: "# RequestRoot /nowhere\nrequestroot /srv/spool\nUser lp\n").requestRoot == "/srv/spool")
        #expect(CupsSpool(cupsFilesConf: "User lp\n").requestRoot == "/var/spool/cups")
        #expect(CupsSpool(serverRoot: "/nonexistent").requestRoot == "/var/spool/cups")
        #expect(CupsRunUser(cupsFilesConf: "RequestRoot /srv\nUser cupsys\nGroup lpadmin\n") == CupsRunUser(user: "cupsys", group: "lpadmin"))
    }
}
