/* Query string parameters. */
#ifndef API_QUERY_H
#define API_QUERY_H

#include <stddef.h>

/* Finds parameter 'name' in 'query' ("a=1&b=x%20y"), percent-decoded (and '+' as space) into
 * 'buf'. Returns 1 if present, 0 if absent, -1 if malformed or too long. */
int api_query_get(const char *query, const char *name, char *buf, size_t size);

/* Checks that every parameter of 'query' is one of 'allowed' (NULL-terminated; NULL allows
 * none) and appears once. Returns 0, or -1 with the offending name in 'bad'. */
int api_query_check(const char *query, const char *const *allowed, char *bad, size_t size);

/* Reads an integer parameter within [min, max], 'fallback' when absent. Returns 0, or -1
 * when it is not such an integer. */
int api_query_int(const char *query, const char *name, long min, long max, long fallback,
                  long *out);

#endif
