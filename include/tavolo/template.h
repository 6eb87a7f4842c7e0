/* tavolo/template.h: a tiny template language for the digest messages, kept as files.
 *
 *   {{name}}                 the value of 'name' (HTML-escaped when rendering HTML)
 *   {{#list}} ... {{/list}}  the block once for each item of 'list', whose values it also sees;
 *                            for a value, once when it is not empty
 *   {{^list}} ... {{/list}}  the block once when 'list' has no item (or the value is empty)
 *
 * A name is looked up in the current item, then in the enclosing ones. A name that is nowhere,
 * an unclosed block or a stray "{{" is an error, so that a typo in a template fails loudly. */
#ifndef TV_TEMPLATE_H
#define TV_TEMPLATE_H

#include <stddef.h>

typedef struct tv_tpl_data tv_tpl_data_t;

/* An empty set of values. */
int tv_tpl_data_create(tv_tpl_data_t **out);

/* Frees 'd' and every item added to it. NULL is a no-op. */
void tv_tpl_data_destroy(tv_tpl_data_t *d);

/* Sets value 'key' to a copy of 'value' (NULL reads as ""). */
int tv_tpl_set(tv_tpl_data_t *d, const char *key, const char *value);

/* Declares list 'key' (with no item yet) unless it exists. */
int tv_tpl_list(tv_tpl_data_t *d, const char *key);

/* Appends an item to list 'key' (creating it) and returns it in '*item', owned by 'd'. */
int tv_tpl_add(tv_tpl_data_t *d, const char *key, tv_tpl_data_t **item);

/* Renders 'tpl' with 'd'. With 'html', every value has & < > " ' escaped. '*out' is
 * NUL-terminated and freed with free(); TV_EINVAL names the problem in 'err' (may be NULL). */
int tv_tpl_render(const char *tpl, const tv_tpl_data_t *d, int html, char **out, char *err,
                  size_t err_size);

#endif
