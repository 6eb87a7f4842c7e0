-- An organiser's hand holds: a meeting moved, cancelled or created by hand is pinned, and no
-- scheduler run moves or revives it until the organiser unpins it. The column was
-- cancelled_by_organiser, which pinned cancellations only; a locked meeting was pinned too.
ALTER TABLE meetings RENAME COLUMN cancelled_by_organiser TO pinned;
UPDATE meetings SET pinned = true WHERE status = 'locked';
