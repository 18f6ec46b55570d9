"""A tiny OIDC identity service for the single sign-on test: django-oauth-toolkit's provider,
in its own Django project and process (`python -m tests.oidc_provider PORT`), configured by the
environment the test sets (key, client, users and their claims)."""
