/* E-mail messages through GMime: headers, a multipart/alternative body of a quoted-printable
 * text part and HTML part, serialised to bytes. */
#include <gmime/gmime.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tavolo/error.h"
#include "tavolo/mail.h"

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void init_gmime(void)
{
    g_mime_init();
}

static GMimePart *text_part(const char *subtype, const char *body)
{
    GMimePart *part = GMIME_PART(g_mime_text_part_new_with_subtype(subtype));

    g_mime_text_part_set_text(GMIME_TEXT_PART(part), body); /* sets charset=utf-8 */
    g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
    return part;
}

static void set_addresses(GMimeMessage *msg, const tv_mail_t *m)
{
    InternetAddressList *to = g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO);

    g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, m->from_name, m->from_address);
    for (size_t i = 0; i < m->n_to; i++) {
        InternetAddress *a = internet_address_mailbox_new(
            m->to_names != NULL ? m->to_names[i] : NULL, m->to_addresses[i]);

        internet_address_list_add(to, a);
        g_object_unref(a);
    }
}

static int valid(const tv_mail_t *m)
{
    if (m->from_address == NULL || m->subject == NULL || m->text == NULL || m->html == NULL ||
        m->message_id == NULL || m->n_to == 0 || m->to_addresses == NULL)
        return 0;
    for (size_t i = 0; i < m->n_to; i++) {
        if (m->to_addresses[i] == NULL || strchr(m->to_addresses[i], '@') == NULL)
            return 0;
    }
    return 1;
}

static char *serialise(GMimeMessage *msg, size_t *len)
{
    GMimeFormatOptions *opts = g_mime_format_options_new();
    GMimeStream *mem = g_mime_stream_mem_new();
    GByteArray *bytes;
    char *out = NULL;

    g_mime_format_options_set_newline_format(opts, GMIME_NEWLINE_FORMAT_UNIX);
    g_mime_object_write_to_stream(GMIME_OBJECT(msg), opts, mem);
    bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    out = malloc(bytes->len + 1);
    if (out != NULL) {
        memcpy(out, bytes->data, bytes->len);
        out[bytes->len] = '\0';
        *len = bytes->len;
    }
    g_object_unref(mem);
    g_mime_format_options_free(opts);
    return out;
}

int tv_mail_build(const tv_mail_t *m, char **out, size_t *len)
{
    GMimeMessage *msg = NULL;
    GMimeMultipart *alt = NULL;
    GMimePart *text = NULL, *html = NULL;
    GDateTime *date = NULL;
    char *bytes = NULL;
    int rc = TV_EINVAL;

    if (!valid(m))
        goto out;
    pthread_once(&gmime_once, init_gmime);
    msg = g_mime_message_new(TRUE);
    set_addresses(msg, m);
    g_mime_message_set_subject(msg, m->subject, "utf-8");
    date = g_date_time_new_from_unix_utc(m->date_utc);
    g_mime_message_set_date(msg, date);
    g_mime_message_set_message_id(msg, m->message_id);
    alt = g_mime_multipart_new_with_subtype("alternative");
    text = text_part("plain", m->text);
    html = text_part("html", m->html);
    g_mime_multipart_add(alt, GMIME_OBJECT(text)); /* the preferred part comes last */
    g_mime_multipart_add(alt, GMIME_OBJECT(html));
    g_mime_message_set_mime_part(msg, GMIME_OBJECT(alt));
    bytes = serialise(msg, len);
    rc = bytes != NULL ? 0 : TV_ENOMEM;
    if (rc == 0)
        *out = bytes;
out:
    if (date != NULL)
        g_date_time_unref(date);
    if (text != NULL)
        g_object_unref(text);
    if (html != NULL)
        g_object_unref(html);
    if (alt != NULL)
        g_object_unref(alt);
    if (msg != NULL)
        g_object_unref(msg);
    return rc;
}
