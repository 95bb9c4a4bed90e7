"""PostgreSQL access: the connection pool, the embedded development server and migrations."""
