/* The ESIBE admission criteria (DESIGN.md, "The domain"): missing data makes a criterion
 * unknown, never failed, and every verdict carries the figures it used. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tavolo/eligibility.h"

const char *tv_check_name(tv_check_t check)
{
    return check == TV_CHECK_PASS ? "pass" : check == TV_CHECK_FAIL ? "fail" : "unknown";
}

typedef struct {
    char s[32];
} eur_t;

/* Formats whole euros with thousands separators in 'lang': 2000000 -> "2,000,000" in
 * English, "2.000.000" in Italian. */
static eur_t eur(int64_t v, tv_lang_t lang)
{
    char digits[32];
    eur_t out;
    size_t n = (size_t)snprintf(digits, sizeof(digits), "%" PRId64, v), o = 0;

    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out.s[o++] = lang == TV_LANG_IT ? '.' : ',';
        out.s[o++] = digits[i];
    }
    out.s[o] = '\0';
    return out;
}

/* Writes the verdict and its reason in 'lang': 'en' and 'it' are the same sentence in English
 * and Italian, taking the same arguments. */
static void verdict(tv_criterion_t *k, tv_check_t result, tv_lang_t lang, const char *en,
                    const char *it, ...)
{
    va_list ap;

    k->result = result;
    va_start(ap, it);
    vsnprintf(k->reason, sizeof(k->reason), lang == TV_LANG_IT ? it : en, ap);
    va_end(ap);
}

static void check_medicine_rd(const tv_company_t *c, tv_lang_t lang, tv_criterion_t *k)
{
    const eur_t need = eur(TV_ELIG_MEDICINE_MIN_RD_EUR, lang);

    if (c->rd_spend_eur == TV_UNKNOWN)
        verdict(k, TV_CHECK_UNKNOWN, lang,
                "R&D spend is not given; precision medicine needs EUR %s a year",
                "la spesa in R&S non è indicata; la medicina di precisione richiede %s EUR "
                "all'anno",
                need.s);
    else if (c->rd_spend_eur >= TV_ELIG_MEDICINE_MIN_RD_EUR)
        verdict(k, TV_CHECK_PASS, lang,
                "R&D spend EUR %s a year meets the EUR %s of precision medicine",
                "spesa in R&S di %s EUR all'anno, pari almeno ai %s EUR richiesti dalla medicina "
                "di precisione",
                eur(c->rd_spend_eur, lang).s, need.s);
    else
        verdict(k, TV_CHECK_FAIL, lang,
                "R&D spend EUR %s a year is below the EUR %s of precision medicine",
                "spesa in R&S di %s EUR all'anno, sotto i %s EUR richiesti dalla medicina di "
                "precisione",
                eur(c->rd_spend_eur, lang).s, need.s);
}

/* Industrial and environmental: R&D spend or grant funding, either one, meets the bar. */
static void check_industrial_rd(const tv_company_t *c, tv_lang_t lang, tv_criterion_t *k)
{
    const int64_t min = TV_ELIG_INDUSTRIAL_MIN_EUR;
    const eur_t need = eur(min, lang);

    if (c->rd_spend_eur != TV_UNKNOWN && c->rd_spend_eur >= min)
        verdict(k, TV_CHECK_PASS, lang,
                "R&D spend EUR %s a year meets the EUR %s of industrial biotech",
                "spesa in R&S di %s EUR all'anno, pari almeno ai %s EUR richiesti dal biotech "
                "industriale",
                eur(c->rd_spend_eur, lang).s, need.s);
    else if (c->grants_eur != TV_UNKNOWN && c->grants_eur >= min)
        verdict(k, TV_CHECK_PASS, lang,
                "grant funding EUR %s a year meets the EUR %s of industrial biotech",
                "finanziamenti da bandi di %s EUR all'anno, pari almeno ai %s EUR richiesti dal "
                "biotech industriale",
                eur(c->grants_eur, lang).s, need.s);
    else if (c->rd_spend_eur == TV_UNKNOWN || c->grants_eur == TV_UNKNOWN)
        verdict(k, TV_CHECK_UNKNOWN, lang,
                "R&D spend or grant funding is not given; industrial biotech needs EUR %s a year "
                "of either",
                "spesa in R&S o finanziamenti da bandi non indicati; il biotech industriale "
                "richiede %s EUR all'anno dell'una o degli altri",
                need.s);
    else
        verdict(k, TV_CHECK_FAIL, lang,
                "R&D spend EUR %s and grant funding EUR %s a year are both below the EUR %s of "
                "industrial biotech",
                "spesa in R&S di %s EUR e finanziamenti da bandi di %s EUR all'anno, entrambi "
                "sotto i %s EUR richiesti dal biotech industriale",
                eur(c->rd_spend_eur, lang).s, eur(c->grants_eur, lang).s, need.s);
}

static void check_rd(const tv_taxonomy_t *t, const tv_company_t *c, tv_lang_t lang,
                     tv_criterion_t *k)
{
    tv_track_t track =
        c->area >= 0 ? tv_taxonomy_entry(t, TV_TAXO_AREA, (size_t)c->area)->track : TV_TRACK_NONE;

    if (track == TV_TRACK_MEDICINE)
        check_medicine_rd(c, lang, k);
    else if (track == TV_TRACK_INDUSTRIAL)
        check_industrial_rd(c, lang, k);
    else
        verdict(k, TV_CHECK_UNKNOWN, lang, "area is not given, so the R&D threshold is not known",
                "l'area non è indicata, quindi la soglia di R&S non è nota");
}

static void check_commercial(const tv_company_t *c, tv_lang_t lang, tv_criterion_t *k)
{
    if (c->commercial < 0)
        verdict(k, TV_CHECK_UNKNOWN, lang, "commercial phase is not given",
                "la fase commerciale non è indicata");
    else if (c->commercial)
        verdict(k, TV_CHECK_FAIL, lang, "the company is in the commercial phase",
                "l'azienda è in fase commerciale");
    else
        verdict(k, TV_CHECK_PASS, lang, "the company is not in the commercial phase",
                "l'azienda non è in fase commerciale");
}

static void check_patents(const tv_company_t *c, tv_lang_t lang, tv_criterion_t *k)
{
    int64_t owned = c->patents_owned, licensed = c->patents_licensed;

    if ((owned != TV_UNKNOWN && owned > 0) || (licensed != TV_UNKNOWN && licensed > 0))
        verdict(k, TV_CHECK_PASS, lang, "%" PRId64 " patents owned, %" PRId64 " licensed",
                "%" PRId64 " brevetti di proprietà, %" PRId64 " in licenza",
                owned == TV_UNKNOWN ? 0 : owned, licensed == TV_UNKNOWN ? 0 : licensed);
    else if (owned == TV_UNKNOWN || licensed == TV_UNKNOWN)
        verdict(k, TV_CHECK_UNKNOWN, lang, "patents owned or licensed are not given",
                "brevetti di proprietà o in licenza non indicati");
    else
        verdict(k, TV_CHECK_FAIL, lang, "no patent owned or licensed",
                "nessun brevetto di proprietà o in licenza");
}

/* "The prevailing part" of R&D is read as more than half. */
static void check_italy(const tv_company_t *c, tv_lang_t lang, tv_criterion_t *k)
{
    int home = strcmp(c->hq_country, TV_ELIG_HOME_COUNTRY) == 0;

    if (c->hq_country[0] == '\0')
        verdict(k, TV_CHECK_UNKNOWN, lang, "headquarters country is not given",
                "il paese della sede non è indicato");
    else if (!home)
        verdict(k, TV_CHECK_FAIL, lang, "headquarters in %s, not %s", "sede in %s, non in %s",
                c->hq_country, TV_ELIG_HOME_COUNTRY);
    else if (isnan(c->rd_share_italy))
        verdict(k, TV_CHECK_UNKNOWN, lang,
                "headquarters in %s; the share of R&D done there is not given",
                "sede in %s; la quota di R&S svolta lì non è indicata", TV_ELIG_HOME_COUNTRY);
    else if (c->rd_share_italy > 0.5)
        verdict(k, TV_CHECK_PASS, lang, "headquarters in %s and %.0f%% of R&D done there",
                "sede in %s e %.0f%% della R&S svolta lì", TV_ELIG_HOME_COUNTRY,
                c->rd_share_italy * 100);
    else
        verdict(k, TV_CHECK_FAIL, lang,
                "headquarters in %s but only %.0f%% of R&D done there (more than half needed)",
                "sede in %s ma solo il %.0f%% della R&S svolta lì (serve più della metà)",
                TV_ELIG_HOME_COUNTRY, c->rd_share_italy * 100);
}

void tv_eligibility_check(const tv_taxonomy_t *t, const tv_company_t *c, tv_eligibility_t *out)
{
    tv_eligibility_check_lang(t, c, TV_LANG_EN, out);
}

void tv_eligibility_check_lang(const tv_taxonomy_t *t, const tv_company_t *c, tv_lang_t lang,
                               tv_eligibility_t *out)
{
    static const char *const names[TV_CRIT_COUNT] = {"rd_threshold", "not_commercial", "patents",
                                                     "italy"};

    check_rd(t, c, lang, &out->criteria[TV_CRIT_RD_THRESHOLD]);
    check_commercial(c, lang, &out->criteria[TV_CRIT_NOT_COMMERCIAL]);
    check_patents(c, lang, &out->criteria[TV_CRIT_PATENTS]);
    check_italy(c, lang, &out->criteria[TV_CRIT_ITALY]);
    out->eligible = TV_CHECK_PASS;
    for (int i = 0; i < TV_CRIT_COUNT; i++) {
        out->criteria[i].name = names[i];
        if (out->criteria[i].result == TV_CHECK_FAIL)
            out->eligible = TV_CHECK_FAIL;
        else if (out->criteria[i].result == TV_CHECK_UNKNOWN && out->eligible == TV_CHECK_PASS)
            out->eligible = TV_CHECK_UNKNOWN;
    }
}
