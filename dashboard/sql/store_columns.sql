-- The columns this version reads that earlier versions did not publish: a store without them was
-- published by an older asl-dashboard and must be published again (the reader says so in one line).
SELECT p.required_domains, o.deadline_hours, o.categories
FROM store.main.policies p, store.main.obligations o
LIMIT 0
