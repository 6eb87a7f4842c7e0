-- A meeting an organiser cancelled stays cancelled when the scheduler runs again; one the
-- scheduler dropped may come back.
ALTER TABLE meetings ADD COLUMN cancelled_by_organiser boolean NOT NULL DEFAULT false;
