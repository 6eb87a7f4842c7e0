/* Logs: one JSON object per line on stderr. */
#ifndef API_LOG_H
#define API_LOG_H

/* Seconds on the monotonic clock, for durations. */
double api_seconds(void);

/* Logs one request; 'note' may be NULL. */
void api_log_request(const char *method, const char *route, int status, double seconds,
                     const char *request_id, const char *note);

/* Logs a message at 'level' ("info", "warn", "error"). */
void api_log(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
