#!/bin/bash
# Make a throw-away CA and server certificates for the TLS tests, in $1 (created):
#   ca.pem / ca.key              the test CA (what ca_file points at)
#   server.pem / server.key      CA-signed, for localhost and 127.0.0.1 (SAN)
#   other.pem / other.key        CA-signed, for other.example only (wrong name)
#   expired.pem / expired.key    CA-signed for localhost/127.0.0.1, expired in 2020
#   selfsigned.pem / .key        self-signed, for localhost/127.0.0.1 (unknown issuer)
# Nothing here is trusted outside the test run; the keys are 0600.
set -euo pipefail
DIR=${1:?usage: make-certs.sh DIR}
mkdir -p "$DIR"; cd "$DIR"
umask 077
SAN="subjectAltName=DNS:localhost,IP:127.0.0.1"
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=mailflow test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout ca.key -out ca.pem 2>/dev/null
issue() {  # name subject-alt-name [openssl ca dates]
  local name=$1 san=$2
  openssl req -new -newkey rsa:2048 -nodes -subj "/CN=$name" -keyout "$name.key" \
    -out "$name.csr" 2>/dev/null
  printf '%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$san" >"$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 \
    -extfile "$name.ext" -out "$name.pem" 2>/dev/null
}
issue server "$SAN"
issue other "subjectAltName=DNS:other.example"
# expired: `openssl ca` is the one that takes explicit dates (OpenSSL 3.0 x509 does not)
mkdir -p ca.db; : >ca.db/index.txt; echo 1000 >ca.db/serial
cat >ca.db/ca.cnf <<CNF
[ca]
default_ca = test
[test]
dir = $PWD/ca.db
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
certificate = $PWD/ca.pem
private_key = $PWD/ca.key
default_md = sha256
policy = anything
copy_extensions = none
[anything]
commonName = supplied
[ext]
$SAN
basicConstraints=CA:FALSE
extendedKeyUsage=serverAuth
CNF
openssl req -new -newkey rsa:2048 -nodes -subj "/CN=expired" -keyout expired.key \
  -out expired.csr 2>/dev/null
openssl ca -batch -config ca.db/ca.cnf -extensions ext -startdate 20200101000000Z \
  -enddate 20200201000000Z -in expired.csr -out expired.pem -notext 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=localhost" -addext "$SAN" \
  -keyout selfsigned.key -out selfsigned.pem 2>/dev/null
rm -f ./*.csr ./*.ext
chmod 644 ./*.pem
