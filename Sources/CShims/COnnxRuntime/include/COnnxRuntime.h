// Our own minimal ONNX Runtime C API declarations (the PyPI wheel ships no headers).
// Filled in by the Vision work; see ../shared/ORT.md.
#ifndef ELASTIC_CONNXRUNTIME_H
#define ELASTIC_CONNXRUNTIME_H
#include <stdint.h>
#include <stddef.h>
#endif
