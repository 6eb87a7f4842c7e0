/* The selection's maximum-weight b-matching as a min-cost circulation, solved exactly by the
 * primal network simplex method: block search pivots, strongly feasible spanning trees (no
 * cycling), exact 128-bit integer costs. */
#include <string.h>

#include "core/internal.h"
#include "schedule_internal.h"

/* The circulation: S -> company (capacity, bonus units first at -bonus_weight), company ->
 * investor (1, -weight), investor -> T (like S -> company), T -> S (total_cap, 0). A
 * circulation of minimum cost is a b-matching of maximum weight; the amount of flow is free,
 * so it stops where one more meeting would cost weight rather than add it.
 *
 * Why not primal-dual or successive shortest paths: weights are lexicographic with a 10^-4
 * score grid, so augmenting paths have almost all distinct costs; on a 3,000 + 3,000 event
 * primal-dual needed 15,000 phases (one Dijkstra each, 47 s) and per-unit shortest paths 17 s,
 * where the simplex needs about 0.2 to 1 s. */

enum { NODE_S = 0, NODE_T = 1, NODE_FIRST = 2 };
enum { LOWER = 1, TREE = 0, UPPER = -1 }; /* arc states; a non-tree arc sits at a bound */

#define INF UINT32_MAX

typedef struct {
    uint32_t n, m;                    /* nodes without the root, arcs without the artificial ones */
    uint32_t *src, *dst, *cap, *flow; /* m + n arcs: real ones, then node v -> root at m + v */
    tv__cost_t *cost, *pi;            /* pi: n + 1 potentials */
    int8_t *state;
    /* The spanning tree, rooted at node n: parent, the arc to it, whether that arc points up
     * (from the node to its parent), depth, and children as a doubly linked list. */
    uint32_t *parent, *pred, *depth, *child, *next, *prev;
    uint8_t *up;
    uint32_t next_arc, block; /* block search: where the next block starts, its size */
    /* The current pivot: the entering arc, the apex of its cycle, the entering arc's end that
     * gets a new parent (u_in) and the other end (v_in), the node whose tree arc leaves, and
     * the amount of flow moved. */
    uint32_t in_arc, join, u_in, v_in, u_out, delta;
} ns_t;

/* ---- building ---- */

static void add_arc(ns_t *g, uint32_t u, uint32_t v, uint32_t cap, tv__cost_t cost)
{
    uint32_t a = g->m++;

    if (g->src == NULL)
        return; /* counting */
    g->src[a] = u, g->dst[a] = v, g->cap[a] = cap, g->flow[a] = 0;
    g->cost[a] = cost;
    g->state[a] = LOWER;
}

/* Adds the arcs (only counts them while g->src is NULL). 'edge_arc' gets each edge's arc, or
 * TV__NONE for an edge with a participant of capacity 0. */
static void add_arcs(ns_t *g, const tv__flow_problem_t *p, uint32_t *edge_arc)
{
    uint32_t parties = p->n_left + p->n_right;

    g->m = 0;
    for (size_t e = 0; e < p->n_edges; e++) {
        uint32_t l = p->left[e], r = p->n_left + p->right[e];

        if (edge_arc != NULL)
            edge_arc[e] = p->cap[l] == 0 || p->cap[r] == 0 ? TV__NONE : g->m;
        if (p->cap[l] != 0 && p->cap[r] != 0)
            add_arc(g, NODE_FIRST + l, NODE_FIRST + r, 1, -p->weight[e]);
    }
    for (uint32_t v = 0; v < parties; v++) {
        uint32_t node = NODE_FIRST + v, from = v < p->n_left ? NODE_S : node;
        uint32_t to = v < p->n_left ? node : NODE_T;

        if (p->bonus[v] > 0)
            add_arc(g, from, to, p->bonus[v], -p->bonus_weight);
        if (p->cap[v] > p->bonus[v])
            add_arc(g, from, to, p->cap[v] - p->bonus[v], 0);
    }
    if (p->total_cap > 0)
        add_arc(g, NODE_T, NODE_S, p->total_cap, 0);
}

static void ns_dispose(ns_t *g)
{
    void *arrays[] = {g->src,    g->dst,  g->cap,   g->flow,  g->cost, g->pi,   g->state,
                      g->parent, g->pred, g->depth, g->child, g->next, g->prev, g->up};

    for (size_t k = 0; k < TV__ARRAY_LEN(arrays); k++)
        tv__free(arrays[k]);
}

static int ns_alloc(ns_t *g)
{
    size_t arcs = (size_t)g->m + g->n, nodes = (size_t)g->n + 1;

    g->src = tv__malloc(arcs * sizeof(uint32_t));
    g->dst = tv__malloc(arcs * sizeof(uint32_t));
    g->cap = tv__malloc(arcs * sizeof(uint32_t));
    g->flow = tv__malloc(arcs * sizeof(uint32_t));
    g->cost = tv__malloc(arcs * sizeof(tv__cost_t));
    g->state = tv__malloc(arcs);
    g->pi = tv__malloc(nodes * sizeof(tv__cost_t));
    g->parent = tv__malloc(nodes * sizeof(uint32_t));
    g->pred = tv__malloc(nodes * sizeof(uint32_t));
    g->depth = tv__malloc(nodes * sizeof(uint32_t));
    g->child = tv__malloc(nodes * sizeof(uint32_t));
    g->next = tv__malloc(nodes * sizeof(uint32_t));
    g->prev = tv__malloc(nodes * sizeof(uint32_t));
    g->up = tv__malloc(nodes);
    if (g->src == NULL || g->dst == NULL || g->cap == NULL || g->flow == NULL || g->cost == NULL ||
        g->state == NULL || g->pi == NULL || g->parent == NULL || g->pred == NULL ||
        g->depth == NULL || g->child == NULL || g->next == NULL || g->prev == NULL || g->up == NULL)
        return TV_ENOMEM;
    return 0;
}

static void link_child(ns_t *g, uint32_t v, uint32_t parent)
{
    uint32_t first = g->child[parent];

    g->parent[v] = parent;
    g->prev[v] = TV__NONE;
    g->next[v] = first;
    if (first != TV__NONE)
        g->prev[first] = v;
    g->child[parent] = v;
}

static void unlink_child(ns_t *g, uint32_t v)
{
    if (g->prev[v] != TV__NONE)
        g->next[g->prev[v]] = g->next[v];
    else
        g->child[g->parent[v]] = g->next[v];
    if (g->next[v] != TV__NONE)
        g->prev[g->next[v]] = g->prev[v];
}

/* The first tree: every node hangs from the root by an artificial arc v -> root of cost 0,
 * unbounded, without flow. No arc leaves the root, so no cycle can carry flow through it and
 * those arcs stay empty; the tree is strongly feasible (each node can send flow up). */
static void initial_tree(ns_t *g)
{
    uint32_t root = g->n;

    g->parent[root] = g->pred[root] = g->child[root] = TV__NONE;
    g->next[root] = g->prev[root] = TV__NONE;
    g->depth[root] = 0;
    g->pi[root] = 0;
    for (uint32_t v = g->n; v-- > 0;) {
        uint32_t a = g->m + v;

        g->src[a] = v, g->dst[a] = root, g->cap[a] = INF, g->flow[a] = 0;
        g->cost[a] = 0;
        g->state[a] = TREE;
        g->pred[v] = a, g->up[v] = 1, g->depth[v] = 1, g->pi[v] = 0, g->child[v] = TV__NONE;
        link_child(g, v, root);
    }
    g->block = 10;
    while ((uint64_t)g->block * g->block < g->m)
        g->block++;
    g->next_arc = 0;
}

static int ns_build(ns_t *g, const tv__flow_problem_t *p, uint32_t *edge_arc)
{
    int rc;

    memset(g, 0, sizeof(*g));
    g->n = NODE_FIRST + p->n_left + p->n_right;
    add_arcs(g, p, NULL);
    rc = ns_alloc(g);
    if (rc != 0)
        return rc;
    add_arcs(g, p, edge_arc);
    initial_tree(g);
    return 0;
}

/* ---- pivots ---- */

static tv__cost_t reduced(const ns_t *g, uint32_t a)
{
    return g->cost[a] + g->pi[g->src[a]] - g->pi[g->dst[a]];
}

/* Block search: scans arcs from where the last search stopped, in blocks of about sqrt(m),
 * and takes the most violating arc of the first block that has one. Returns 0 when no arc
 * violates the optimality conditions: the flow is optimal. */
static int find_entering(ns_t *g)
{
    tv__cost_t best = 0;
    uint32_t left = g->block, a = g->next_arc;

    for (uint32_t k = 0; k < g->m; k++) {
        tv__cost_t c = g->state[a] * reduced(g, a);

        if (c < best) {
            best = c;
            g->in_arc = a;
        }
        a = a + 1 == g->m ? 0 : a + 1;
        if (--left == 0) {
            if (best < 0)
                break;
            left = g->block;
        }
    }
    g->next_arc = a;
    return best < 0;
}

static void find_join(ns_t *g)
{
    uint32_t u = g->src[g->in_arc], v = g->dst[g->in_arc];

    while (u != v) {
        if (g->depth[u] >= g->depth[v])
            u = g->parent[u];
        else
            v = g->parent[v];
    }
    g->join = u;
}

/* How much more flow the tree arc above 'u' takes in the direction from u to its parent
 * ('upward') or from the parent to u. */
static uint32_t room(const ns_t *g, uint32_t u, int upward)
{
    uint32_t a = g->pred[u];

    if (g->up[u] == upward)
        return g->cap[a] == INF ? INF : g->cap[a] - g->flow[a];
    return g->flow[a];
}

/* The leaving arc: the last blocking arc of the cycle when walked in the direction of the
 * flow from the apex, which keeps the tree strongly feasible. The cycle runs from 'first'
 * through the entering arc to 'second', up to the apex and down again to 'first'. Returns 0
 * when the entering arc itself blocks (it only moves to its other bound). */
static int find_leaving(ns_t *g)
{
    uint32_t in = g->in_arc, first, second;
    int result = 0;

    first = g->state[in] == LOWER ? g->src[in] : g->dst[in];
    second = g->state[in] == LOWER ? g->dst[in] : g->src[in];
    g->delta = g->cap[in];
    for (uint32_t u = first; u != g->join; u = g->parent[u]) {
        uint32_t d = room(g, u, 0);

        if (d < g->delta)
            g->delta = d, g->u_out = u, result = 1;
    }
    for (uint32_t u = second; u != g->join; u = g->parent[u]) {
        uint32_t d = room(g, u, 1);

        if (d <= g->delta)
            g->delta = d, g->u_out = u, result = 2;
    }
    g->u_in = result == 1 ? first : second;
    g->v_in = result == 1 ? second : first;
    return result != 0;
}

static void change_flow(ns_t *g, int change)
{
    uint32_t in = g->in_arc, d = g->delta;
    int forward = g->state[in] == LOWER;
    uint32_t first = forward ? g->src[in] : g->dst[in], second = forward ? g->dst[in] : g->src[in];

    if (d > 0) {
        g->flow[in] = forward ? g->flow[in] + d : g->flow[in] - d;
        for (uint32_t u = first; u != g->join; u = g->parent[u])
            g->flow[g->pred[u]] = g->up[u] ? g->flow[g->pred[u]] - d : g->flow[g->pred[u]] + d;
        for (uint32_t u = second; u != g->join; u = g->parent[u])
            g->flow[g->pred[u]] = g->up[u] ? g->flow[g->pred[u]] + d : g->flow[g->pred[u]] - d;
    }
    if (change) {
        uint32_t out = g->pred[g->u_out];

        g->state[in] = TREE;
        g->state[out] = g->flow[out] == 0 ? LOWER : UPPER;
    } else {
        g->state[in] = (int8_t)-g->state[in];
    }
}

/* Moves the subtree of u_out, re-rooted at u_in, under v_in through the entering arc: the
 * parent links along the stem from u_in up to u_out turn around. Then shifts the potentials of
 * the moved nodes so that the entering arc's reduced cost becomes 0, and fixes their depths. */
static void update_tree(ns_t *g)
{
    uint32_t in = g->in_arc, x = g->u_in, parent = g->v_in, pred = in, top = g->u_in, v;
    uint8_t up = g->src[in] == g->u_in;
    tv__cost_t rc = reduced(g, in), shift = up ? -rc : rc;

    unlink_child(g, g->u_out);
    for (;;) {
        uint32_t old_parent = g->parent[x], old_pred = g->pred[x];
        uint8_t old_up = g->up[x];

        if (x != g->u_out)
            unlink_child(g, x);
        link_child(g, x, parent);
        g->pred[x] = pred, g->up[x] = up;
        if (x == g->u_out)
            break;
        parent = x, pred = old_pred, up = !old_up, x = old_parent;
    }
    for (v = top;;) {
        g->depth[v] = g->depth[g->parent[v]] + 1;
        g->pi[v] += shift;
        if (g->child[v] != TV__NONE) {
            v = g->child[v];
            continue;
        }
        while (v != top && g->next[v] == TV__NONE)
            v = g->parent[v];
        if (v == top)
            break;
        v = g->next[v];
    }
}

int tv__flow_solve(const tv__flow_problem_t *p, uint8_t *chosen)
{
    uint32_t *edge_arc = tv__malloc(p->n_edges * sizeof(uint32_t));
    ns_t g;
    int rc = TV_ENOMEM;

    memset(&g, 0, sizeof(g));
    if (edge_arc == NULL)
        goto out;
    rc = ns_build(&g, p, edge_arc);
    if (rc != 0)
        goto out;
    while (find_entering(&g)) {
        int change;

        find_join(&g);
        change = find_leaving(&g);
        change_flow(&g, change);
        if (change)
            update_tree(&g);
    }
    for (size_t e = 0; e < p->n_edges; e++)
        chosen[e] = edge_arc[e] != TV__NONE && g.flow[edge_arc[e]] == 1;
out:
    ns_dispose(&g);
    tv__free(edge_arc);
    return rc;
}
