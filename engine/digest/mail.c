/* E-mail messages through GMime: headers, a multipart/alternative body of a quoted-printable
 * text part and HTML part (and an iTIP calendar, inline and attached), serialised to bytes. */
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

/* A header name of printable ASCII without ':' (RFC 5322 2.2) and a value of one line: a
 * newline in a value would let a caller's text start headers of its own. */
static int valid_header(const tv_mail_header_t *h)
{
    if (h->name == NULL || h->value == NULL || h->name[0] == '\0' ||
        strpbrk(h->value, "\r\n") != NULL)
        return 0;
    for (const char *c = h->name; *c != '\0'; c++) {
        if (*c <= ' ' || *c >= 127 || *c == ':')
            return 0;
    }
    return 1;
}

static int valid_extras(const tv_mail_t *m)
{
    if (m->n_headers > 0 && m->headers == NULL)
        return 0;
    for (size_t i = 0; i < m->n_headers; i++) {
        if (!valid_header(&m->headers[i]))
            return 0;
    }
    return m->ics == NULL || (m->ics_method != NULL && (strcmp(m->ics_method, "REQUEST") == 0 ||
                                                        strcmp(m->ics_method, "CANCEL") == 0));
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
    return valid_extras(m);
}

/* A text/calendar part with the iTIP method, base64 so that its CRLF line ends reach the
 * client as they are; an attachment when 'filename' is given. */
static GMimePart *calendar_part(const tv_mail_t *m, const char *filename)
{
    GMimePart *part = GMIME_PART(g_mime_text_part_new_with_subtype("calendar"));

    g_mime_text_part_set_text(GMIME_TEXT_PART(part), m->ics);
    g_mime_text_part_set_charset(GMIME_TEXT_PART(part), "utf-8"); /* as RFC 6047 2.4 asks */
    g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "method", m->ics_method);
    g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
    if (filename != NULL) {
        g_mime_object_set_disposition(GMIME_OBJECT(part), GMIME_DISPOSITION_ATTACHMENT);
        g_mime_part_set_filename(part, filename);
    }
    return part;
}

/* The body: text and HTML as alternatives, with the calendar inline and attached when there
 * is one. Returns a new reference. */
static GMimeObject *body(const tv_mail_t *m)
{
    GMimeMultipart *alt = g_mime_multipart_new_with_subtype("alternative");
    GMimeMultipart *mixed;
    GMimePart *parts[4] = {text_part("plain", m->text), text_part("html", m->html), NULL, NULL};

    if (m->ics != NULL) {
        parts[2] = calendar_part(m, NULL);
        parts[3] =
            calendar_part(m, strcmp(m->ics_method, "CANCEL") == 0 ? "cancel.ics" : "invite.ics");
    }
    for (size_t i = 0; i < 3 && parts[i] != NULL; i++) /* the preferred part comes last */
        g_mime_multipart_add(alt, GMIME_OBJECT(parts[i]));
    if (m->ics == NULL)
        mixed = alt;
    else {
        mixed = g_mime_multipart_new_with_subtype("mixed");
        g_mime_multipart_add(mixed, GMIME_OBJECT(alt));
        g_mime_multipart_add(mixed, GMIME_OBJECT(parts[3]));
        g_object_unref(alt);
    }
    for (size_t i = 0; i < 4; i++) {
        if (parts[i] != NULL)
            g_object_unref(parts[i]);
    }
    return GMIME_OBJECT(mixed);
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
    GMimeObject *parts = NULL;
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
    for (size_t i = 0; i < m->n_headers; i++)
        g_mime_object_set_header(GMIME_OBJECT(msg), m->headers[i].name, m->headers[i].value,
                                 "utf-8");
    parts = body(m);
    g_mime_message_set_mime_part(msg, parts);
    bytes = serialise(msg, len);
    rc = bytes != NULL ? 0 : TV_ENOMEM;
    if (rc == 0)
        *out = bytes;
out:
    if (date != NULL)
        g_date_time_unref(date);
    if (parts != NULL)
        g_object_unref(parts);
    if (msg != NULL)
        g_object_unref(msg);
    return rc;
}
