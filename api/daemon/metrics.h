/* Counters and latency histograms, rendered in the Prometheus text format. */
#ifndef API_METRICS_H
#define API_METRICS_H

#include <stddef.h>

#include "api.h"

/* Names route 'r' (0 to n_routes - 1) for the labels: the router's api_route_label. Passed in,
 * so that the metrics, which every handler updates, call nothing of the router's. */
typedef void (*api_route_label_fn)(size_t r, const char **method, const char **pattern);

/* Creates the metrics of 'n_routes' routes, named by 'label'. */
api_metrics_t *api_metrics_create(size_t n_routes, api_route_label_fn label);
void api_metrics_destroy(api_metrics_t *m);

/* Records one request: 'route' is an index of api_routes or negative for none. */
void api_metrics_observe(api_metrics_t *m, int route, const char *method, int status,
                         double seconds);

/* Records how long a profile write took to reach the matcher's lists. */
void api_metrics_update(api_metrics_t *m, double seconds);

/* Records a connection closed at once for its client address's cap. */
void api_metrics_connection_refused(api_metrics_t *m);

/* Records how long the start-up build (vectors and lists) took. */
void api_metrics_build(api_metrics_t *m, double seconds);

/* Renders everything, with the profile counts, as a malloc'd string. */
char *api_metrics_render(api_metrics_t *m, size_t companies, size_t investors);

#endif
