// libjpeg(-turbo)'s own API behind a small C surface: its errors are reported by longjmp, which
// Swift cannot catch, so every entry point here sets the jump target and returns a status instead.
// We use it rather than the TurboJPEG wrapper for what that wrapper (2.1) cannot do: decode only
// the columns and rows a centre crop needs.
#ifndef EC_CJPEG_H
#define EC_CJPEG_H

#include <stddef.h>
#include <stdint.h>

typedef struct ECJPEGDecoder ECJPEGDecoder;

typedef struct {
    /// As stored, before any scaling.
    unsigned width;
    unsigned height;
    /// Adobe CMYK or YCCK: decoded as 4 inverted channels (the caller converts to RGB).
    int isCMYK;
} ECJPEGHeader;

/// A decoder over `data`, which is not copied and must outlive it. Every warning libjpeg raises
/// (a truncated or damaged stream) is an error, and a progressive stream with more than
/// `maxScans` scans is refused (a CPU-exhaustion attack). NULL only when out of memory.
ECJPEGDecoder *ec_jpeg_create(const uint8_t *data, size_t size, int maxScans);
void ec_jpeg_destroy(ECJPEGDecoder *decoder);
/// Why the last call failed (libjpeg's own message).
const char *ec_jpeg_message(const ECJPEGDecoder *decoder);

/// Each returns 0 on success, -1 on failure (see ec_jpeg_message); after a failure only
/// ec_jpeg_destroy may be called.
int ec_jpeg_read_header(ECJPEGDecoder *decoder, ECJPEGHeader *header);
/// Starts decoding at 1/`scaleDenominator` size (1, 2, 4 or 8) in the DCT domain, keeping only
/// columns [*x, *x + *width) of the scaled image; libjpeg widens the span to whole blocks and
/// writes back the span it will produce. Pass *x = 0 and *width = 0 for every column.
/// The scaled size is written to `outputWidth` and `outputHeight`.
int ec_jpeg_start(ECJPEGDecoder *decoder, unsigned scaleDenominator, unsigned *x, unsigned *width,
                  unsigned *outputWidth, unsigned *outputHeight);
/// Decodes rows from `firstRow` on: the first `discardRows` are thrown away (they give the
/// upsampler its context: see JPEGDecoder), the next `rowCount` rows are written to `pixels`
/// (`stride` bytes per row), keeping `columnCount` pixels from `columnOffset` within the span
/// ec_jpeg_start kept. Then the rest of the stream is decoded too, so that damage anywhere is
/// still reported.
int ec_jpeg_read_rows(ECJPEGDecoder *decoder, unsigned firstRow, unsigned discardRows, unsigned rowCount,
                      unsigned columnOffset, unsigned columnCount, uint8_t *pixels, size_t stride);
/// Entropy-decodes the whole stream and as little else as libjpeg allows (1/8 scale, every row
/// but the last skipped, which discards the coefficients unused): the part of decoding that no
/// decoder can avoid, which benchmarks use as a floor. Call after ec_jpeg_read_header.
int ec_jpeg_decode_entropy_only(ECJPEGDecoder *decoder);

#endif
