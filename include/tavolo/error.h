/* tavolo/error.h: the error codes every tavolo function returns. */
#ifndef TV_ERROR_H
#define TV_ERROR_H

/* Failure is a negative code; success is 0 or a count. */
enum {
    TV_OK = 0,
    TV_ENOMEM = -1,    /* an allocation failed */
    TV_EINVAL = -2,    /* a value breaks the contract (a bad field, a bad argument) */
    TV_EPARSE = -3,    /* input is not well-formed JSON or CSV */
    TV_ENOTFOUND = -4, /* no such record */
    TV_EIO = -5,       /* a file or process could not be read, written or run */
    TV_EDB = -6,       /* the database rejected a statement */
    TV_EUNAVAIL = -7,  /* the database cannot be reached */
    TV_ECONFLICT = -8, /* the change conflicts with existing state */
    TV_ERANGE = -9,    /* a size or count is beyond a limit */
    TV_ESTALE = -10    /* the record changed since the version the caller read */
};

/* Returns a static English description of 'rc'. */
const char *tv_strerror(int rc);

#endif
