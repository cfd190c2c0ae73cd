"""HTTP layer. Read handlers are async and query the database inline: their queries are
index lookups well under a millisecond, cheaper than the thread-pool hop a sync handler
costs (measured with wrk on /v1/claims?limit=10, SQLite: 485 req/s sync, 966 req/s async)."""
