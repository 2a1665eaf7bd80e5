// OpenSSL 3 libcrypto: SHA-256 and HMAC-SHA256 for SigV4, SHA-1 for the WebSocket accept key.
#ifndef ELASTIC_CCRYPTO_SHIM_H
#define ELASTIC_CCRYPTO_SHIM_H
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#endif
