// libpq, PostgreSQL's own client library, loaded when first used rather than linked: linking it
// pulled GnuTLS, Kerberos and LDAP into every process start (about 6 ms each time the backend ran,
// measured in bench/backend.py), also when the store is a SQLite file. The types and prototypes
// are libpq's own (Debian: libpq-dev; the header lives in /usr/include/postgresql and includes its
// neighbours by quotes); tollgate_libpq.c defines those functions by calling the ones dlopen
// found in libpq.so.5 (Debian: libpq5).
#include <postgresql/libpq-fe.h>

/// Why libpq.so.5 could not be loaded, or NULL when it is loaded (loads it on first call).
const char *tollgate_libpq_load_error(void);
