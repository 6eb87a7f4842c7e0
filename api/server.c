/* Accepts connections with libuv and hands each socket to libh2o (as in libh2o's
 * examples/libh2o/simple.c); every path goes to the router. */
#include <stdlib.h>
#include <string.h>

#include "router.h"
#include "server.h"

#define BODY_HARD_LIMIT (64u << 20) /* h2o's own limit; ours (smaller) is checked per request */

/* Accepted connections not yet closed (the loop thread alone counts them). libh2o's context
 * may be disposed only when there are none. */
static size_t open_connections;

static void on_connection_closed(uv_handle_t *handle)
{
    open_connections--;
    free(handle);
}

static void on_accept(uv_stream_t *listener, int status)
{
    api_server_t *s = listener->data;
    h2o_socket_t *sock;
    uv_tcp_t *conn;

    if (status != 0)
        return;
    conn = malloc(sizeof(*conn));
    if (conn == NULL)
        return;
    uv_tcp_init(listener->loop, conn);
    if (uv_accept(listener, (uv_stream_t *)conn) != 0) {
        uv_close((uv_handle_t *)conn, (uv_close_cb)free);
        return;
    }
    uv_tcp_nodelay(conn, 1);
    open_connections++;
    sock = h2o_uv_socket_create((uv_stream_t *)conn, on_connection_closed);
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

void api_server_stop_accepting(api_server_t *s)
{
    if (!uv_is_closing((uv_handle_t *)&s->listener))
        uv_close((uv_handle_t *)&s->listener, NULL);
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
