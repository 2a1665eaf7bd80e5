// See include/CJPEG.h. libjpeg reports errors with longjmp; each entry point below sets the jump
// target first, so no libjpeg call runs without one.
#include "CJPEG.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

// libjpeg's own memory manager refuses to allocate more than this for one decode ("backing store
// not supported"). A multi-scan or progressive stream needs its whole image's coefficients at
// once, whatever part is wanted: 2 bytes per sample, ~300 MB for a 50-megapixel 4:4:4 image (the
// default pixel limit). The cap keeps a tiny crafted file (a 364-byte progressive 7000x7000 used
// 289 MB) from asking for more than a legitimate image of the allowed size needs.
static const long ec_max_memory = 512L << 20;

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
    // Every multi-scan stream, not only progressive ones: a sequential stream may repeat a
    // component's scan too (with arithmetic coding a whole flat image costs 13 bytes per scan).
    if (decoder->maxScans > 0 && decompress->input_scan_number > decoder->maxScans) {
        snprintf(decoder->message, sizeof decoder->message,
                 "JPEG has more than %d scans", decoder->maxScans);
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
    // volatile: read after a longjmp back into this frame.
    volatile int created = 0;
    if (setjmp(decoder->jump)) {
        // Out of memory, or jpeg_mem_src refusing empty input.
        if (created) jpeg_destroy_decompress(&decoder->info);
        free(decoder);
        return NULL;
    }
    jpeg_create_decompress(&decoder->info);
    created = 1;
    decoder->progress.progress_monitor = ec_progress;
    decoder->info.progress = &decoder->progress;
    decoder->info.mem->max_memory_to_use = ec_max_memory;
    jpeg_mem_src(&decoder->info, data, (unsigned long)size);
    return decoder;
}

void ec_jpeg_destroy(ECJPEGDecoder *decoder) {
    if (decoder == NULL) return;
    // jpeg_destroy_decompress raises no errors, but never leave libjpeg a stale jump target.
    if (setjmp(decoder->jump)) {
        free(decoder);
        return;
    }
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

// Whether jpeg_crop_scanline gives exactly the whole decode's pixels for the kept columns (with
// the caller's context margin). Found by comparing every region with the whole decode:
// - luma sampled 2x4 or 4x2 (decoded at 1/2 scale) leaves some cropped output uninitialised or
//   different, whatever the margin; every sampling with factors up to 2 and 1x1 chroma is exact;
// - an incomplete progressive stream (its last scans missing, still valid) is block-smoothed
//   across neighbouring blocks, differently at a crop edge even 32 pixels away.
// Otherwise every column is decoded and the caller keeps the ones it wants.
static int ec_column_crop_is_exact(j_decompress_ptr info) {
    for (int c = 0; c < info->num_components; c++) {
        const jpeg_component_info *component = &info->comp_info[c];
        if (component->h_samp_factor > 2 || component->v_samp_factor > 2) return 0;
        if (c > 0 && (component->h_samp_factor != 1 || component->v_samp_factor != 1)
            && (component->h_samp_factor != info->comp_info[0].h_samp_factor
                || component->v_samp_factor != info->comp_info[0].v_samp_factor)) return 0;
    }
    if (info->progressive_mode) {
        // jpeg_start_decompress has read every scan; coef_bits < 0 is "no data", > 0 is "bits
        // still to come": either way the coefficients are incomplete and smoothing applies.
        if (info->coef_bits == NULL) return 0;
        for (int c = 0; c < info->num_components; c++) {
            for (int k = 0; k < DCTSIZE2; k++) {
                if (info->coef_bits[c][k] != 0) return 0;
            }
        }
    }
    return 1;
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
    if (*width == 0 || (*x == 0 && *width >= info->output_width) || !ec_column_crop_is_exact(info)) {
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
    // Skips start and end on row-group boundaries (max_v_samp_factor * the scaled block size):
    // from anywhere else libjpeg-turbo 2.1's skip can lose its place in the upsampler's context
    // rows. Seen with luma sampled 2x4 at 1/2 scale: an endless loop in a progressive stream, a
    // false "premature end of data segment" in a baseline one. Rows between a boundary and the
    // wanted row are decoded and dropped instead.
    unsigned group = (unsigned)info->max_v_samp_factor * (unsigned)info->min_DCT_scaled_size;
    if (group == 0) group = 1;
    unsigned alignedFirst = firstRow - firstRow % group;
    discardRows += firstRow - alignedFirst;
    if (alignedFirst > 0) jpeg_skip_scanlines(info, alignedFirst);
    for (unsigned row = 0; status == 0 && row < discardRows; row++) status = ec_read_one(decoder, scratch);
    for (unsigned row = 0; status == 0 && row < rowCount; row++) {
        uint8_t *target = pixels + (size_t)row * stride;
        status = ec_read_one(decoder, direct ? target : scratch);
        if (status == 0 && !direct) memcpy(target, scratch + (size_t)columnOffset * pixelBytes, (size_t)columnCount * pixelBytes);
    }
    // Skipping to the very end would mark the stream finished without decoding it (libjpeg-turbo
    // takes that shortcut), so a damaged tail would pass: skip to the last row and decode it.
    while (status == 0 && info->output_scanline % group != 0 && info->output_scanline < info->output_height) {
        status = ec_read_one(decoder, scratch);
    }
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
