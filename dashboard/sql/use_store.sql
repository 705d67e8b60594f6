USE store;
-- The shared rules (rules.sql) live in the in-memory database: found after the store's own names.
SET search_path = 'store.main,memory.main';
