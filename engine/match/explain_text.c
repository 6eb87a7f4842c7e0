/* The sentences of a match in its reader's language: one per reason that drove the score and
 * one per failed hard constraint, in English or Italian, every word. */
#include <stdio.h>
#include <string.h>

#include "tavolo/match.h"

static int italian(const char *lang)
{
    return lang != NULL && strcmp(lang, "it") == 0;
}

/* What each block's reason says when it has no terms or words to quote, in tv_block_t order. */
static const char *const reason_en[] = {
    "The same therapeutic areas and technologies",
    "Common words in the descriptions: %s",
    "The company's stage is one the investor backs",
    "The round is one the investor takes part in",
    "The raise fits the investor's ticket",
    "The investor invests where the company is",
    "The investor's holdings are near the company's city",
    "The investor invests beside the company's current investors",
    "The investor's past deals are of like place and round size",
    "The investor is of the kind the company wants",
    "The investor comes from the region the company wants",
    "The investor leads or follows as the company wants",
};
static const char *const reason_it[] = {
    "Le stesse aree terapeutiche e tecnologie",
    "Parole in comune nelle descrizioni: %s",
    "Lo stadio dell'azienda è tra quelli che l'investitore sostiene",
    "Il round è tra quelli a cui l'investitore partecipa",
    "La raccolta rientra nel ticket dell'investitore",
    "L'investitore investe dove ha sede l'azienda",
    "L'investitore ha partecipazioni vicino alla città dell'azienda",
    "L'investitore investe accanto agli attuali investitori dell'azienda",
    "Le operazioni passate dell'investitore sono simili per luogo e dimensione del round",
    "L'investitore è del tipo che l'azienda cerca",
    "L'investitore viene dalla regione che l'azienda cerca",
    "L'investitore guida o segue come l'azienda desidera",
};
_Static_assert(sizeof(reason_en) / sizeof(reason_en[0]) == TV_BLOCK_COUNT, "one per block");
_Static_assert(sizeof(reason_it) / sizeof(reason_it[0]) == TV_BLOCK_COUNT, "one per block");

static void join(char *buf, size_t size, const char *item)
{
    size_t n = strlen(buf);

    if (n < size)
        snprintf(buf + n, size - n, "%s%s", n > 0 ? ", " : "", item);
}

/* "Shared focus: lung cancer, RNA" from at most four shared taxonomy terms. */
static void focus(const tv_taxonomy_t *t, const tv_explanation_t *e, int it, char *buf, size_t size)
{
    char terms[256] = "";

    for (size_t k = 0; k < e->n_terms && k < 4; k++) {
        const tv_taxo_entry_t *x = tv_taxonomy_entry(t, e->terms[k].kind, e->terms[k].index);

        join(terms, sizeof(terms), it ? x->label_it : x->label_en);
    }
    snprintf(buf, size, "%s: %s", it ? "Interessi comuni" : "Shared focus", terms);
}

void tv_explain_reason_text(const tv_taxonomy_t *t, const tv_explanation_t *e, size_t k,
                            const char *lang, char *buf, size_t size)
{
    int it = italian(lang);
    tv_block_t b = e->reasons[k];
    char words[256] = "";

    if (b == TV_BLOCK_TAXONOMY && e->n_terms > 0) {
        focus(t, e, it, buf, size);
        return;
    }
    for (size_t w = 0; b == TV_BLOCK_TEXT && w < e->n_text; w++)
        join(words, sizeof(words), e->text[w]);
    snprintf(buf, size, (it ? reason_it : reason_en)[b], words);
}

void tv_explain_flag_text(const tv_explanation_t *e, int k, const char *lang, char *buf,
                          size_t size)
{
    static const char *const en[TV_FLAG_COUNT] = {"Not ESIBE-eligible", "Outside the ticket range",
                                                  "Investor inactive", "Portfolio conflict"};
    static const char *const it[TV_FLAG_COUNT] = {
        "Non idonea ESIBE", "Fuori dal ticket", "Investitore inattivo", "Conflitto di portafoglio"};
    const tv_constraint_t *c = (size_t)k < e->n_constraints ? &e->constraints[k] : NULL;

    /* Flag bit k is the k-th constraint: eligible, ticket, active, portfolio_conflict. */
    snprintf(buf, size, "%s%s%s", (italian(lang) ? it : en)[k], c != NULL ? ": " : "",
             c == NULL       ? ""
             : italian(lang) ? c->detail_it
                             : c->detail);
}
