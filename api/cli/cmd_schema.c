/* tavolo schema company|investor: the JSON Schema the importer enforces. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_schema(int argc, char **argv)
{
    tv_taxonomy_t *tax = NULL;
    char *out = NULL;
    int kind;

    if (argc != 2 || (strcmp(argv[1], "company") != 0 && strcmp(argv[1], "investor") != 0)) {
        cli_error("usage: tavolo schema company|investor");
        return CLI_USAGE;
    }
    kind = strcmp(argv[1], "company") == 0 ? TV_KIND_COMPANY : TV_KIND_INVESTOR;
    if (cli_load_taxonomy(&tax) != 0)
        return CLI_FAILED;
    if (tv_codec_schema(tax, (tv_profile_kind_t)kind, &out) == 0)
        printf("%s\n", out);
    free(out);
    tv_taxonomy_destroy(tax);
    return out != NULL ? CLI_OK : CLI_FAILED;
}
