// libpng 1.6: the simplified png_image_* API (no setjmp/longjmp crosses into Swift).
#ifndef ELASTIC_CPNG_SHIM_H
#define ELASTIC_CPNG_SHIM_H
#include <png.h>
#endif
