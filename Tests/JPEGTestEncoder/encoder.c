#include "JPEGTestEncoder.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include <jpeglib.h>

typedef struct {
    struct jpeg_error_mgr errors;
    jmp_buf jump;
    char *message;
} ECTestErrors;

static void ec_test_fail(j_common_ptr info) {
    ECTestErrors *errors = (ECTestErrors *)info->err;
    (*info->err->format_message)(info, errors->message);
    longjmp(errors->jump, 1);
}

unsigned char *ec_test_jpeg_encode(const ECTestJPEGSpec *spec, const unsigned char *pixels,
                                   unsigned long *size, char *message) {
    struct jpeg_compress_struct info;
    ECTestErrors errors;
    jpeg_scan_info scans[MAX_COMPONENTS];
    // volatile: read after a longjmp back into this frame.
    unsigned char *volatile buffer = NULL;
    unsigned long bufferSize = 0;
    info.err = jpeg_std_error(&errors.errors);
    errors.errors.error_exit = ec_test_fail;
    errors.message = message;
    if (setjmp(errors.jump)) {
        jpeg_destroy_compress(&info);
        free(buffer);
        return NULL;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, (unsigned char **)&buffer, &bufferSize);
    info.image_width = spec->width;
    info.image_height = spec->height;
    info.input_components = spec->components;
    info.in_color_space = spec->components == 1 ? JCS_GRAYSCALE : spec->components == 4 ? JCS_CMYK : JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, spec->quality, TRUE);
    for (int c = 0; c < info.num_components; c++) {
        info.comp_info[c].h_samp_factor = c == 0 ? spec->lumaHorizontal : 1;
        info.comp_info[c].v_samp_factor = c == 0 ? spec->lumaVertical : 1;
    }
    if (spec->progressive) jpeg_simple_progression(&info);
    info.arith_code = spec->arithmetic ? TRUE : FALSE;
    if (spec->scanPerComponent) {
        for (int c = 0; c < info.num_components; c++) {
            scans[c].comps_in_scan = 1;
            scans[c].component_index[0] = c;
            scans[c].Ss = 0;
            scans[c].Se = 63;
            scans[c].Ah = 0;
            scans[c].Al = 0;
        }
        info.scan_info = scans;
        info.num_scans = info.num_components;
    }
    jpeg_start_compress(&info, TRUE);
    size_t rowBytes = (size_t)spec->width * (size_t)spec->components;
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)info.next_scanline * rowBytes);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    *size = bufferSize;
    return buffer;
}

void ec_test_jpeg_free(unsigned char *buffer) {
    free(buffer);
}
