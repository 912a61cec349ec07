#!/bin/sh
# make_ca.sh DIR -- a throw-away test PKI for the TLS peers, made at test time.
#
#   ca.pem / ca.key          the test CA the router is told to trust
#   server.pem / server.key  signed by it; SAN localhost, webhook.test, 127.0.0.1
#   client.pem / client.key  signed by it; for mutual-TLS tests
#   other-ca.pem             an unrelated CA: trusting it must NOT work
#
# Nothing here is secret or long-lived: keys are 2048-bit RSA, valid 2 days.
set -eu
dir=${1:?usage: make_ca.sh DIR}
mkdir -p "$dir"
cd "$dir"
q() { "$@" >/dev/null 2>&1 || { echo "make_ca.sh: failed: $*" >&2; exit 1; }; }

mkca() {  # mkca NAME CN
    q openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$2" \
        -keyout "$1.key" -out "$1.pem" \
        -addext 'basicConstraints=critical,CA:TRUE' \
        -addext 'keyUsage=critical,keyCertSign,cRLSign'
}

mkleaf() {  # mkleaf NAME CN EXTFILE
    q openssl req -newkey rsa:2048 -nodes -subj "/CN=$2" -keyout "$1.key" -out "$1.csr"
    q openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
        -extfile "$3" -out "$1.pem"
    rm -f "$1.csr"
}

mkca ca alertrouter-test-ca
mkca other-ca unrelated-test-ca
printf 'subjectAltName=DNS:localhost,DNS:webhook.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' >server.ext
printf 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n' >client.ext
mkleaf server localhost server.ext
mkleaf client alertrouter-test-client client.ext
q openssl verify -CAfile ca.pem server.pem
q openssl verify -CAfile ca.pem client.pem
chmod 600 ./*.key
