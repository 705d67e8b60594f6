-- SQLite only, once per connection: write-ahead logging (readers never wait for the writer, and
-- several processes share the file) and a full sync at every commit (an acknowledged row survives
-- a crash or a kill -9).
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
