-- What each side's own acts say of a pair (issue 18's "Learn", decision 0069): one row per act.
-- A request says yes for the side that sent it and, once decided, yes (accepted) or no
-- (declined) for the side that received it; a declined request closes the pair for both sides
-- (both were told). A side's answers after a meeting, field by field the latest, say yes (a
-- rating from 4, a follow-up wanted, a next step taken) or no (a rating up to 2, no follow-up,
-- the step "none"), by which outweighs the other; a no closes the pair for that side only,
-- since the other side never sees it. The organisers' corrections say nothing of taste.
CREATE VIEW pair_judgments AS
SELECT company_id, investor_id, from_kind AS side, 1 AS judged,
       CASE WHEN status = 'declined' THEN 'pair' END AS closes,
       created_at AS at, 1 AS source
FROM meeting_requests
UNION ALL
SELECT company_id, investor_id,
       CASE WHEN from_kind = 'company' THEN 'investor' ELSE 'company' END,
       CASE WHEN status = 'accepted' THEN 1 ELSE -1 END,
       CASE WHEN status = 'declined' THEN 'pair' END,
       coalesce(decided_at, created_at), 1
FROM meeting_requests WHERE status IN ('accepted', 'declined')
UNION ALL
SELECT company_id, investor_id, side, sign(leaning)::int,
       CASE WHEN leaning < 0 THEN 'side' END, at, 2
FROM (SELECT m.company_id, m.investor_id, o.side, max(o.recorded_at) AS at,
             coalesce(((array_agg(o.rating ORDER BY o.id DESC)
                        FILTER (WHERE o.rating IS NOT NULL))[1] >= 4)::int, 0)
             - coalesce(((array_agg(o.rating ORDER BY o.id DESC)
                          FILTER (WHERE o.rating IS NOT NULL))[1] <= 2)::int, 0)
             + coalesce(((array_agg(o.follow_up ORDER BY o.id DESC)
                          FILTER (WHERE o.follow_up IS NOT NULL))[1])::int * 2 - 1, 0)
             + (bool_or(o.next_step <> 'none') IS TRUE)::int
             - (bool_or(o.next_step = 'none') IS TRUE)::int AS leaning
      FROM meeting_outcomes o JOIN meetings m ON m.id = o.meeting_id
      WHERE o.side IN ('company', 'investor')
      GROUP BY m.id, m.company_id, m.investor_id, o.side) answers
WHERE leaning <> 0;

-- A side's answers are news to the matches of every daemon (see tv_store_signals).
CREATE TRIGGER meeting_outcomes_notify AFTER INSERT ON meeting_outcomes
    FOR EACH ROW EXECUTE FUNCTION tv_notify_event('event_id');
