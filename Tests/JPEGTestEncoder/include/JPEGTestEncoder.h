// A libjpeg encoder for tests: makes JPEGs with the sampling factors, progressive or multi-scan
// layouts and arithmetic coding that Pillow cannot write, so the decoder is tested on them.
#ifndef EC_JPEG_TEST_ENCODER_H
#define EC_JPEG_TEST_ENCODER_H

#include <stddef.h>

typedef struct {
    unsigned width;
    unsigned height;
    /// 1 (grey), 3 (RGB in, YCbCr stored) or 4 (CMYK).
    int components;
    /// The first component's sampling factors (1...4); the others are 1x1.
    int lumaHorizontal;
    int lumaVertical;
    int progressive;
    int arithmetic;
    /// One sequential scan per component instead of one interleaved scan.
    int scanPerComponent;
    int quality;
} ECTestJPEGSpec;

/// Encodes `pixels` (`components` bytes per pixel, rows top to bottom). Returns a buffer to free
/// with ec_test_jpeg_free and its size, or NULL with libjpeg's message in `message` (200 bytes).
unsigned char *ec_test_jpeg_encode(const ECTestJPEGSpec *spec, const unsigned char *pixels,
                                   unsigned long *size, char *message);
void ec_test_jpeg_free(unsigned char *buffer);

#endif
