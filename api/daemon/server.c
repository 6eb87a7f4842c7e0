/* Accepts connections with libuv and hands each socket to libh2o (as in libh2o's
 * examples/libh2o/simple.c); every path goes to the router. */
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "router.h"
#include "server.h"

#define BODY_HARD_LIMIT (64u << 20) /* h2o's own limit; ours (smaller) is checked per request */

/* Accepted connections not yet closed (the loop thread alone counts them). libh2o's context
 * may be disposed only when there are none. */
static size_t open_connections;

/* The connections open from one client address, while there is one (loop thread only). */
typedef struct client {
    uint8_t addr[16]; /* IPv6, or IPv4 mapped into it */
    size_t open;
    struct client *next;
} client_t;

#define CLIENT_BUCKETS 1024
static client_t *clients[CLIENT_BUCKETS];

static size_t bucket_of(const uint8_t addr[16])
{
    uint32_t h = 2166136261u; /* FNV-1a */

    for (int i = 0; i < 16; i++)
        h = (h ^ addr[i]) * 16777619u;
    return h % CLIENT_BUCKETS;
}

typedef struct {
    uv_tcp_t tcp;     /* first: libh2o's close callback hands it back */
    client_t *client; /* NULL when connections are not capped */
} conn_t;

static void on_connection_closed(uv_handle_t *handle)
{
    conn_t *c = (conn_t *)handle;
    client_t **p;

    open_connections--;
    if (c->client != NULL && --c->client->open == 0) {
        for (p = &clients[bucket_of(c->client->addr)]; *p != c->client; p = &(*p)->next)
            ;
        *p = c->client->next;
        free(c->client);
    }
    free(c);
}

/* The peer's address as 16 bytes; -1 when the socket has none. */
static int peer_address(uv_tcp_t *tcp, uint8_t addr[16])
{
    struct sockaddr_storage sa;
    int len = sizeof(sa);

    if (uv_tcp_getpeername(tcp, (struct sockaddr *)&sa, &len) != 0)
        return -1;
    memset(addr, 0, 16);
    if (sa.ss_family == AF_INET6) {
        memcpy(addr, &((struct sockaddr_in6 *)&sa)->sin6_addr, 16);
        return 0;
    }
    addr[10] = addr[11] = 0xff;
    memcpy(addr + 12, &((struct sockaddr_in *)&sa)->sin_addr, 4);
    return 0;
}

/* Counts 'c' against its address; -1 when the address has max_per_client open already. */
static int admit(const api_server_t *s, conn_t *c)
{
    uint8_t addr[16];
    client_t *cl;
    size_t b;

    if (peer_address(&c->tcp, addr) != 0)
        return 0;
    b = bucket_of(addr);
    for (cl = clients[b]; cl != NULL && memcmp(cl->addr, addr, 16) != 0; cl = cl->next)
        ;
    if (cl != NULL && cl->open >= s->max_per_client)
        return -1;
    if (cl == NULL && (cl = calloc(1, sizeof(*cl))) != NULL) {
        memcpy(cl->addr, addr, 16);
        cl->next = clients[b];
        clients[b] = cl;
    }
    if (cl != NULL)
        cl->open++;
    c->client = cl;
    return 0;
}

/* Closes a connection over its address's cap at once, before libh2o sees it. */
static void refuse(api_server_t *s, conn_t *c)
{
    if (s->metrics != NULL)
        api_metrics_connection_refused(s->metrics);
    uv_close((uv_handle_t *)&c->tcp, (uv_close_cb)free);
}

static void on_accept(uv_stream_t *listener, int status)
{
    api_server_t *s = listener->data;
    h2o_socket_t *sock;
    conn_t *conn;

    if (status != 0)
        return;
    conn = calloc(1, sizeof(*conn));
    if (conn == NULL)
        return;
    uv_tcp_init(listener->loop, &conn->tcp);
    if (uv_accept(listener, (uv_stream_t *)&conn->tcp) != 0) {
        uv_close((uv_handle_t *)&conn->tcp, (uv_close_cb)free);
        return;
    }
    if (s->max_per_client > 0 && admit(s, conn) != 0) {
        refuse(s, conn);
        return;
    }
    uv_tcp_nodelay(&conn->tcp, 1);
    open_connections++;
    sock = h2o_uv_socket_create((uv_stream_t *)&conn->tcp, on_connection_closed);
    h2o_accept(&s->accept, sock);
}

static int bind_address(api_server_t *s, const char *host, int port)
{
    struct sockaddr_storage addr;
    int rc = uv_ip4_addr(host, port, (struct sockaddr_in *)&addr);

    if (rc != 0)
        rc = uv_ip6_addr(host, port, (struct sockaddr_in6 *)&addr);
    if (rc == 0)
        rc = uv_tcp_bind(&s->listener, (const struct sockaddr *)&addr, 0);
    return rc;
}

static int bound_port(api_server_t *s)
{
    struct sockaddr_storage addr;
    int len = sizeof(addr);

    if (uv_tcp_getsockname(&s->listener, (struct sockaddr *)&addr, &len) != 0)
        return -1;
    return addr.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&addr)->sin6_port)
                                      : ntohs(((struct sockaddr_in *)&addr)->sin_port);
}

int api_server_start(api_server_t *s, uv_loop_t *loop, const char *host, int port)
{
    h2o_hostconf_t *hostconf;
    h2o_handler_t *handler;
    int rc;

    h2o_config_init(&s->config);
    s->config.max_request_entity_size = BODY_HARD_LIMIT;
    /* HTTP/1.1 only: an h2c upgrade would put the connection under HTTP/2's own idle timeout,
     * out of reach of api_server_shutdown. */
    s->config.http1.upgrade_to_http2 = 0;
    hostconf = h2o_config_register_host(&s->config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    handler = h2o_create_handler(h2o_config_register_path(hostconf, "/", 0), sizeof(*handler));
    handler->on_req = api_router_on_req;
    h2o_context_init(&s->ctx, loop, &s->config);
    memset(&s->accept, 0, sizeof(s->accept));
    s->accept.ctx = &s->ctx;
    s->accept.hosts = s->config.hosts;
    uv_tcp_init(loop, &s->listener);
    s->listener.data = s;
    rc = bind_address(s, host, port);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&s->listener, 1024, on_accept);
    if (rc == 0)
        s->port = bound_port(s);
    return rc;
}

void api_server_shutdown(api_server_t *s)
{
    if (!uv_is_closing((uv_handle_t *)&s->listener))
        uv_close((uv_handle_t *)&s->listener, NULL);
    /* Requests read from now on are answered with "Connection: close". A connection waits
     * for its next request under libh2o's request timeout: at 0, those waiting now (idle
     * keep-alive ones) are closed at once, and one whose request is in flight as soon as it
     * has sent its response. */
    s->ctx.shutdown_requested = 1;
    s->ctx.http1.req_timeout.timeout = 0;
    h2o_timeout_run(s->ctx.loop, &s->ctx.http1.req_timeout, h2o_now(s->ctx.loop));
}

size_t api_server_connections(void)
{
    return open_connections;
}

int api_server_dispose(api_server_t *s)
{
    if (open_connections > 0)
        return -1; /* libh2o asserts on a context with live connections; the process exits */
    h2o_context_dispose(&s->ctx);
    h2o_config_dispose(&s->config);
    return 0;
}
