// The libpq functions Tollgate calls, forwarded to libpq.so.5 loaded on first use (see
// include/tollgate_libpq.h); pipeline mode needs libpq 14 or later (Debian 12 has 15). Failure policy: when the library cannot be loaded, PQconnectdb
// returns NULL, PQstatus says CONNECTION_BAD and PQerrorMessage the loader's reason, so the
// caller reports the database as unavailable with that reason; nothing else is ever called
// without a connection.
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include "tollgate_libpq.h"

#define LIBPQ_FUNCTIONS(X) \
    X(PQconnectdb) X(PQstatus) X(PQerrorMessage) X(PQfinish) X(PQreset) \
    X(PQclear) X(PQresultStatus) X(PQcmdTuples) X(PQnfields) X(PQntuples) X(PQfname) \
    X(PQgetisnull) X(PQgetvalue) X(PQresultErrorField) X(PQresultErrorMessage) \
    X(PQtransactionStatus) X(PQenterPipelineMode) X(PQexitPipelineMode) X(PQpipelineStatus) \
    X(PQpipelineSync) X(PQsendQueryParams) X(PQsendPrepare) X(PQsendQueryPrepared) X(PQgetResult)

static struct {
#define FIELD(name) __typeof__(&name) name;
    LIBPQ_FUNCTIONS(FIELD)
#undef FIELD
} libpq;
static char load_error[512];
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load(void) {
    void *handle = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        snprintf(load_error, sizeof load_error, "cannot load libpq.so.5 (Debian package libpq5): %s", dlerror());
        return;
    }
#define RESOLVE(name) \
    if (!(libpq.name = (__typeof__(&name))dlsym(handle, #name))) { \
        snprintf(load_error, sizeof load_error, "libpq.so.5 has no %s", #name); return; }
    LIBPQ_FUNCTIONS(RESOLVE)
#undef RESOLVE
}

static int loaded(void) {
    pthread_once(&load_once, load);
    return load_error[0] == 0;
}

const char *tollgate_libpq_load_error(void) { return loaded() ? NULL : load_error; }

PGconn *PQconnectdb(const char *conninfo) { return loaded() ? libpq.PQconnectdb(conninfo) : NULL; }
ConnStatusType PQstatus(const PGconn *conn) { return conn && loaded() ? libpq.PQstatus(conn) : CONNECTION_BAD; }
char *PQerrorMessage(const PGconn *conn) { return loaded() ? libpq.PQerrorMessage(conn) : load_error; }
void PQfinish(PGconn *conn) { if (conn && loaded()) libpq.PQfinish(conn); }
void PQreset(PGconn *conn) { if (conn && loaded()) libpq.PQreset(conn); }
void PQclear(PGresult *res) { if (res && loaded()) libpq.PQclear(res); }
ExecStatusType PQresultStatus(const PGresult *res) { return loaded() ? libpq.PQresultStatus(res) : PGRES_FATAL_ERROR; }
char *PQcmdTuples(PGresult *res) { return loaded() ? libpq.PQcmdTuples(res) : ""; }
int PQnfields(const PGresult *res) { return loaded() ? libpq.PQnfields(res) : 0; }
int PQntuples(const PGresult *res) { return loaded() ? libpq.PQntuples(res) : 0; }
char *PQfname(const PGresult *res, int field_num) { return loaded() ? libpq.PQfname(res, field_num) : NULL; }
int PQgetisnull(const PGresult *res, int tup_num, int field_num) { return loaded() ? libpq.PQgetisnull(res, tup_num, field_num) : 1; }
char *PQgetvalue(const PGresult *res, int tup_num, int field_num) { return loaded() ? libpq.PQgetvalue(res, tup_num, field_num) : NULL; }
char *PQresultErrorField(const PGresult *res, int fieldcode) { return loaded() ? libpq.PQresultErrorField(res, fieldcode) : NULL; }
char *PQresultErrorMessage(const PGresult *res) { return loaded() ? libpq.PQresultErrorMessage(res) : load_error; }
PGTransactionStatusType PQtransactionStatus(const PGconn *conn) { return conn && loaded() ? libpq.PQtransactionStatus(conn) : PQTRANS_UNKNOWN; }
int PQenterPipelineMode(PGconn *conn) { return conn && loaded() ? libpq.PQenterPipelineMode(conn) : 0; }
int PQexitPipelineMode(PGconn *conn) { return conn && loaded() ? libpq.PQexitPipelineMode(conn) : 0; }
PGpipelineStatus PQpipelineStatus(const PGconn *conn) { return conn && loaded() ? libpq.PQpipelineStatus(conn) : PQ_PIPELINE_OFF; }
int PQpipelineSync(PGconn *conn) { return conn && loaded() ? libpq.PQpipelineSync(conn) : 0; }
int PQsendQueryParams(PGconn *conn, const char *command, int nParams, const Oid *paramTypes,
                      const char *const *paramValues, const int *paramLengths, const int *paramFormats, int resultFormat) {
    return conn && loaded() ? libpq.PQsendQueryParams(conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat) : 0;
}
PGresult *PQgetResult(PGconn *conn) { return conn && loaded() ? libpq.PQgetResult(conn) : NULL; }
int PQsendPrepare(PGconn *conn, const char *stmtName, const char *query, int nParams, const Oid *paramTypes) {
    return conn && loaded() ? libpq.PQsendPrepare(conn, stmtName, query, nParams, paramTypes) : 0;
}
int PQsendQueryPrepared(PGconn *conn, const char *stmtName, int nParams, const char *const *paramValues,
                        const int *paramLengths, const int *paramFormats, int resultFormat) {
    return conn && loaded() ? libpq.PQsendQueryPrepared(conn, stmtName, nParams, paramValues, paramLengths, paramFormats, resultFormat) : 0;
}
