#!/bin/sh
# What a PostgreSQL connection costs a once-per-job process, side by side: libpq over a Unix
# socket (peer/trust, a database on the print server) and over TCP with TLS and SCRAM-SHA-256
# (a remote server, as several print servers share one). pgbench -C opens a new connection for
# every transaction (one SELECT of a row by key), as a backend process would; it reports the
# average connection time and the transactions per second.
#
# Starts a private cluster in a temporary directory (as the tests do; never the system's),
# on a Unix socket there and a free loopback port. Needs: postgresql (make deps), openssl.
set -eu
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
seconds=${SECONDS_PER_RUN:-5}
dir=$(mktemp -d /tmp/tollgate-pgbench.XXXXXX)
chmod 0700 "$dir"
cleanup() { runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT INT TERM
mkdir "$dir/socket"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout "$dir/server.key" -out "$dir/server.crt" 2>/dev/null
chmod 0600 "$dir/server.key"
chown -R postgres:postgres "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U tollgate --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-sync >/dev/null
cat >"$dir/data/pg_hba.conf" <<HBA
local   all all                 trust
hostssl all all 127.0.0.1/32    scram-sha-256
HBA
runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o \
    "-k $dir/socket -c listen_addresses=127.0.0.1 -p $port -c ssl=on -c ssl_cert_file=$dir/server.crt -c ssl_key_file=$dir/server.key -c password_encryption=scram-sha-256" start >/dev/null
password=bench-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
psql -X -q -h "$dir/socket" -p "$port" -U tollgate -d postgres -c "ALTER ROLE tollgate PASSWORD '$password'" 
pgbench -q -i -s 1 -h "$dir/socket" -p "$port" -U tollgate postgres >/dev/null 2>&1

run() {  # label, then pgbench connection options
    label=$1; shift
    out=$(PGPASSWORD=$password pgbench -n -C -S -T "$seconds" "$@" -U tollgate postgres 2>&1)
    conn=$(echo "$out" | sed -n 's/^average connection time = \([0-9.]*\) ms/\1/p')
    tps=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
    printf '%-44s %8s ms per connection  %8s connections+queries/s\n' "$label" "$conn" "$tps"
}
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}'), pgbench -C -S for ${seconds}s each, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
run "Unix socket, trust (same machine)" -h "$dir/socket" -p "$port"
export PGSSLMODE=require
run "TCP loopback, TLS + SCRAM-SHA-256 (remote)" -h 127.0.0.1 -p "$port"
