#!/bin/sh
# Generates test PKI into DIR with the openssl CLI (EC P-256, fast):
#   ca.crt/key          the CA the client trusts
#   server.crt/key      signed by ca; SAN localhost, 127.0.0.1, api.kube.test
#   expired.crt/key     signed by ca, already expired
#   client.crt/key      client certificate signed by ca (CN=kt-client, O=system:masters)
#   other-ca.crt/key    an unrelated CA (the "wrong CA")
# Usage: gen-certs.sh DIR
set -eu
dir=$1
mkdir -p "$dir"
cd "$dir"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
key ca.key
openssl req -x509 -new -key ca.key -out ca.crt -days 2 -subj /CN=kt-ca 2>/dev/null
key other-ca.key
openssl req -x509 -new -key other-ca.key -out other-ca.crt -days 2 -subj /CN=kt-other-ca 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:api.kube.test\nextendedKeyUsage=serverAuth\n' > server.ext
key server.key
openssl req -new -key server.key -out server.csr -subj /CN=localhost 2>/dev/null
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
	-extfile server.ext -out server.crt 2>/dev/null
key expired.key
openssl req -new -key expired.key -out expired.csr -subj /CN=localhost 2>/dev/null
openssl x509 -req -in expired.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days -1 \
	-extfile server.ext -out expired.crt 2>/dev/null
printf 'extendedKeyUsage=clientAuth\n' > client.ext
key client.key
openssl req -new -key client.key -out client.csr -subj "/O=system:masters/CN=kt-client" 2>/dev/null
openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
	-extfile client.ext -out client.crt 2>/dev/null
rm -f ./*.csr ./*.ext ./*.srl
