-- The columns this version reads that earlier versions did not publish: a store without them was
-- published by an older asl-dashboard and must be published again (the reader says so in one line).
SELECT required_domains FROM store.main.policies LIMIT 0
