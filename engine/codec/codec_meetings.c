/* Meetings as a scheduler run's draft keeps them (issue 17, migration 030): the fields a save
 * of the store reads, as a JSON array. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_internal.h"
#include "tavolo/codec.h"
#include "tavolo/error.h"

/* The fields of 'm' a save reads, as JSON. */
static json_t *meeting_json(const tv_meeting_t *m)
{
    return json_pack("{s:s, s:s, s:I, s:s, s:I, s:f, s:i, s:s, s:b}", "company_id", m->company_id,
                     "investor_id", m->investor_id, "slot_index", (json_int_t)m->slot_index,
                     "slot_start", m->slot_start, "table_no", (json_int_t)m->table_no, "score",
                     (double)m->score, "origin", m->origin, "status",
                     tv_meeting_status_name(m->status), "pinned", m->pinned != 0);
}

static int meeting_read(json_t *o, tv_meeting_t *m)
{
    const char *c = json_string_value(json_object_get(o, "company_id"));
    const char *i = json_string_value(json_object_get(o, "investor_id"));
    const char *s = json_string_value(json_object_get(o, "slot_start"));
    int status;

    if (c == NULL || i == NULL || s == NULL)
        return TV_EINVAL;
    memset(m, 0, sizeof(*m));
    snprintf(m->company_id, sizeof(m->company_id), "%s", c);
    snprintf(m->investor_id, sizeof(m->investor_id), "%s", i);
    snprintf(m->slot_start, sizeof(m->slot_start), "%s", s);
    m->slot_index = (uint32_t)json_integer_value(json_object_get(o, "slot_index"));
    m->table_no = (uint32_t)json_integer_value(json_object_get(o, "table_no"));
    m->score = (float)json_number_value(json_object_get(o, "score"));
    m->origin = (int)json_integer_value(json_object_get(o, "origin"));
    status = tv_meeting_status_parse(json_string_value(json_object_get(o, "status")) != NULL
                                         ? json_string_value(json_object_get(o, "status"))
                                         : "");
    if (status < 0)
        return TV_EINVAL;
    m->status = (tv_meeting_status_t)status;
    m->pinned = json_is_true(json_object_get(o, "pinned"));
    return 0;
}

int tv_codec_meetings_encode(const tv_meeting_t *m, size_t n, char **out)
{
    json_t *list = json_array();
    int rc = list != NULL ? 0 : TV_ENOMEM;

    for (size_t k = 0; rc == 0 && k < n; k++)
        rc = json_array_append_new(list, meeting_json(&m[k])) == 0 ? 0 : TV_ENOMEM;
    if (rc == 0 && (*out = json_dumps(list, JSON_COMPACT)) == NULL)
        rc = TV_ENOMEM;
    json_decref(list);
    return rc;
}

int tv_codec_meetings_decode(const char *json, tv_meeting_t **out, size_t *n)
{
    json_t *list = json_loads(json, 0, NULL);
    tv_meeting_t *m = calloc(json_array_size(list) + 1, sizeof(*m));
    int rc = json_is_array(list) ? 0 : TV_EINVAL;

    if (rc == 0 && m == NULL)
        rc = TV_ENOMEM;
    for (size_t k = 0; rc == 0 && k < json_array_size(list); k++)
        rc = meeting_read(json_array_get(list, k), &m[k]);
    if (rc == 0) {
        *out = m;
        *n = json_array_size(list);
    } else {
        free(m);
    }
    json_decref(list);
    return rc;
}
