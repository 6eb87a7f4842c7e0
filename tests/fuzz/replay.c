/* Replays files through a harness's LLVMFuzzerTestOneInput without libFuzzer, so the seed
 * corpus and the regressions run in every build (gcc, and the ASan build) as ctest tests.
 * Usage: replay_<parser> PATH...: each PATH is a file or a folder of files (read in name
 * order, one level deep, names starting with '.' skipped); a missing folder is skipped with a
 * note. Exits 0 after at least one input, 1 when there was none or one could not be read; a
 * finding aborts, as it does under libFuzzer. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Feeds one file to the harness; returns 0, or -1 if it cannot be read. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n = -1;
    int rc = -1;

    if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc(n > 0 ? (size_t)n : 1); /* exactly the input: ASan sees an over-read */
        if (buf != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n)
            rc = 0;
    }
    if (f != NULL)
        fclose(f);
    if (rc == 0)
        LLVMFuzzerTestOneInput(buf, (size_t)n);
    else
        fprintf(stderr, "replay: cannot read %s\n", path);
    free(buf);
    return rc;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects the names of folder 'dir' (without those starting with '.') into '*names'. */
static int list_folder(const char *dir, char ***names, size_t *n)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t cap = 0;

    *names = NULL;
    *n = 0;
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (*n == cap) {
            char **grown = realloc(*names, (cap = cap * 2 + 16) * sizeof(char *));

            FUZZ_CHECK(grown != NULL, "out of memory listing a folder");
            *names = grown;
        }
        (*names)[*n] = strdup(e->d_name);
        FUZZ_CHECK((*names)[*n] != NULL, "out of memory listing a folder");
        (*n)++;
    }
    closedir(d);
    qsort(*names, *n, sizeof(char *), compare_names);
    return 0;
}

/* Replays every file of folder 'dir'; adds to '*count' and returns the number unreadable. */
static int replay_folder(const char *dir, size_t *count)
{
    char **names;
    size_t n;
    int bad = 0;

    if (list_folder(dir, &names, &n) != 0) {
        fprintf(stderr, "replay: cannot list %s\n", dir);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        struct stat st;

        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            bad += replay_file(path) != 0;
            (*count)++;
        }
        free(names[i]);
    }
    free(names);
    return bad;
}

int main(int argc, char **argv)
{
    size_t count = 0;
    int bad = 0;

    LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        struct stat st;

        if (stat(argv[i], &st) != 0) {
            printf("replay: %s does not exist; skipped\n", argv[i]);
        } else if (S_ISDIR(st.st_mode)) {
            bad += replay_folder(argv[i], &count);
        } else {
            bad += replay_file(argv[i]) != 0;
            count++;
        }
    }
    printf("replay: %zu inputs, %d unreadable\n", count, bad);
    return count > 0 && bad == 0 ? 0 : 1;
}
