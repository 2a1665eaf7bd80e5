// zlib for WebSocket permessage-deflate (RFC 7692). deflateInit2/inflateInit2 are macros.
#ifndef ELASTIC_CZLIB_SHIM_H
#define ELASTIC_CZLIB_SHIM_H
#include <zlib.h>
static inline int ec_deflateInit2(z_streamp s, int level, int windowBits) {
    return deflateInit2(s, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}
static inline int ec_inflateInit2(z_streamp s, int windowBits) { return inflateInit2(s, windowBits); }
#endif
