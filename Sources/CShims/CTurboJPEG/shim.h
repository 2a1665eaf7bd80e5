// libjpeg-turbo 2.1 (Debian bookworm): the tj* API only. TJSCALED is a macro Swift cannot call.
#ifndef ELASTIC_CTURBOJPEG_SHIM_H
#define ELASTIC_CTURBOJPEG_SHIM_H
#include <turbojpeg.h>
static inline int ec_tjscaled(int dimension, tjscalingfactor f) { return TJSCALED(dimension, f); }
#endif
