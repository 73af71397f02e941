#!/bin/bash
# Stop the Postfix + Dovecot that real-start.sh started under $MAILTEST_ROOT.
# MAILTEST_WIPE=1 also deletes mail, queue and logs.
ROOT=$(realpath -m "${MAILTEST_ROOT:?set MAILTEST_ROOT to a scratch folder}")
ETC=$ROOT/etc
ppid=$(tr -d ' ' <"$ROOT/spool/postfix/pid/master.pid" 2>/dev/null)
dpid=$(cat "$ROOT/run/dovecot/master.pid" 2>/dev/null)
if [ -n "$ppid" ] && kill -0 "$ppid" 2>/dev/null; then postfix -c "$ETC/postfix" stop >/dev/null 2>&1; fi
if [ -n "$dpid" ] && kill -0 "$dpid" 2>/dev/null; then kill -TERM "$dpid"; fi
alive=0
for _ in $(seq 1 200); do
  alive=0
  for p in $ppid $dpid; do kill -0 "$p" 2>/dev/null && alive=1; done
  [ $alive = 0 ] && break
  sleep 0.05
done
if [ $alive = 1 ]; then echo "mail servers still running: $ppid $dpid" >&2; exit 1; fi
if [ "${MAILTEST_WIPE:-0}" = 1 ]; then rm -rf "$ROOT/mail" "$ROOT/spool" "$ROOT/lib" "$ROOT/log" "$ROOT/run"; fi
exit 0
