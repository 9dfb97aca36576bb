#!/usr/bin/env bash
# Benchmark of responses.csv: icare's export through the real handler against
# the sqlite3 command line on the same table, in the same run, with peak
# memory from /usr/bin/time -v; the same export as an Excel workbook
# (responses.xlsx), against the CSV file; and the real icare binary serving
# it over HTTP to curl, against sqlite3, with the server's peak memory during
# the download. With PG (a PostgreSQL server's URL, e.g.
# postgres://postgres@127.0.0.1:5432/test) the same rows are copied into a
# database there and icare over HTTP is set beside
# psql -c "\copy (…) to stdout csv". Not part of go test ./... or CI.
#
#   scripts/bench-export.sh            # 1,000,000 responses, 3 runs each
#   N=200000 RUNS=5 scripts/bench-export.sh
#   PG=postgres://postgres@127.0.0.1:5432/test scripts/bench-export.sh
#   SKIP_XLSX=1 scripts/bench-export.sh   # without the (slow) workbook
#
# The database is built once (about 30 s for a million responses) in
# $BENCH_DIR (default /tmp/icare-export-bench) and reused while N is the same.
# Both sides write their file to $BENCH_DIR, so both pay for the disk.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000000}
RUNS=${RUNS:-3}
DIR=${BENCH_DIR:-/tmp/icare-export-bench}
DB="$DIR/icare-$N.db"
mkdir -p "$DIR"
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 command line (apt-get install sqlite3)"; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)"; exit 1; }

echo "== build the test binary and icare"
go test -tags exportbench -c -o "$DIR/handlers.test" ./handlers
go build -o "$DIR/icare" .

echo "== seed $N responses (once)"
ICARE_EXPORT_BENCH_DB="$DB" ICARE_EXPORT_BENCH_N="$N" "$DIR/handlers.test" -test.run '^TestExportBenchSeed$' -test.v | grep -E 'seeded|exists' || true

# The same rows and the columns the CLI can give without icare: ids, names,
# perspective, version, time, the 25 raw answers and the comment. (icare adds
# team_path, five key scores, the index and straightlined, and quotes the
# same way.)
COLS="r.id, rd.name, t.name, r.perspective, r.instrument_version, r.submitted_at, r.i1, r.i2, r.i3, r.i4, r.i5, r.c1, r.c2, r.c3, r.c4, r.c5, r.a1, r.a2, r.a3, r.a4, r.a5, r.r1, r.r2, r.r3, r.r4, r.r5, r.e1, r.e2, r.e3, r.e4, r.e5, r.comment"
QUERY="SELECT $COLS FROM responses r JOIN teams t ON t.id = r.team_id JOIN rounds rd ON rd.id = r.round_id WHERE r.round_id = (SELECT id FROM rounds WHERE status = 'open') AND r.status = 'submitted' ORDER BY r.id"
# The stricter baseline: the responses table alone, ids instead of names.
BARE="SELECT ${COLS//rd.name/r.round_id} FROM responses r WHERE r.round_id = (SELECT id FROM rounds WHERE status = 'open') AND r.status = 'submitted' ORDER BY r.id"
BARE=${BARE//t.name/r.team_id}

# measure NAME CMD...: run under /usr/bin/time -v, print seconds and peak KiB.
measure() {
  local name=$1; shift
  /usr/bin/time -v "$@" 2>"$DIR/time.txt" >"$DIR/stdout.txt"
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$DIR/time.txt" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$DIR/time.txt")
  echo "$name $wall $rss" | tee -a "$DIR/results.txt"
}

: >"$DIR/results.txt"
echo "== $RUNS runs each, alternating (name, wall seconds, peak RSS KiB)"
for i in $(seq "$RUNS"); do
  measure sqlite3 sqlite3 -csv -header "$DB" "$QUERY" -cmd ".output $DIR/sqlite3.csv"
  measure sqlite3-bare sqlite3 -csv -header "$DB" "$BARE" -cmd ".output $DIR/sqlite3-bare.csv"
  measure icare env ICARE_EXPORT_BENCH_DB="$DB" ICARE_EXPORT_BENCH_OUT="$DIR/icare.csv" \
    "$DIR/handlers.test" -test.run '^TestExportBenchExport$'
  grep -h 'icare export:' "$DIR/stdout.txt" || true
  [ -n "${SKIP_XLSX:-}" ] && continue
  measure icare-xlsx env ICARE_EXPORT_BENCH_DB="$DB" ICARE_EXPORT_BENCH_OUT="$DIR/icare.xlsx" \
    ICARE_EXPORT_BENCH_PATH=/export/responses.xlsx "$DIR/handlers.test" -test.run '^TestExportBenchExport$'
  grep -h 'icare export:' "$DIR/stdout.txt" || true
done

# icare serve over DATABASE_URL on a free port, signed in with curl; then
# each run downloads responses.csv with curl and reads the server's peak RSS
# (reset before each download through /proc/PID/clear_refs).
ADMIN=bench@example.org
ADMIN_PASSWORD="a benchmark admin password"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
trap '[ -z "${SERVER:-}" ] || kill "$SERVER" 2>/dev/null || true' EXIT
serve_icare() {
  ICARE_ADMIN_EMAIL=$ADMIN ICARE_ADMIN_PASSWORD=$ADMIN_PASSWORD "$DIR/icare" serve --database-url "$1" \
    --addr "127.0.0.1:$PORT" --base-url "http://127.0.0.1:$PORT" 2>"$DIR/serve.log" >/dev/null &
  SERVER=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
  rm -f "$DIR/jar"
  local csrf
  csrf=$(curl -s -c "$DIR/jar" -b "$DIR/jar" "http://127.0.0.1:$PORT/login" | grep -o 'name="_csrf" value="[^"]*"' | cut -d'"' -f4)
  curl -s -o /dev/null -c "$DIR/jar" -b "$DIR/jar" --data-urlencode "_csrf=$csrf" --data-urlencode "email=$ADMIN" \
    --data-urlencode "password=$ADMIN_PASSWORD" "http://127.0.0.1:$PORT/login"
}
# download NAME: one timed download; prints name, seconds, server peak KiB.
download() {
  echo 5 >"/proc/$SERVER/clear_refs"
  local t0 t1
  t0=$(date +%s.%N)
  curl -sf -b "$DIR/jar" -o "$DIR/$1.csv" "http://127.0.0.1:$PORT/export/responses.csv"
  t1=$(date +%s.%N)
  echo "$1 $(echo "$t1 - $t0" | bc) $(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")" | tee -a "$DIR/results.txt"
}

echo "== over HTTP: icare serve and curl against sqlite3 (name, wall seconds, server peak RSS KiB)"
serve_icare "sqlite:$DB"
for i in $(seq "$RUNS"); do
  measure sqlite3 sqlite3 -csv -header "$DB" "$QUERY" -cmd ".output $DIR/sqlite3.csv"
  download icare-http
done
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true

if [ -n "${PG:-}" ]; then
  PGDB="icare_bench_$N"
  PGURL="${PG%/*}/$PGDB"
  if ! psql "$PG" -tAc "SELECT 1 FROM pg_database WHERE datname = '$PGDB'" | grep -q 1; then
    echo "== copy the $N responses into PostgreSQL ($PGDB, once)"
    psql -q "$PG" -c "CREATE DATABASE $PGDB"
    "$DIR/icare" team list --database-url "$PGURL" >/dev/null # migrates
    for table in teams rounds responses; do
      cols=$(sqlite3 "$DB" "SELECT group_concat(name, ', ') FROM pragma_table_info('$table')")
      sqlite3 -csv -cmd '.nullvalue \\N' "$DB" "SELECT $cols FROM $table" |
        psql -q "$PGURL" -c "\copy $table ($cols) FROM STDIN WITH (FORMAT csv, NULL '\N')"
    done
  fi
  echo "== over HTTP on PostgreSQL: icare serve and curl against psql \\copy"
  serve_icare "$PGURL"
  for i in $(seq "$RUNS"); do
    measure psql psql "$PGURL" -c "\copy ($QUERY) to '$DIR/psql.csv' csv header"
    download icare-pg
  done
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
fi

echo "== files"
for f in sqlite3 sqlite3-bare icare; do
  printf '%-13s %12d bytes %9d lines\n' "$f" "$(stat -c %s "$DIR/$f.csv")" "$(wc -l <"$DIR/$f.csv")"
done

echo "== medians"
awk '
  { t[$1] = t[$1] " " $2; m[$1] = m[$1] " " $3 }
  function median(s,   a, n, i, j, x) {
    n = split(s, a, " ")
    for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j+1] = a[j]; a[j+1] = x }
    return (n % 2) ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
  }
  END {
    ts = median(t["sqlite3"]); tb = median(t["sqlite3-bare"]); ti = median(t["icare"])
    printf "sqlite3 -csv, names joined  %6.2f s  peak %6.1f MiB\n", ts, median(m["sqlite3"]) / 1024
    printf "sqlite3 -csv, table alone   %6.2f s  peak %6.1f MiB\n", tb, median(m["sqlite3-bare"]) / 1024
    printf "icare responses.csv         %6.2f s  peak %6.1f MiB\n", ti, median(m["icare"]) / 1024
    printf "icare/sqlite3 time: %.2f (names joined), %.2f (table alone)\n", ti / ts, ti / tb
    if ("icare-xlsx" in t) tx = median(t["icare-xlsx"])
    if ("icare-xlsx" in t) printf "icare responses.xlsx        %6.2f s  peak %6.1f MiB  (%.2f of the CSV file'"'"'s time)\n", tx, median(m["icare-xlsx"]) / 1024, tx / ti
    th = median(t["icare-http"])
    printf "icare over HTTP, curl       %6.2f s  server peak %6.1f MiB  (%.2f of sqlite3'"'"'s time, names joined)\n", th, median(m["icare-http"]) / 1024, th / ts
    if ("psql" in t) {
      tq = median(t["psql"]); tp = median(t["icare-pg"])
      printf "psql \\copy on PostgreSQL   %6.2f s\n", tq
      printf "icare on PostgreSQL, curl   %6.2f s  server peak %6.1f MiB  (%.2f of psql'"'"'s time)\n", tp, median(m["icare-pg"]) / 1024, tp / tq
    }
  }' "$DIR/results.txt"
