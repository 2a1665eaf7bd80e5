// Run-time loading of ONNX Runtime: the wheel's library has no unversioned symlink, so we do not
// link it at build time (see shared/ORT.md).
#include "COnnxRuntime.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

typedef const OrtApiBase *(*ECOrtGetApiBase)(void);

static void ec_copy_error(ECOrtLibrary *out, const char *prefix) {
    const char *reason = dlerror();
    snprintf(out->error, sizeof out->error, "%s%s", prefix, reason ? reason : "unknown error");
}

int ec_ort_open(const char *path, ECOrtLibrary *out) {
    memset(out, 0, sizeof *out);
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        ec_copy_error(out, "dlopen: ");
        return 1;
    }
    dlerror();
    ECOrtGetApiBase getApiBase = (ECOrtGetApiBase)dlsym(handle, "OrtGetApiBase");
    if (getApiBase == NULL) {
        ec_copy_error(out, "dlsym(OrtGetApiBase): ");
        dlclose(handle);
        return 2;
    }
    const OrtApiBase *base = getApiBase();
    if (base == NULL || base->GetApi == NULL) {
        snprintf(out->error, sizeof out->error, "OrtGetApiBase returned no API table");
        dlclose(handle);
        return 2;
    }
    out->handle = handle;
    out->base = base;
    return 0;
}
