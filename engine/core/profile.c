/* Initialisation and disposal of company and investor profiles, and the grammar of ids. */
#include <ctype.h>
#include <math.h>
#include <string.h>

#include "internal.h"
#include "tavolo/profile.h"

static void terms_dispose(tv_terms_t *t)
{
    tv__free(t->items);
    t->items = NULL;
    t->n = 0;
}

int tv_terms_has(const tv_terms_t *terms, size_t index)
{
    for (size_t i = 0; i < terms->n; i++) {
        if (terms->items[i] == index)
            return 1;
    }
    return 0;
}

static void contacts_dispose(tv_contact_t *contacts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        tv__free(contacts[i].name);
        tv__free(contacts[i].email);
    }
    tv__free(contacts);
}

void tv_company_init(tv_company_t *c)
{
    memset(c, 0, sizeof(*c));
    c->area = -1;
    c->hq_region = -1;
    c->rd_share_italy = NAN;
    c->rd_spend_eur = TV_UNKNOWN;
    c->grants_eur = TV_UNKNOWN;
    c->commercial = -1;
    c->patents_owned = TV_UNKNOWN;
    c->patents_licensed = TV_UNKNOWN;
    c->stage = -1;
    c->round = -1;
    c->raise_eur = TV_UNKNOWN;
    c->wants.lead = -1;
    c->founded = TV_UNKNOWN;
}

void tv_company_dispose(tv_company_t *c)
{
    tv__free(c->id);
    tv__free(c->name);
    tv__free(c->subdivision);
    tv__free(c->city);
    tv__free(c->description);
    terms_dispose(&c->pathologies);
    terms_dispose(&c->technologies);
    terms_dispose(&c->priorities);
    terms_dispose(&c->wants.investor_kinds);
    terms_dispose(&c->wants.regions);
    tv__strings_dispose(&c->investors);
    contacts_dispose(c->contacts, c->contacts_n);
    tv_company_init(c);
}

static void holding_dispose(tv_holding_t *h)
{
    tv__free(h->name);
    tv__free(h->subdivision);
    tv__free(h->city);
    tv__free(h->description);
    terms_dispose(&h->pathologies);
    terms_dispose(&h->technologies);
}

void tv_investor_init(tv_investor_t *inv)
{
    memset(inv, 0, sizeof(*inv));
    inv->kind = -1;
    inv->ticket_min_eur = TV_UNKNOWN;
    inv->ticket_max_eur = TV_UNKNOWN;
    inv->leads = -1;
    inv->horizon_years = TV_UNKNOWN;
    inv->active = -1;
}

void tv_investor_dispose(tv_investor_t *inv)
{
    tv__free(inv->id);
    tv__free(inv->name);
    tv__free(inv->thesis);
    terms_dispose(&inv->regions);
    terms_dispose(&inv->pathologies);
    terms_dispose(&inv->technologies);
    terms_dispose(&inv->priorities);
    terms_dispose(&inv->stages);
    terms_dispose(&inv->rounds);
    for (size_t i = 0; i < inv->portfolio_n; i++)
        holding_dispose(&inv->portfolio[i]);
    tv__free(inv->portfolio);
    contacts_dispose(inv->contacts, inv->contacts_n);
    tv_investor_init(inv);
}

int tv_id_valid(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > TV_ID_MAX)
        return 0;
    for (; *s != '\0'; s++) {
        if (!isalnum((unsigned char)*s) && strchr("._:/-", *s) == NULL)
            return 0;
    }
    return 1;
}
