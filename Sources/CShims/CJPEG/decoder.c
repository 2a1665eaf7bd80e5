// See include/CJPEG.h. libjpeg reports errors with longjmp; each entry point below sets the jump
// target first, so no libjpeg call runs without one.
#include "CJPEG.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

struct ECJPEGDecoder {
    struct jpeg_decompress_struct info;
    struct jpeg_error_mgr errors;
    struct jpeg_progress_mgr progress;
    jmp_buf jump;
    int maxScans;
    char message[JMSG_LENGTH_MAX];
};

static ECJPEGDecoder *ec_owner(j_common_ptr info) {
    return (ECJPEGDecoder *)((char *)info - offsetof(ECJPEGDecoder, info));
}

static void ec_fail(j_common_ptr info) {
    ECJPEGDecoder *decoder = ec_owner(info);
    (*info->err->format_message)(info, decoder->message);
    longjmp(decoder->jump, 1);
}

// Level -1 is a warning (corrupt data, premature end); libjpeg would carry on with grey blocks.
// Trace messages (level >= 0) are dropped: nothing is ever printed.
static void ec_message(j_common_ptr info, int level) {
    if (level < 0) ec_fail(info);
}

static void ec_progress(j_common_ptr info) {
    j_decompress_ptr decompress = (j_decompress_ptr)info;
    ECJPEGDecoder *decoder = ec_owner(info);
    if (decompress->progressive_mode && decoder->maxScans > 0 && decompress->input_scan_number > decoder->maxScans) {
        snprintf(decoder->message, sizeof decoder->message,
                 "progressive JPEG has more than %d scans", decoder->maxScans);
        longjmp(decoder->jump, 1);
    }
}

ECJPEGDecoder *ec_jpeg_create(const uint8_t *data, size_t size, int maxScans) {
    ECJPEGDecoder *decoder = calloc(1, sizeof *decoder);
    if (decoder == NULL) return NULL;
    decoder->maxScans = maxScans;
    decoder->info.err = jpeg_std_error(&decoder->errors);
    decoder->errors.error_exit = ec_fail;
    decoder->errors.emit_message = ec_message;
    if (setjmp(decoder->jump)) {
        // Only jpeg_create_decompress can fail here (out of memory): nothing to release but us.
        free(decoder);
        return NULL;
    }
    jpeg_create_decompress(&decoder->info);
    decoder->progress.progress_monitor = ec_progress;
    decoder->info.progress = &decoder->progress;
    jpeg_mem_src(&decoder->info, data, (unsigned long)size);
    return decoder;
}

void ec_jpeg_destroy(ECJPEGDecoder *decoder) {
    if (decoder == NULL) return;
    jpeg_destroy_decompress(&decoder->info);
    free(decoder);
}

const char *ec_jpeg_message(const ECJPEGDecoder *decoder) {
    return decoder->message;
}

int ec_jpeg_read_header(ECJPEGDecoder *decoder, ECJPEGHeader *header) {
    if (setjmp(decoder->jump)) return -1;
    jpeg_read_header(&decoder->info, TRUE);
    header->width = decoder->info.image_width;
    header->height = decoder->info.image_height;
    header->isCMYK = decoder->info.jpeg_color_space == JCS_CMYK || decoder->info.jpeg_color_space == JCS_YCCK;
    return 0;
}

int ec_jpeg_start(ECJPEGDecoder *decoder, unsigned scaleDenominator, unsigned *x, unsigned *width,
                  unsigned *outputWidth, unsigned *outputHeight) {
    if (setjmp(decoder->jump)) return -1;
    j_decompress_ptr info = &decoder->info;
    int cmyk = info->jpeg_color_space == JCS_CMYK || info->jpeg_color_space == JCS_YCCK;
    info->out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    info->scale_num = 1;
    info->scale_denom = scaleDenominator;
    // What Pillow gets from libjpeg by default: the accurate integer IDCT, fancy upsampling.
    info->dct_method = JDCT_ISLOW;
    info->do_fancy_upsampling = TRUE;
    jpeg_start_decompress(info);
    *outputWidth = info->output_width;
    *outputHeight = info->output_height;
    if (*width == 0 || (*x == 0 && *width >= info->output_width)) {
        *x = 0;
        *width = info->output_width;
    } else {
        JDIMENSION offset = *x, span = *width;
        jpeg_crop_scanline(info, &offset, &span);
        *x = offset;
        *width = span;
    }
    return 0;
}

// One scanline into `row`; libjpeg returns 0 rows only for a suspending source, which memory
// sources never are, so 0 means something broke.
static int ec_read_one(ECJPEGDecoder *decoder, uint8_t *row) {
    JSAMPROW rows[1] = { row };
    if (jpeg_read_scanlines(&decoder->info, rows, 1) == 1) return 0;
    snprintf(decoder->message, sizeof decoder->message, "JPEG decoder produced no row %u", decoder->info.output_scanline);
    return -1;
}

int ec_jpeg_read_rows(ECJPEGDecoder *decoder, unsigned firstRow, unsigned discardRows, unsigned rowCount,
                      unsigned columnOffset, unsigned columnCount, uint8_t *pixels, size_t stride) {
    j_decompress_ptr info = &decoder->info;
    size_t pixelBytes = (size_t)info->output_components;
    size_t spanBytes = (size_t)info->output_width * pixelBytes;  // the kept span after jpeg_crop_scanline
    int direct = columnOffset == 0 && (size_t)columnCount * pixelBytes == spanBytes;
    // volatile: read after a longjmp back into this frame.
    uint8_t *volatile scratch = malloc(spanBytes);
    if (scratch == NULL) {
        snprintf(decoder->message, sizeof decoder->message, "out of memory for a %zu-byte row", spanBytes);
        return -1;
    }
    if (setjmp(decoder->jump)) {
        free(scratch);
        return -1;
    }
    int status = 0;
    if (firstRow > 0) jpeg_skip_scanlines(info, firstRow);
    for (unsigned row = 0; status == 0 && row < discardRows; row++) status = ec_read_one(decoder, scratch);
    for (unsigned row = 0; status == 0 && row < rowCount; row++) {
        uint8_t *target = pixels + (size_t)row * stride;
        status = ec_read_one(decoder, direct ? target : scratch);
        if (status == 0 && !direct) memcpy(target, scratch + (size_t)columnOffset * pixelBytes, (size_t)columnCount * pixelBytes);
    }
    // Skipping to the very end would mark the stream finished without decoding it (libjpeg-turbo
    // takes that shortcut), so a damaged tail would pass: skip to the last row and decode it.
    if (status == 0 && info->output_scanline + 1 < info->output_height) {
        jpeg_skip_scanlines(info, info->output_height - 1 - info->output_scanline);
    }
    while (status == 0 && info->output_scanline < info->output_height) status = ec_read_one(decoder, scratch);
    if (status == 0) jpeg_finish_decompress(info);
    free(scratch);
    return status;
}

int ec_jpeg_decode_entropy_only(ECJPEGDecoder *decoder) {
    unsigned x = 0, width = 0, outputWidth = 0, outputHeight = 0;
    if (ec_jpeg_start(decoder, 8, &x, &width, &outputWidth, &outputHeight) != 0) return -1;
    // Skipping rows short of the end decodes their entropy-coded data and nothing more; the
    // last row is decoded for real (see ec_jpeg_read_rows on skipping to the end).
    return ec_jpeg_read_rows(decoder, outputHeight - 1, 1, 0, 0, outputWidth, NULL, 0);
}
