// OpenSSL 3 libcrypto: SHA-256 and HMAC-SHA256 for SigV4, SHA-1 for the WebSocket accept key.
#ifndef ELASTIC_CCRYPTO_SHIM_H
#define ELASTIC_CCRYPTO_SHIM_H
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <string.h>

// SigV4 hashes a few hundred bytes per request. OpenSSL 3's one-shot EVP/HMAC calls fetch the
// algorithm and allocate a context on every call, which costs more than the hashing itself; the
// low-level SHA-256 functions (deprecated in 3.0 but present in every 3.x) work on a stack struct.
// HMAC is built on them (RFC 2104) so that a fixed key's padded inner/outer states are computed
// once and copied per message: the SigV4 signing key is reused for a whole day.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

typedef struct { SHA256_CTX inner; SHA256_CTX outer; } ec_hmac_sha256_key;

static inline void ec_sha256_init(SHA256_CTX *c) { SHA256_Init(c); }
static inline void ec_sha256_update(SHA256_CTX *c, const void *data, size_t len) { SHA256_Update(c, data, len); }
static inline void ec_sha256_final(SHA256_CTX *c, unsigned char out[32]) { SHA256_Final(out, c); }

static inline void ec_sha256(const void *data, size_t len, unsigned char out[32]) {
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, data, len);
    SHA256_Final(out, &c);
}

static inline void ec_hmac_sha256_key_init(ec_hmac_sha256_key *k, const void *key, size_t len) {
    unsigned char block[64], pad[64];
    memset(block, 0, sizeof block);
    if (len > 64) { ec_sha256(key, len, block); } else if (len > 0) { memcpy(block, key, len); }
    for (int i = 0; i < 64; i++) pad[i] = block[i] ^ 0x36;
    SHA256_Init(&k->inner);
    SHA256_Update(&k->inner, pad, 64);
    for (int i = 0; i < 64; i++) pad[i] = block[i] ^ 0x5c;
    SHA256_Init(&k->outer);
    SHA256_Update(&k->outer, pad, 64);
}

static inline void ec_hmac_sha256(const ec_hmac_sha256_key *k, const void *data, size_t len, unsigned char out[32]) {
    unsigned char inner[32];
    SHA256_CTX c = k->inner;
    SHA256_Update(&c, data, len);
    SHA256_Final(inner, &c);
    c = k->outer;
    SHA256_Update(&c, inner, 32);
    SHA256_Final(out, &c);
}

#pragma GCC diagnostic pop
#endif
