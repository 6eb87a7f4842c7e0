/* The embedded PostgreSQL cluster in $TAVOLO_HOME/pg: initdb on first use, pg_ctl to start
 * and stop, a unix socket in pg/run and no TCP port, so clusters never clash. PostgreSQL
 * refuses to run as root; as root its programs run as the "postgres" user (runuser). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_report.h"
#include "pgembed.h"
#include "tavolo/error.h"
#include "tavolo/store.h"

#define PG_USER "postgres"
#define PG_DATABASE "tavolo"

extern char **environ;

typedef struct {
    char pg[PATH_MAX];   /* home/pg */
    char data[PATH_MAX]; /* home/pg/data */
    char run[PATH_MAX];  /* home/pg/run, the socket folder */
    char bin[PATH_MAX];  /* PostgreSQL's program folder */
} paths_t;

static int find_bindir(char *out, size_t size)
{
    const char *env = getenv("TAVOLO_PG_BINDIR");
    FILE *p;

    if (env != NULL && env[0] != '\0') {
        snprintf(out, size, "%s", env);
        return 0;
    }
    p = popen("pg_config --bindir 2>/dev/null", "r");
    if (p != NULL && fgets(out, (int)size, p) != NULL) {
        out[strcspn(out, "\n")] = '\0';
        pclose(p);
        return 0;
    }
    if (p != NULL)
        pclose(p);
    snprintf(out, size, "/usr/lib/postgresql/15/bin");
    return 0;
}

#define SHARED_CLUSTERS "/var/lib/tavolo"

/* Returns 1 if the postgres user can traverse to 'dir' (every parent searchable). */
static int postgres_reaches(const char *dir)
{
    const char *argv[] = {"runuser", "-u", PG_USER, "--", "test", "-x", dir, NULL};
    int status = -1;
    pid_t pid;

    if (posix_spawnp(&pid, argv[0], NULL, NULL, (char *const *)argv, environ) != 0)
        return 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* As root with a TAVOLO_HOME that the postgres user cannot reach (a private parent such as
 * /root), the cluster lives in /var/lib/tavolo/<hash of the path> and home/pg links to it.
 * tavolo never loosens the permissions of the user's folders. */
static int link_shared_cluster(const char *abs, const char *link)
{
    char target[PATH_MAX];
    uint32_t h = 2166136261u;

    for (const char *c = abs; *c != '\0'; c++)
        h = (h ^ (unsigned char)*c) * 16777619u;
    snprintf(target, sizeof(target), "%s/pg-%08x", SHARED_CLUSTERS, h);
    if ((mkdir(SHARED_CLUSTERS, 0755) != 0 && errno != EEXIST) ||
        (mkdir(target, 0755) != 0 && errno != EEXIST) || symlink(target, link) != 0) {
        cli_error("cannot prepare %s for the cluster: %s", target, strerror(errno));
        return TV_EIO;
    }
    fprintf(stderr,
            "tavolo: the postgres user cannot reach %s, so the cluster lives in %s "
            "(linked from %s)\n",
            abs, target, link);
    return 0;
}

static int make_paths(const char *home, paths_t *p)
{
    char abs[PATH_MAX], link[PATH_MAX + 8];
    struct stat sb;

    if (mkdir(home, 0755) != 0 && errno != EEXIST) {
        cli_error("cannot create %s: %s", home, strerror(errno));
        return TV_EIO;
    }
    if (realpath(home, abs) == NULL || strlen(abs) + 16 > sizeof(p->pg)) {
        cli_error("cannot resolve %s", home);
        return TV_EIO;
    }
    snprintf(link, sizeof(link), "%s/pg", abs);
    if (lstat(link, &sb) != 0 && geteuid() == 0 && !postgres_reaches(abs) &&
        link_shared_cluster(abs, link) != 0)
        return TV_EIO;
    if (lstat(link, &sb) == 0 && S_ISLNK(sb.st_mode)) {
        if (realpath(link, p->pg) == NULL) {
            cli_error("cannot resolve %s", link);
            return TV_EIO;
        }
    } else {
        snprintf(p->pg, sizeof(p->pg), "%s", link);
    }
    snprintf(p->data, sizeof(p->data), "%s/data", p->pg);
    snprintf(p->run, sizeof(p->run), "%s/run", p->pg);
    return find_bindir(p->bin, sizeof(p->bin));
}

/* Runs PostgreSQL program 'prog' with 'args' (NULL-terminated), as the postgres user when
 * we are root, with output appended to 'log'. Returns its exit status, or -1. */
static int run_pg(const paths_t *p, const char *prog, const char *const *args, const char *log)
{
    char path[PATH_MAX + 32];
    const char *argv[32];
    posix_spawn_file_actions_t fa;
    int n = 0, status = -1;
    pid_t pid;

    snprintf(path, sizeof(path), "%s/%s", p->bin, prog);
    if (geteuid() == 0) {
        argv[n++] = "runuser";
        argv[n++] = "-u";
        argv[n++] = PG_USER;
        argv[n++] = "--";
    }
    argv[n++] = path;
    for (int i = 0; args[i] != NULL && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ) == 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    posix_spawn_file_actions_destroy(&fa);
    return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* As root, hands the cluster folder to the postgres user. */
static int prepare_owner(const paths_t *p)
{
    struct passwd *pw;

    if (mkdir(p->pg, 0755) != 0 && errno != EEXIST)
        return TV_EIO;
    if (mkdir(p->run, 0755) != 0 && errno != EEXIST)
        return TV_EIO;
    if (geteuid() != 0)
        return 0;
    pw = getpwnam(PG_USER);
    if (pw == NULL) {
        cli_error("running as root needs a \"%s\" user (install postgresql-15)", PG_USER);
        return TV_EIO;
    }
    if (chown(p->pg, pw->pw_uid, pw->pw_gid) != 0 || chown(p->run, pw->pw_uid, pw->pw_gid) != 0)
        return TV_EIO;
    return 0;
}

static int running(const paths_t *p)
{
    char log[PATH_MAX + 16];
    const char *args[] = {"status", "-D", p->data, NULL};
    struct stat sb;

    if (stat(p->data, &sb) != 0)
        return 0;
    snprintf(log, sizeof(log), "%s/ctl.log", p->pg);
    return run_pg(p, "pg_ctl", args, log) == 0;
}

int pgembed_running(const char *home)
{
    paths_t p;

    return make_paths(home, &p) == 0 && running(&p);
}

static int init_cluster(const paths_t *p, int fast)
{
    char log[PATH_MAX + 16], version[PATH_MAX + 16];
    const char *args[] = {"-D",    p->data, "-U",   PG_USER,       "-A",
                          "trust", "-E",    "UTF8", "--no-locale", fast ? "--no-sync" : NULL,
                          NULL};
    struct stat sb;

    snprintf(version, sizeof(version), "%s/PG_VERSION", p->data);
    if (stat(version, &sb) == 0)
        return 0;
    snprintf(log, sizeof(log), "%s/initdb.log", p->pg);
    if (run_pg(p, "initdb", args, log) != 0) {
        cli_error("initdb failed; see %s", log);
        return TV_EIO;
    }
    return 0;
}

static int start_server(const paths_t *p, int fast)
{
    char log[PATH_MAX + 16], server_log[PATH_MAX + 16], opts[PATH_MAX + 160];
    const char *args[] = {"start", "-D", p->data, "-l", server_log, "-w",
                          "-t",    "60", "-s",    "-o", opts,       NULL};

    snprintf(log, sizeof(log), "%s/ctl.log", p->pg);
    snprintf(server_log, sizeof(server_log), "%s/server.log", p->pg);
    snprintf(opts, sizeof(opts), "-k '%s' -c listen_addresses='' %s", p->run,
             fast ? "-c fsync=off -c synchronous_commit=off -c full_page_writes=off" : "");
    if (run_pg(p, "pg_ctl", args, log) != 0) {
        cli_error("PostgreSQL did not start; see %s", server_log);
        return TV_EIO;
    }
    return 0;
}

static void format_conninfo(const paths_t *p, const char *db, char *out, size_t size)
{
    snprintf(out, size, "host=%s user=%s dbname=%s", p->run, PG_USER, db);
}

static int create_database(const paths_t *p)
{
    char conninfo[PATH_MAX + 64], err[256];
    tv_store_t *st = NULL;
    int rc;

    format_conninfo(p, "postgres", conninfo, sizeof(conninfo));
    rc = tv_store_open(conninfo, &st, err, sizeof(err));
    if (rc != 0) {
        cli_error("cannot connect to the embedded PostgreSQL: %s", err);
        return rc;
    }
    rc = tv_store_create_database(st, PG_DATABASE);
    if (rc < 0)
        cli_error("%s", tv_store_error(st));
    tv_store_close(st);
    return rc < 0 ? rc : 0;
}

int pgembed_start(const char *home, const pgembed_opts_t *opts, char *conninfo, size_t size)
{
    char lock_path[PATH_MAX + 16];
    paths_t p;
    int rc, lock_fd;

    rc = make_paths(home, &p);
    if (rc == 0)
        rc = prepare_owner(&p);
    if (rc != 0)
        return rc;
    /* One process at a time brings the cluster up. */
    snprintf(lock_path, sizeof(lock_path), "%s/start.lock", p.pg);
    lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd < 0 || flock(lock_fd, LOCK_EX) != 0) {
        cli_error("cannot lock %s: %s", lock_path, strerror(errno));
        if (lock_fd >= 0)
            close(lock_fd);
        return TV_EIO;
    }
    if (!running(&p)) {
        rc = init_cluster(&p, opts->fast);
        if (rc == 0)
            rc = start_server(&p, opts->fast);
    }
    if (rc == 0)
        rc = create_database(&p);
    close(lock_fd);
    if (rc == 0)
        format_conninfo(&p, PG_DATABASE, conninfo, size);
    return rc;
}

int pgembed_stop(const char *home)
{
    char log[PATH_MAX + 16];
    paths_t p;
    int rc = make_paths(home, &p);
    const char *args[] = {"stop", "-D", p.data, "-m", "fast", "-w", "-s", NULL};

    if (rc != 0 || !running(&p))
        return rc;
    snprintf(log, sizeof(log), "%s/ctl.log", p.pg);
    if (run_pg(&p, "pg_ctl", args, log) != 0) {
        cli_error("PostgreSQL did not stop; see %s", log);
        return TV_EIO;
    }
    return 0;
}

int pgembed_conninfo(const char *home, char *conninfo, size_t size)
{
    paths_t p;
    int rc = make_paths(home, &p);

    if (rc == 0)
        format_conninfo(&p, PG_DATABASE, conninfo, size);
    return rc;
}
