// Our own minimal declaration of the ONNX Runtime C API (onnxruntime_c_api.h is not shipped by the
// PyPI wheel). Only the fields we call are named; the rest is padding so each named field sits at the
// slot the real table puts it. The table is append-only, so slots are stable across releases; the
// _Static_asserts below turn a wrong slot into a build failure instead of a call through the wrong
// pointer. Slots verified against onnxruntime 1.32.0 (see shared/ORT.md).
#ifndef ELASTIC_CONNXRUNTIME_H
#define ELASTIC_CONNXRUNTIME_H

#include <stddef.h>
#include <stdint.h>

typedef struct OrtEnv OrtEnv;
typedef struct OrtStatus OrtStatus;
typedef struct OrtMemoryInfo OrtMemoryInfo;
typedef struct OrtSession OrtSession;
typedef struct OrtValue OrtValue;
typedef struct OrtRunOptions OrtRunOptions;
typedef struct OrtTypeInfo OrtTypeInfo;
typedef struct OrtTensorTypeAndShapeInfo OrtTensorTypeAndShapeInfo;
typedef struct OrtSessionOptions OrtSessionOptions;
typedef struct OrtAllocator OrtAllocator;

typedef enum OrtLoggingLevel {
    ORT_LOGGING_LEVEL_VERBOSE = 0,
    ORT_LOGGING_LEVEL_INFO = 1,
    ORT_LOGGING_LEVEL_WARNING = 2,
    ORT_LOGGING_LEVEL_ERROR = 3,
    ORT_LOGGING_LEVEL_FATAL = 4,
} OrtLoggingLevel;

typedef enum OrtErrorCode {
    ORT_OK = 0,
    ORT_FAIL = 1,
    ORT_INVALID_ARGUMENT = 2,
    ORT_NO_SUCHFILE = 3,
    ORT_NO_MODEL = 4,
    ORT_ENGINE_ERROR = 5,
    ORT_RUNTIME_EXCEPTION = 6,
    ORT_INVALID_PROTOBUF = 7,
    ORT_MODEL_LOADED = 8,
    ORT_NOT_IMPLEMENTED = 9,
    ORT_INVALID_GRAPH = 10,
    ORT_EP_FAIL = 11,
} OrtErrorCode;

typedef enum GraphOptimizationLevel {
    ORT_DISABLE_ALL = 0,
    ORT_ENABLE_BASIC = 1,
    ORT_ENABLE_EXTENDED = 2,
    ORT_ENABLE_ALL = 99,
} GraphOptimizationLevel;

typedef enum ONNXTensorElementDataType {
    ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED = 0,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT = 1,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 = 2,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 = 3,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 = 7,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE = 11,
} ONNXTensorElementDataType;

typedef enum OrtAllocatorType {
    OrtInvalidAllocator = -1,
    OrtDeviceAllocator = 0,
    OrtArenaAllocator = 1,
} OrtAllocatorType;

typedef enum OrtMemType {
    OrtMemTypeCPUInput = -2,
    OrtMemTypeCPUOutput = -1,
    OrtMemTypeDefault = 0,
} OrtMemType;

typedef struct OrtApi {
    void *slot0_CreateStatus;
    OrtErrorCode (*GetErrorCode)(const OrtStatus *status);                                     // 1
    const char *(*GetErrorMessage)(const OrtStatus *status);                                   // 2
    OrtStatus *(*CreateEnv)(OrtLoggingLevel level, const char *logId, OrtEnv **out);           // 3
    void *slots4to6[3];
    OrtStatus *(*CreateSession)(const OrtEnv *env, const char *modelPath,
                                const OrtSessionOptions *options, OrtSession **out);           // 7
    OrtStatus *(*CreateSessionFromArray)(const OrtEnv *env, const void *modelData, size_t length,
                                         const OrtSessionOptions *options, OrtSession **out);  // 8
    OrtStatus *(*Run)(OrtSession *session, const OrtRunOptions *runOptions,
                      const char *const *inputNames, const OrtValue *const *inputs, size_t inputCount,
                      const char *const *outputNames, size_t outputCount, OrtValue **outputs); // 9
    OrtStatus *(*CreateSessionOptions)(OrtSessionOptions **out);                               // 10
    void *slots11to22[12];
    OrtStatus *(*SetSessionGraphOptimizationLevel)(OrtSessionOptions *options,
                                                   GraphOptimizationLevel level);              // 23
    OrtStatus *(*SetIntraOpNumThreads)(OrtSessionOptions *options, int threads);               // 24
    OrtStatus *(*SetInterOpNumThreads)(OrtSessionOptions *options, int threads);               // 25
    void *slots26to29[4];
    OrtStatus *(*SessionGetInputCount)(const OrtSession *session, size_t *out);                // 30
    OrtStatus *(*SessionGetOutputCount)(const OrtSession *session, size_t *out);               // 31
    void *slot32;
    OrtStatus *(*SessionGetInputTypeInfo)(const OrtSession *session, size_t index,
                                          OrtTypeInfo **out);                                  // 33
    OrtStatus *(*SessionGetOutputTypeInfo)(const OrtSession *session, size_t index,
                                           OrtTypeInfo **out);                                 // 34
    void *slot35;
    OrtStatus *(*SessionGetInputName)(const OrtSession *session, size_t index,
                                      OrtAllocator *allocator, char **out);                    // 36
    OrtStatus *(*SessionGetOutputName)(const OrtSession *session, size_t index,
                                       OrtAllocator *allocator, char **out);                   // 37
    void *slots38to48[11];
    OrtStatus *(*CreateTensorWithDataAsOrtValue)(const OrtMemoryInfo *info, void *data,
                                                 size_t byteCount, const int64_t *shape,
                                                 size_t rank, ONNXTensorElementDataType type,
                                                 OrtValue **out);                              // 49
    void *slot50;
    OrtStatus *(*GetTensorMutableData)(OrtValue *value, void **out);                           // 51
    void *slots52to54[3];
    OrtStatus *(*CastTypeInfoToTensorInfo)(const OrtTypeInfo *typeInfo,
                                           const OrtTensorTypeAndShapeInfo **out);             // 55
    void *slots56to59[4];
    OrtStatus *(*GetTensorElementType)(const OrtTensorTypeAndShapeInfo *info,
                                       ONNXTensorElementDataType *out);                        // 60
    OrtStatus *(*GetDimensionsCount)(const OrtTensorTypeAndShapeInfo *info, size_t *out);      // 61
    OrtStatus *(*GetDimensions)(const OrtTensorTypeAndShapeInfo *info, int64_t *values,
                                size_t count);                                                 // 62
    void *slot63;
    OrtStatus *(*GetTensorShapeElementCount)(const OrtTensorTypeAndShapeInfo *info,
                                             size_t *out);                                     // 64
    OrtStatus *(*GetTensorTypeAndShape)(const OrtValue *value,
                                        OrtTensorTypeAndShapeInfo **out);                      // 65
    void *slots66to68[3];
    OrtStatus *(*CreateCpuMemoryInfo)(OrtAllocatorType type, OrtMemType memType,
                                      OrtMemoryInfo **out);                                    // 69
    void *slots70to75[6];
    OrtStatus *(*AllocatorFree)(OrtAllocator *allocator, void *pointer);                       // 76
    void *slot77;
    OrtStatus *(*GetAllocatorWithDefaultOptions)(OrtAllocator **out);                          // 78
    void *slots79to91[13];
    void (*ReleaseEnv)(OrtEnv *value);                                                         // 92
    void (*ReleaseStatus)(OrtStatus *value);                                                   // 93
    void (*ReleaseMemoryInfo)(OrtMemoryInfo *value);                                           // 94
    void (*ReleaseSession)(OrtSession *value);                                                 // 95
    void (*ReleaseValue)(OrtValue *value);                                                     // 96
    void (*ReleaseRunOptions)(OrtRunOptions *value);                                           // 97
    void (*ReleaseTypeInfo)(OrtTypeInfo *value);                                               // 98
    void (*ReleaseTensorTypeAndShapeInfo)(OrtTensorTypeAndShapeInfo *value);                   // 99
    void (*ReleaseSessionOptions)(OrtSessionOptions *value);                                   // 100
    void *slots101to129[29];
    OrtStatus *(*AddSessionConfigEntry)(OrtSessionOptions *options, const char *key,
                                        const char *value);                                    // 130 (API 5)
} OrtApi;

#define EC_ORT_SLOT(field, slot) \
    _Static_assert(offsetof(OrtApi, field) == (slot) * sizeof(void *), #field " must be slot " #slot)
EC_ORT_SLOT(GetErrorCode, 1);
EC_ORT_SLOT(GetErrorMessage, 2);
EC_ORT_SLOT(CreateEnv, 3);
EC_ORT_SLOT(CreateSession, 7);
EC_ORT_SLOT(CreateSessionFromArray, 8);
EC_ORT_SLOT(Run, 9);
EC_ORT_SLOT(CreateSessionOptions, 10);
EC_ORT_SLOT(SetSessionGraphOptimizationLevel, 23);
EC_ORT_SLOT(SetIntraOpNumThreads, 24);
EC_ORT_SLOT(AddSessionConfigEntry, 130);
EC_ORT_SLOT(SetInterOpNumThreads, 25);
EC_ORT_SLOT(SessionGetInputCount, 30);
EC_ORT_SLOT(SessionGetOutputCount, 31);
EC_ORT_SLOT(SessionGetInputTypeInfo, 33);
EC_ORT_SLOT(SessionGetOutputTypeInfo, 34);
EC_ORT_SLOT(SessionGetInputName, 36);
EC_ORT_SLOT(SessionGetOutputName, 37);
EC_ORT_SLOT(CreateTensorWithDataAsOrtValue, 49);
EC_ORT_SLOT(GetTensorMutableData, 51);
EC_ORT_SLOT(CastTypeInfoToTensorInfo, 55);
EC_ORT_SLOT(GetTensorElementType, 60);
EC_ORT_SLOT(GetDimensionsCount, 61);
EC_ORT_SLOT(GetDimensions, 62);
EC_ORT_SLOT(GetTensorShapeElementCount, 64);
EC_ORT_SLOT(GetTensorTypeAndShape, 65);
EC_ORT_SLOT(CreateCpuMemoryInfo, 69);
EC_ORT_SLOT(AllocatorFree, 76);
EC_ORT_SLOT(GetAllocatorWithDefaultOptions, 78);
EC_ORT_SLOT(ReleaseEnv, 92);
EC_ORT_SLOT(ReleaseStatus, 93);
EC_ORT_SLOT(ReleaseMemoryInfo, 94);
EC_ORT_SLOT(ReleaseSession, 95);
EC_ORT_SLOT(ReleaseValue, 96);
EC_ORT_SLOT(ReleaseRunOptions, 97);
EC_ORT_SLOT(ReleaseTypeInfo, 98);
EC_ORT_SLOT(ReleaseTensorTypeAndShapeInfo, 99);
EC_ORT_SLOT(ReleaseSessionOptions, 100);
#undef EC_ORT_SLOT

typedef struct OrtApiBase {
    const OrtApi *(*GetApi)(uint32_t version);
    const char *(*GetVersionString)(void);
} OrtApiBase;

/// What `ec_ort_open` found: the library handle and its API base, or a dlerror() message.
typedef struct ECOrtLibrary {
    void *handle;
    const OrtApiBase *base;
    char error[512];
} ECOrtLibrary;

/// dlopen(path, RTLD_NOW|RTLD_LOCAL) + dlsym("OrtGetApiBase"). Returns 0 on success; on failure
/// `handle`/`base` are NULL and `error` holds the reason (1: dlopen failed, 2: symbol missing).
int ec_ort_open(const char *path, ECOrtLibrary *out);

#endif
