/* Text for the TV_E* codes. */
#include "tavolo/error.h"

const char *tv_strerror(int rc)
{
    switch (rc) {
    case TV_OK:
        return "success";
    case TV_ENOMEM:
        return "out of memory";
    case TV_EINVAL:
        return "invalid value";
    case TV_EPARSE:
        return "malformed input";
    case TV_ENOTFOUND:
        return "not found";
    case TV_EIO:
        return "input/output error";
    case TV_EDB:
        return "database error";
    case TV_EUNAVAIL:
        return "database unavailable";
    case TV_ECONFLICT:
        return "conflict";
    case TV_ERANGE:
        return "out of range";
    case TV_ESTALE:
        return "changed since it was read";
    default:
        return "unknown error";
    }
}
