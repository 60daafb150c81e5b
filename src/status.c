#include "relu.h"

#define RELU__STR_(x) #x
#define RELU__STR(x) RELU__STR_(x)

RELU_API const char *relu_status_string(relu_status s)
{
    switch (s) {
    case RELU_OK:              return "success";
    case RELU_ERR_NULL:        return "a required pointer is NULL";
    case RELU_ERR_PARAM:       return "a parameter is out of its domain";
    case RELU_ERR_OVERLAP:     return "an output partially overlaps another buffer";
    case RELU_ERR_SIZE:        return "the element count or its size in bytes overflows size_t";
    case RELU_ERR_UNSUPPORTED: return "the requested ISA is not available on this CPU or build";
    }
    return "unknown status";
}

RELU_API const char *relu_version_string(void)
{
    return RELU__STR(RELU_VERSION_MAJOR) "." RELU__STR(RELU_VERSION_MINOR) "." RELU__STR(
        RELU_VERSION_PATCH);
}
