#!/bin/bash
# Start a throw-away Postfix -> Dovecot LMTP -> Maildir, with Dovecot IMAP, on loopback.
# Used by the test suite (tests/mailservers.py) and the benchmarks. Run as root.
# Everything (config, queue, mail, logs) lives under $MAILTEST_ROOT; /etc is untouched,
# so several instances (one per pytest-xdist worker) can run side by side.
#   MAILTEST_ROOT (required)  MAILTEST_DOMAIN (sokhcn.example)  MAILTEST_USERS (local parts)
#   MAILTEST_PASSWORD (secret)  MAILTEST_SMTP_PORT / MAILTEST_IMAP_PORT / MAILTEST_LMTP_PORT
#   MAILTEST_TLS_CERT / MAILTEST_TLS_KEY (optional: the servers' certificate and key)
set -euo pipefail
ROOT=$(realpath -m "${MAILTEST_ROOT:?set MAILTEST_ROOT to a scratch folder}")  # postfix -c needs it absolute
DOMAIN=${MAILTEST_DOMAIN:-sokhcn.example}
USERS=${MAILTEST_USERS:-"baocao vanphong qlkh"}
PASSWORD=${MAILTEST_PASSWORD:-secret}
SMTP_PORT=${MAILTEST_SMTP_PORT:-2525}
IMAP_PORT=${MAILTEST_IMAP_PORT:-1143}
LMTP_PORT=${MAILTEST_LMTP_PORT:-2424}
NAME=$(basename "$ROOT" | tr -c 'A-Za-z0-9\n' '_')
ETC=$ROOT/etc
HERE=$(dirname "$0")

"$HERE/real-stop.sh" >/dev/null 2>&1 || true
mkdir -p "$ETC/dovecot" "$ETC/postfix" "$ETC/tls" "$ROOT/run/dovecot" "$ROOT/lib/dovecot" \
         "$ROOT/log" "$ROOT/spool/postfix" "$ROOT/lib/postfix"
install -d -o mail -g mail -m 0750 "$ROOT/mail"
chown postfix:postfix "$ROOT/lib/postfix"

# TLS: MAILTEST_TLS_CERT/KEY name a certificate for 127.0.0.1/localhost issued by the
# test run's throw-away CA (tests/servers/make-certs.sh), so mailflow talks to both
# servers over STARTTLS with verification on; without them, a self-signed one.
if [ -n "${MAILTEST_TLS_CERT:-}" ]; then
  install -m 0644 "$MAILTEST_TLS_CERT" "$ETC/tls/cert.pem"
  install -m 0600 "${MAILTEST_TLS_KEY:?MAILTEST_TLS_KEY goes with MAILTEST_TLS_CERT}" "$ETC/tls/key.pem"
elif [ ! -s "$ETC/tls/cert.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=mail.$DOMAIN" \
    -keyout "$ETC/tls/key.pem" -out "$ETC/tls/cert.pem" 2>/dev/null
  chmod 600 "$ETC/tls/key.pem"
fi

# users: Dovecot passwd-file + Postfix recipient list (texthash: no postmap needed)
: >"$ETC/dovecot/users"; : >"$ETC/postfix/vmailbox"
for u in $USERS postmaster; do
  echo "$u@$DOMAIN:{PLAIN}$PASSWORD" >>"$ETC/dovecot/users"
  echo "$u@$DOMAIN OK" >>"$ETC/postfix/vmailbox"
done
chmod 640 "$ETC/dovecot/users"; chgrp dovecot "$ETC/dovecot/users"

cat >"$ETC/dovecot/dovecot.conf" <<CONF
protocols = imap lmtp
listen = 127.0.0.1
base_dir = $ROOT/run/dovecot
state_dir = $ROOT/lib/dovecot
instance_name = mailtest_$NAME
log_path = $ROOT/log/dovecot.log
info_log_path = $ROOT/log/dovecot.log
ssl = yes
ssl_cert = <$ETC/tls/cert.pem
ssl_key = <$ETC/tls/key.pem
ssl_dh = </usr/share/dovecot/dh.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_username_format = %Lu
first_valid_uid = 8
mail_uid = mail
mail_gid = mail
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \Trash
    auto = subscribe
  }
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu $ETC/dovecot/users
}
userdb {
  driver = static
  args = uid=mail gid=mail home=$ROOT/mail/%Ld/%Ln
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
service auth {
  unix_listener $ROOT/spool/postfix/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
protocol imap {
  mail_max_userip_connections = 500
}
protocol lmtp {
  postmaster_address = postmaster@$DOMAIN
}
CONF

# no comments after a setting: Postfix would take them as part of the value
cat >"$ETC/postfix/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $ROOT/spool/postfix
data_directory = $ROOT/lib/postfix
maillog_file = $ROOT/log/postfix.log
maillog_file_prefixes = $ROOT/log
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.$DOMAIN
mydomain = $DOMAIN
myorigin = \$mydomain
mydestination =
local_recipient_maps =
local_transport = error:local delivery disabled
alias_maps =
alias_database =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtputf8_enable = no
virtual_mailbox_domains = $DOMAIN
virtual_mailbox_maps = texthash:$ETC/postfix/vmailbox
virtual_transport = lmtp:inet:127.0.0.1:$LMTP_PORT
default_transport = error:outbound mail disabled in test setup
relay_transport = error:outbound mail disabled in test setup
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = private/auth
smtpd_tls_security_level = may
smtpd_tls_cert_file = $ETC/tls/cert.pem
smtpd_tls_key_file = $ETC/tls/key.pem
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
message_size_limit = 104857600
smtpd_client_connection_count_limit = 0
smtpd_client_message_rate_limit = 0
default_process_limit = 20
biff = no
append_dot_mydomain = no
readme_directory = no
CONF

cat >"$ETC/postfix/master.cf" <<CONF
127.0.0.1:$SMTP_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CONF

fail() { echo "FAILED: $*" >&2; tail -n 20 "$ROOT"/log/*.log >&2 2>/dev/null; exit 1; }
# Postfix first: it creates private/ where Dovecot puts its auth socket.
postfix -c "$ETC/postfix" start >/dev/null 2>&1 || fail "postfix start"
# Dovecot keeps the stderr it was started with: never hand it a pipe someone waits on.
dovecot -c "$ETC/dovecot/dovecot.conf" </dev/null >/dev/null 2>"$ROOT/log/dovecot-start.err" ||
  { cat "$ROOT/log/dovecot-start.err" >&2; fail "dovecot"; }

wait_port() {
  for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done
  fail "port $1 did not open"
}
wait_port "$LMTP_PORT"; wait_port "$IMAP_PORT"; wait_port "$SMTP_PORT"
echo "mail test servers up: SMTP 127.0.0.1:$SMTP_PORT IMAP 127.0.0.1:$IMAP_PORT domain $DOMAIN"
