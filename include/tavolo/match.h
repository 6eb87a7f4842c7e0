/* tavolo/match.h: the matcher. It turns profiles into feature vectors, keeps the best
 * investors of every company and the best companies of every investor, explains any pair,
 * and patches its lists when one profile changes. */
#ifndef TV_MATCH_H
#define TV_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "tavolo/eligibility.h"
#include "tavolo/profile.h"
#include "tavolo/score.h"
#include "tavolo/taxonomy.h"

/* Blocks of the forward vectors: what the company is against what the investor seeks. */
typedef enum {
    TV_BLOCK_TAXONOMY,
    TV_BLOCK_TEXT,
    TV_BLOCK_STAGE,
    TV_BLOCK_ROUND,
    TV_BLOCK_TICKET,
    TV_BLOCK_GEOGRAPHY,
    TV_BLOCK_LOCALITY,
    TV_BLOCK_SYNDICATE,
    TV_BLOCK_PORTFOLIO,
    /* Blocks of the reverse vectors: what the company wants against what the investor is. */
    TV_BLOCK_KIND,
    TV_BLOCK_REGION,
    TV_BLOCK_LEAD,
    TV_BLOCK_COUNT
} tv_block_t;

#define TV_FORWARD_BLOCKS TV_BLOCK_KIND

/* "taxonomy", "text", ... */
const char *tv_block_name(tv_block_t b);

/* Every tunable of matching. The defaults live in fixtures/match.json (see the README);
 * tv_codec_match_config_parse reads that file and any override on top of it. */
typedef struct {
    float weights[TV_BLOCK_COUNT]; /* forward ones and reverse ones each normalised to sum 1 */
    uint32_t text_width;           /* hashed text features */
    uint32_t syndicate_width;      /* hashed co-investor features */
    uint32_t locality_width;       /* hashed city or metro slots of the locality block */
    float locality_subdivision;    /* how much the state or region lights beside the city */
    float revealed_share;          /* share of the portfolio in an investor's thesis vector */
    float activity_share;          /* how much an investor's recent deal count scales its fit */
    float activity_half_life;      /* years after which a holding counts half */
    float activity_exponent;       /* the deal-count ratio's power in the activity factor */
    float parent_share;            /* a finer term also lights its top-level term this much */
    float stage_decay;             /* a stage d steps away fits decay^d */
    float round_decay;
    uint32_t ticket_buckets; /* log-spaced euro buckets between the two bounds */
    int64_t ticket_low_eur, ticket_high_eur;
    float ticket_sigma; /* width of a raise's bump and of a range's edges, in buckets */
    struct {
        uint32_t width;        /* hashed slots of the portfolio block (see portfolio.c) */
        uint32_t ticket_bands; /* its log-spaced round-size bands between the ticket bounds */
        float subdivision;     /* how much the state or region lights beside the city */
    } portfolio;
    float indifferent;   /* reverse blocks: how much "no preference" fits an investor */
    int eligible_only;   /* mask companies that are not ESIBE-eligible */
    float ticket_factor; /* mask a raise outside [min / f, max * f]; 0 turns it off */
    int mask_inactive;   /* mask investors marked inactive */
    int mask_conflicts;  /* mask a competitor of a holding: same indication and stage */
    uint32_t k;          /* list length served */
    uint32_t margin;     /* extra entries kept so that updates rarely need a rescan */
    struct {
        float share; /* how far an investor's thesis moves with what it taught (0: off) */
        float prior; /* judgments per side at which it moves half of 'share' */
    } learning;
} tv_match_config_t;

typedef struct tv_matcher tv_matcher_t;

/* A further restriction of one query, such as the participants of an event: NULL arrays
 * allow every row. */
typedef struct {
    const uint8_t *companies; /* n_companies flags */
    const uint8_t *investors; /* n_investors flags */
} tv_filter_t;

typedef enum {
    TV_CONSTRAINT_PASS,
    TV_CONSTRAINT_FAIL,
    TV_CONSTRAINT_UNKNOWN,
    TV_CONSTRAINT_OFF
} tv_constraint_state_t;

typedef struct {
    const char *name; /* "eligible", "ticket", "active", "portfolio_conflict" */
    tv_constraint_state_t state;
    char detail[160];    /* in English */
    char detail_it[160]; /* the same in Italian */
} tv_constraint_t;

#define TV_EXPLAIN_TERMS 12
#define TV_EXPLAIN_TEXT 6
#define TV_EXPLAIN_REASONS 3

/* A shared text term in more than this share of the documents of its language (descriptions,
 * theses, holdings) is filler ("sviluppo", "milioni", "euro"): never shown as a reason. */
#define TV_FILLER_SHARE 0.05

/* How many pairs the fit's quantile table is drawn from (all of them when there are fewer). */
#define TV_FIT_SAMPLE 65536

/* The level word of a fit; the thresholds are those of tv_fit_level. */
typedef enum { TV_LEVEL_WEAK, TV_LEVEL_FAIR, TV_LEVEL_GOOD, TV_LEVEL_EXCELLENT } tv_level_t;

/* The level of 'fit': excellent from 90, good from 75, fair from 50, weak below. */
tv_level_t tv_fit_level(int fit);

/* "excellent", "good", "fair", "weak", or in Italian ('lang' "it") "eccellente", "buona",
 * "discreta", "debole". */
const char *tv_level_name(tv_level_t level, const char *lang);

/* The name of block 'b' as a reader of 'lang' ("it" or "en") reads it ("sindacato"). */
const char *tv_block_label(tv_block_t b, const char *lang);

/* Hard constraints that fail for a pair, as bits of tv_explanation_t.flags. */
enum {
    TV_FLAG_NOT_ELIGIBLE = 1 << 0, /* the company fails an ESIBE criterion (masked or not) */
    TV_FLAG_TICKET = 1 << 1,       /* the raise is outside the ticket range by the factor */
    TV_FLAG_INACTIVE = 1 << 2,     /* the investor is marked inactive */
    TV_FLAG_CONFLICT = 1 << 3      /* the investor holds a competitor */
};
#define TV_FLAG_COUNT 4

/* The name of flag bit number 'k' (0 to TV_FLAG_COUNT - 1) as the API spells it:
 * "not_eligible", "ticket", "inactive", "portfolio_conflict". */
const char *tv_flag_name(int k);

/* Why a pair scores what it does. The contributions add up to the score. */
typedef struct {
    float score, forward, reverse;
    float contributions[TV_BLOCK_COUNT];
    float activity; /* the investor's track-record factor, already in the forward blocks */
    struct {
        tv_taxo_kind_t kind;
        uint16_t index;
    } terms[TV_EXPLAIN_TERMS]; /* shared taxonomy terms */
    size_t n_terms;
    const char *text[TV_EXPLAIN_TEXT]; /* strongest shared text terms, owned by the matcher */
    size_t n_text;
    tv_constraint_t constraints[4];
    size_t n_constraints;
    int allowed; /* 0 when a constraint masks the pair */
    int fit;     /* 0 to 100: the score's percentile among the build's pairs (tv_matcher_fit) */
    tv_level_t level;
    /* The blocks that drove the score, largest contribution first: at most
     * TV_EXPLAIN_REASONS, each contributing at least a tenth of the score. */
    tv_block_t reasons[TV_EXPLAIN_REASONS];
    size_t n_reasons;
    unsigned flags; /* TV_FLAG_* bits of the hard constraints that fail */
    float taste;    /* what the side's own lessons added to its ranking score (0: none; set by
                       the caller of tv_matcher_rank_learned, never by tv_matcher_explain) */
} tv_explanation_t;

/* Creates an empty matcher. Borrows 't', which must outlive it. TV_EINVAL when 'cfg' breaks its own
 * rules (k and widths above 0, ticket.low_eur above 0 and below ticket.high_eur). */
int tv_matcher_create(const tv_taxonomy_t *t, const tv_match_config_t *cfg, tv_matcher_t **out);

/* Frees 'm'. NULL is a no-op. */
void tv_matcher_destroy(tv_matcher_t *m);

/* Adds a profile before tv_matcher_build. The matcher takes over what the profile owns and
 * resets '*c' to unknown. Profiles should come in id order: ties rank by insertion order. */
int tv_matcher_add_company(tv_matcher_t *m, tv_company_t *c);
int tv_matcher_add_investor(tv_matcher_t *m, tv_investor_t *inv);

/* Analyses the texts, fits the corpus statistics (IDF, co-investments), builds every vector
 * and scores every pair. */
int tv_matcher_build(tv_matcher_t *m);

size_t tv_matcher_companies(const tv_matcher_t *m);
size_t tv_matcher_investors(const tv_matcher_t *m);
const tv_company_t *tv_matcher_company(const tv_matcher_t *m, size_t index);
const tv_investor_t *tv_matcher_investor(const tv_matcher_t *m, size_t index);

/* The rows in id order: the index of rank 'rank' (0 to tv_matcher_companies() - 1; removed
 * rows keep their rank, see tv_matcher_is_live_*). */
size_t tv_matcher_company_at(const tv_matcher_t *m, size_t rank);
size_t tv_matcher_investor_at(const tv_matcher_t *m, size_t rank);

/* The first rank whose id sorts after 'after' ("" for the first). */
size_t tv_matcher_company_rank_after(const tv_matcher_t *m, const char *after);
size_t tv_matcher_investor_rank_after(const tv_matcher_t *m, const char *after);

int tv_matcher_is_live_company(const tv_matcher_t *m, size_t index);
int tv_matcher_is_live_investor(const tv_matcher_t *m, size_t index);

/* Returns the index of a profile by id (binary search), or TV_ENOTFOUND (also for a removed
 * one). */
int tv_matcher_find_company(const tv_matcher_t *m, const char *id);
int tv_matcher_find_investor(const tv_matcher_t *m, const char *id);

/* Writes the best min(k, configured k) investors of company 'index' into 'out' (room for
 * k) and returns how many. From the kept list, or ranked on demand when 'only' is given. */
int tv_matcher_for_company(const tv_matcher_t *m, size_t index, size_t k, const tv_filter_t *only,
                           tv_hit_t *out);
int tv_matcher_for_investor(const tv_matcher_t *m, size_t index, size_t k, const tv_filter_t *only,
                            tv_hit_t *out);

/* What one side's own acts say of one counterpart (decision 0069): requests it accepted or
 * declined, requests it sent, and its answers after a meeting. */
typedef struct {
    uint32_t counterpart; /* matcher row of the other side */
    int8_t judged;        /* +1 it said yes (accepted, asked, rated well), -1 no, 0 neither */
    uint8_t hidden;       /* never ranked again for this side */
} tv_signal_t;

/* A side's signals, borrowed. */
typedef struct {
    const tv_signal_t *items;
    size_t n;
} tv_signals_t;

/* Like tv_matcher_for_company or tv_matcher_for_investor ('kind' says which side 'index' is),
 * for a side that taught the matcher 'learned' (NULL or empty: the same as those): its hidden
 * counterparts are left out and, for an investor, the forward half of each score is taken with
 * its thesis moved toward what it said yes to and away from what it said no to (learning.share
 * of the thesis's length, shrunk while either kind of judgment is rare: see docs/matching.md).
 * Only this side's own ranking changes: every other list stays as the build made it. */
int tv_matcher_rank_learned(const tv_matcher_t *m, tv_profile_kind_t kind, size_t index, size_t k,
                            const tv_filter_t *only, const tv_signals_t *learned, tv_hit_t *out);

/* The fit of 'score', from 0 to 100: the share of the pairs of the last build (or
 * tv_matcher_recompute) scoring at most 'score', read from a quantile table of up to
 * TV_FIT_SAMPLE pairs drawn with a fixed seed (see docs/matching.md for its error). Monotone in
 * the score and the same for every list; incremental updates leave the table as it is. */
int tv_matcher_fit(const tv_matcher_t *m, float score);

/* Explains pair (company, investor): contributions, shared terms and text (filler left out, see
 * TV_FILLER_SHARE), constraints, fit, level, reasons and flags. */
int tv_matcher_explain(const tv_matcher_t *m, size_t company, size_t investor,
                       tv_explanation_t *out);

/* Writes the sentence of reason 'k' (below e->n_reasons) of 'e' in 'lang' ("it" or "en") into
 * 'buf': "Shared focus: lung cancer, RNA", "Interessi comuni: tumore del polmone, RNA", ... */
void tv_explain_reason_text(const tv_taxonomy_t *t, const tv_explanation_t *e, size_t k,
                            const char *lang, char *buf, size_t size);

/* Writes the sentence of flag bit number 'k' (0 to TV_FLAG_COUNT - 1) of 'e' in 'lang': what
 * failed and the constraint's detail. */
void tv_explain_flag_text(const tv_explanation_t *e, int k, const char *lang, char *buf,
                          size_t size);

/* Adds or replaces a profile after tv_matcher_build, re-scores it with one matrix-vector
 * product and patches every list it enters or leaves. Corpus statistics stay as fitted.
 * Takes over what the profile owns. Returns the profile's index. */
int tv_matcher_upsert_company(tv_matcher_t *m, tv_company_t *c);
int tv_matcher_upsert_investor(tv_matcher_t *m, tv_investor_t *inv);

/* Rescores every pair from the current vectors and rebuilds every list: what the
 * incremental updates must always equal. Also draws the fit's quantile table afresh. */
int tv_matcher_recompute(tv_matcher_t *m);

/* Removes a profile from every list; its index is not reused. */
int tv_matcher_remove_company(tv_matcher_t *m, size_t index);
int tv_matcher_remove_investor(tv_matcher_t *m, size_t index);

/* The ESIBE verdict the matcher computed for company 'index'. */
tv_check_t tv_matcher_eligible(const tv_matcher_t *m, size_t index);

#endif
