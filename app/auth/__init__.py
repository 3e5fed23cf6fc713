"""Sign-in: OpenID Connect relying party, server-side sessions, the built-in test provider."""
