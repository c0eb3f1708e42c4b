#ifndef TOLLGATE_SQLITE_SUPPORT_H
#define TOLLGATE_SQLITE_SUPPORT_H

struct sqlite3;

/// Keeps a WAL database's -wal and -shm files when the last connection closes
/// (SQLITE_FCNTL_PERSIST_WAL) and closes without checkpointing (SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE):
/// a process that opens the database for one job then neither creates and fsyncs a new WAL nor
/// checkpoints it (two more fsyncs) on the way out; the WAL is checkpointed when it reaches
/// SQLite's auto-checkpoint size. `sqlite3_db_config` is variadic, hence C. Returns 0 on success.
int tollgate_sqlite_keep_wal(struct sqlite3 *db);

#endif
