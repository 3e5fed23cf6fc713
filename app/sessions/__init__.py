"""Server-side sessions: a random token in a cookie, its hash in the database."""
