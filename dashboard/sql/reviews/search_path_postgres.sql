-- PostgreSQL only, once per connection: the schema the ledger table lives in (the URL's ?schema=).
SELECT set_config('search_path', :search_path, false)
