/* The baseline of the HTTP benchmark: a minimal libh2o server on libuv that answers every
 * request with the same JSON body, read once from a file. Nothing else: no routing, no
 * thread pool, no logging. Usage: h2o_fixed BODY_FILE PORT_FILE */
#include <h2o.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

static h2o_globalconf_t config;
static h2o_context_t ctx;
static h2o_accept_ctx_t accept_ctx;
static char *body;
static size_t body_len;

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                   H2O_STRLIT("application/json"));
    req->res.content_length = body_len;
    h2o_send_inline(req, body, body_len);
    return 0;
}

static void on_accept(uv_stream_t *listener, int status)
{
    uv_tcp_t *conn;

    if (status != 0)
        return;
    conn = malloc(sizeof(*conn));
    uv_tcp_init(listener->loop, conn);
    if (uv_accept(listener, (uv_stream_t *)conn) != 0) {
        uv_close((uv_handle_t *)conn, (uv_close_cb)free);
        return;
    }
    uv_tcp_nodelay(conn, 1);
    h2o_accept(&accept_ctx, h2o_uv_socket_create((uv_stream_t *)conn, (uv_close_cb)free));
}

int main(int argc, char **argv)
{
    uv_loop_t *loop = uv_default_loop();
    struct sockaddr_in addr;
    struct sockaddr_storage bound;
    int len = sizeof(bound);
    uv_tcp_t listener;
    h2o_hostconf_t *host;
    FILE *f;

    if (argc != 3 || (f = fopen(argv[1], "rb")) == NULL) {
        fprintf(stderr, "usage: h2o_fixed BODY_FILE PORT_FILE\n");
        return 2;
    }
    fseek(f, 0, SEEK_END);
    body_len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    body = malloc(body_len + 1);
    if (fread(body, 1, body_len, f) != body_len)
        return 1;
    fclose(f);
    h2o_config_init(&config);
    host = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_create_handler(h2o_config_register_path(host, "/", 0), sizeof(h2o_handler_t))->on_req =
        on_req;
    h2o_context_init(&ctx, loop, &config);
    accept_ctx.ctx = &ctx;
    accept_ctx.hosts = config.hosts;
    uv_tcp_init(loop, &listener);
    uv_ip4_addr("127.0.0.1", 0, &addr);
    if (uv_tcp_bind(&listener, (struct sockaddr *)&addr, 0) != 0 ||
        uv_listen((uv_stream_t *)&listener, 1024, on_accept) != 0)
        return 1;
    uv_tcp_getsockname(&listener, (struct sockaddr *)&bound, &len);
    f = fopen(argv[2], "w");
    fprintf(f, "%d\n", ntohs(((struct sockaddr_in *)&bound)->sin_port));
    fclose(f);
    return uv_run(loop, UV_RUN_DEFAULT);
}
