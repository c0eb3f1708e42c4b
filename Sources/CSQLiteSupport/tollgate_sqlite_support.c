#include "tollgate_sqlite_support.h"

#include <sqlite3.h>

int tollgate_sqlite_keep_wal(struct sqlite3 *db) {
    int on = 1;
    int rc = sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &on);
    if (rc != SQLITE_OK) return rc;
    return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}
