"""A small OpenID provider (django-oidc-provider) the single sign-on tests start on loopback as a separate
process with its own SQLite database: the province's unified identity service (统一身份认证) stand-in."""
