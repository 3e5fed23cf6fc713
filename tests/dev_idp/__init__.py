"""The built-in development OpenID Provider, against a real server."""
