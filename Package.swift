// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way: executables → use cases → Pricing, QuotaDB, JobAnalysis, CUPS client.
// Pricing and JobAnalysis import neither CUPS nor the database. The backend runs once per job,
// so BackendCore links only libc, and the backend reads cupsd through IPPWire, not libcups (fast start-up).
// Release builds read what `make build` writes into .build-static-libs first
// (packaging/release-link-inputs.sh):
// - libstdc++.a alone, in a directory searched before the compiler's, so the two programs that
//   start once per job link libstdc++ statically (loading and binding libstdc++.so cost each
//   process about a millisecond);
// - qpdf.ld, a linker script naming libqpdf.a and the shared libraries libqpdf.so itself needs,
//   read from libqpdf as installed (so the list cannot drift from it).
let releaseLinkInputs = Context.packageDirectory + "/.build-static-libs"
let perJobLinking: [LinkerSetting] = [
    .unsafeFlags(["-L", releaseLinkInputs], .when(configuration: .release)),
]

let package = Package(
    name: "Tollgate",
    products: [
        .executable(name: "tollgate-backend", targets: ["tollgate-backend"]),
        .executable(name: "tollgate-gate", targets: ["tollgate-gate"]),
        .executable(name: "tollgate-analyse", targets: ["tollgate-analyse"]),
        .executable(name: "tollgate", targets: ["tollgate"]),
        .executable(name: "tollgated", targets: ["tollgated"]),
    ],
    dependencies: [
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Templates of the admin console's larger pages.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
        // HMAC-SHA-256 for the PIN pepper (already in the graph through Hummingbird's dependencies).
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
    ],
    targets: [
        // C libraries.
        .systemLibrary(name: "CCups", path: "Sources/CCups", providers: [.apt(["libcups2-dev"])]),
        .systemLibrary(name: "CQPDF", path: "Sources/CQPDF", providers: [.apt(["libqpdf-dev"])]),
        .target(name: "CBackendSupport", path: "Sources/CBackendSupport"),
        .systemLibrary(name: "CCrypt", path: "Sources/CCrypt", providers: [.apt(["libcrypt-dev"])]),
        .systemLibrary(name: "CPAM", path: "Sources/CPAM", providers: [.apt(["libpam0g-dev"])]),
        // libpq (libpq-dev to build, libpq5 to run), loaded on first use: see its header.
        .target(name: "CLibPQ", path: "Sources/CLibPQ"),
        .target(name: "CSQLiteSupport", path: "Sources/CSQLiteSupport", linkerSettings: [.linkedLibrary("sqlite3")]),

        // IPP values and a libcups-free client for cupsd's reads (queue policy, job identity), for
        // the programs that start once per job: loading libcups cost the backend ~4.5 ms a job.
        .target(name: "IPPWire", path: "Sources/IPPWire"),
        // The libcups2 client for everything else (release, cancel, move, job lists), with TLS and
        // every authentication scheme cupsd may ask for.
        .target(name: "CupsClient", dependencies: ["CCups", "IPPWire"], path: "Sources/CupsClient"),

        // Pure domain modules.
        .target(name: "Pricing", path: "Sources/Pricing"),
        .target(name: "PricingTOML", dependencies: ["Pricing", .product(name: "TOMLKit", package: "TOMLKit")],
                path: "Sources/PricingTOML"),
        // The analysis types, printed-output arithmetic and the client of `tollgate-analyse`: what the
        // backend needs, without libqpdf (loading it cost the backend milliseconds per job).
        .target(name: "JobAnalysisCore", dependencies: ["CBackendSupport"], path: "Sources/JobAnalysisCore"),
        // The document analysers; re-exports JobAnalysisCore.
        // libqpdf: static in release builds (libqpdf-dev ships libqpdf.a; its own dependencies stay
        // shared, named by qpdf.ld), so tollgate-analyse does not resolve thousands of C++ symbols
        // at every start.
        .target(name: "JobAnalysis", dependencies: ["JobAnalysisCore", "CQPDF"], path: "Sources/JobAnalysis",
                linkerSettings: [
                    .linkedLibrary("qpdf", .when(configuration: .debug)),
                    .unsafeFlags(["-Xlinker", releaseLinkInputs + "/qpdf.ld", "-Xlinker", "-lstdc++"],
                                 .when(configuration: .release)),
                ]),
        .target(name: "QuotaDB", dependencies: ["Pricing", "CSQLiteSupport", .product(name: "GRDB", package: "GRDB.swift")],
                path: "Sources/QuotaDB"),

        // The shared store of several print servers: PostgreSQL through libpq (its own client
        // library: one shared C library, no event loop, cheap to load in a once-per-job process).
        .target(name: "PostgreSQLStore", dependencies: ["CLibPQ", "QuotaDB", "Pricing"], path: "Sources/PostgreSQLStore"),

        // Mail to users: the outbox's delivery through sendmail or an SMTP relay (tollgated only).
        .target(name: "Mail", dependencies: ["QuotaDB"], path: "Sources/Mail"),

        // Use cases of the backend's path: queue policy, job identity, price, reserve, settle.
        .target(name: "Enforcement", dependencies: ["BackendCore", "IPPWire", "JobAnalysisCore", "Pricing", "PricingTOML", "QuotaDB", "PostgreSQLStore"],
                path: "Sources/Enforcement"),

        // Walk-up release: held jobs, grants, release/delete/move, expiry, PIN credentials; shared by
        // the CLI and tollgated.
        .target(name: "Release", dependencies: ["CCrypt", "CupsClient", "Enforcement", "Pricing", "QuotaDB",
                                                .product(name: "Crypto", package: "swift-crypto")],
                path: "Sources/Release"),

        // The release station and user portal (HTTP), kept out of the backend: NIO and Hummingbird
        // cost seconds of build and milliseconds of start-up.
        .target(name: "Station", dependencies: ["CPAM", "Release", "QuotaDB", "Pricing",
                                                .product(name: "Hummingbird", package: "hummingbird")],
                path: "Sources/Station"),
        // The Accounts API's credentials (clients, scopes, secrets, tokens; SHA-256 and HMAC),
        // shared by the CLI (`tollgate api-client`) and the API; no HTTP.
        .target(name: "APIAccess", dependencies: ["QuotaDB", .product(name: "Crypto", package: "swift-crypto")],
                path: "Sources/APIAccess"),
        // The Accounts API under /api/v1 and /oauth (JSON, OAuth 2.0 client credentials, RFC 9457
        // problems), mounted by tollgated beside the station.
        .target(name: "AccountsAPI", dependencies: ["APIAccess", "QuotaDB", "Pricing", "Release",
                                                    .product(name: "Hummingbird", package: "hummingbird")],
                path: "Sources/AccountsAPI", resources: [.embedInCode("openapi.json")]),
        // The admin console at /admin (accounts, users, reports, rates cards), mounted by tollgated
        // next to the station; changes go through the same QuotaDB calls as the CLI.
        .target(name: "AdminConsole", dependencies: ["Station", "QuotaDB", "Pricing", "PricingTOML", "CupsClient", "IPPWire", "Enforcement", "JobAnalysisCore", "Release",
                                                     .product(name: "Hummingbird", package: "hummingbird"),
                                                     .product(name: "Mustache", package: "swift-mustache")],
                path: "Sources/AdminConsole"),
        .executableTarget(name: "tollgated", dependencies: ["Station", "AdminConsole", "Enforcement", "Release", "AccountsAPI", "Mail", "PostgreSQLStore", "GateService", "GateWire",
                                                            .product(name: "Hummingbird", package: "hummingbird"),
                                                            .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Sources/Tollgated"),

        // `tollgate-analyse FILE`: job analysis in its own process, so hostile documents are parsed
        // under rlimits and without the database's privileges.
        .executableTarget(name: "tollgate-analyse", dependencies: ["JobAnalysis", "JobAnalysisCore", "CBackendSupport"], path: "Sources/AnalyseTool",
                          linkerSettings: perJobLinking),

        // The `tollgate:` backend wrapper: argv/env, spool, exec of the real backend.
        .target(name: "BackendCore", dependencies: ["CBackendSupport"], path: "Sources/BackendCore"),
        // The gate's wire and its client (the backend: no Foundation, no database), and the gate
        // service (in tollgated) that decides and settles jobs on open stores.
        .target(name: "GateWire", dependencies: ["BackendCore", "CBackendSupport"], path: "Sources/GateWire"),
        .target(name: "GateService", dependencies: ["BackendCore", "CBackendSupport", "Enforcement", "GateWire", "JobAnalysisCore", "PostgreSQLStore", "QuotaDB"],
                path: "Sources/GateService"),
        .executableTarget(name: "tollgate-backend", dependencies: ["BackendCore", "GateWire"], path: "Sources/Backend",
                          linkerSettings: perJobLinking),
        // The job decided in one process, when the gate service does not run (the backend becomes it).
        .executableTarget(name: "tollgate-gate", dependencies: ["BackendCore", "Enforcement", "GateWire"], path: "Sources/Gate",
                          linkerSettings: perJobLinking),

        // `tollgate`: the admin and user command line.
        .executableTarget(name: "tollgate", dependencies: [
            "Pricing", "PricingTOML", "JobAnalysis", "QuotaDB", "PostgreSQLStore", "Enforcement", "CupsClient", "IPPWire", "Release", "APIAccess",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Sources/CLI"),

        // Shared helpers for tests: built products, processes, the CUPS test bench.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .executableTarget(name: "tollgate-backend-transparent", dependencies: ["BackendCore"],
                          path: "Tests/Fixtures/TransparentBackend"),
        .testTarget(name: "GateWireTests", dependencies: ["GateWire", "BackendCore"], path: "Tests/GateWireTests"),
        .testTarget(name: "BackendCoreTests", dependencies: ["BackendCore", "TestSupport"], path: "Tests/BackendCoreTests"),
        .testTarget(name: "PricingTests", dependencies: ["Pricing", "PricingTOML", "TestSupport"], path: "Tests/PricingTests"),
        .testTarget(name: "JobAnalysisTests", dependencies: ["JobAnalysis"], path: "Tests/JobAnalysisTests"),
        .testTarget(name: "EnforcementTests", dependencies: ["BackendCore", "Enforcement", "IPPWire", "JobAnalysis", "Pricing", "QuotaDB"], path: "Tests/EnforcementTests"),
        .testTarget(name: "QuotaDBTests", dependencies: ["QuotaDB", "PostgreSQLStore", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")], path: "Tests/QuotaDBTests"),
        .testTarget(name: "PostgreSQLStoreTests", dependencies: ["PostgreSQLStore", "QuotaDB", "Pricing", "TestSupport"], path: "Tests/PostgreSQLStoreTests"),
        .testTarget(name: "CLITests", dependencies: ["TestSupport"], path: "Tests/CLITests"),
        .testTarget(name: "IPPWireTests", dependencies: ["IPPWire", "TestSupport"], path: "Tests/IPPWireTests"),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "CupsClient", "IPPWire"], path: "Tests/EndToEndTests"),
        .testTarget(name: "ReleaseTests", dependencies: ["Release", "QuotaDB", "Pricing"], path: "Tests/ReleaseTests"),
        .testTarget(name: "StationTests", dependencies: ["TestSupport", "Station", "Release", "QuotaDB", "Pricing"],
                    path: "Tests/StationTests", exclude: ["station_browser.py"]),
        .testTarget(name: "AccountsAPITests", dependencies: ["TestSupport", "AccountsAPI", "APIAccess", "QuotaDB", "Pricing",
                                                       .product(name: "Hummingbird", package: "hummingbird")],
                    path: "Tests/AccountsAPITests", exclude: ["schemathesis.sh"]),
        .testTarget(name: "AdminConsoleTests", dependencies: ["TestSupport", "AdminConsole", "Station", "QuotaDB", "Pricing"],
                    path: "Tests/AdminConsoleTests", exclude: ["admin_browser.py"]),
    ]
)

// Fuzz targets (Fuzz/, `make fuzz`): only when TOLLGATE_FUZZ is set, so a normal `swift build`
// neither sees nor builds them. Fuzz/run.sh builds them with -sanitize=fuzzer in .build-fuzz.
if Context.environment["TOLLGATE_FUZZ"] != nil {
    let fuzzFlags: [SwiftSetting] = [.unsafeFlags(["-parse-as-library", "-sanitize=fuzzer"])]
    let fuzzLink: [LinkerSetting] = [.unsafeFlags(["-sanitize=fuzzer"])]
    package.targets += [
        .target(name: "FuzzDriver", path: "Fuzz/FuzzDriver"),
        .executableTarget(name: "FuzzAnalysers", dependencies: ["FuzzDriver", "JobAnalysis"], path: "Fuzz/Analysers",
                          swiftSettings: fuzzFlags, linkerSettings: fuzzLink),
        .executableTarget(name: "FuzzIPPDecoder", dependencies: ["FuzzDriver", "IPPWire"], path: "Fuzz/IPPDecoder",
                          swiftSettings: fuzzFlags, linkerSettings: fuzzLink),
        .executableTarget(name: "FuzzRatesCard", dependencies: ["FuzzDriver", "Pricing", "PricingTOML"], path: "Fuzz/RatesCard",
                          swiftSettings: fuzzFlags, linkerSettings: fuzzLink),
        .executableTarget(name: "FuzzStationForms", dependencies: ["FuzzDriver"], path: "Fuzz/StationForms",
                          swiftSettings: fuzzFlags, linkerSettings: fuzzLink),
    ]
}
