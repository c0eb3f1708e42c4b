// libpq, PostgreSQL's own client library (Debian: libpq-dev; the header lives in
// /usr/include/postgresql and includes its neighbours by quotes).
#include <postgresql/libpq-fe.h>
