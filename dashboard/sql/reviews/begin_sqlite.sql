-- SQLite only: an append's transaction takes the write lock at once, so the last row it reads is
-- still the last when it inserts (a second writer waits, up to the busy timeout).
BEGIN IMMEDIATE
