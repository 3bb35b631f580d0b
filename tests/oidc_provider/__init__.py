"""A real OpenID Connect provider for the sign-in tests: a second Django process running
django-oauth-toolkit, on loopback, started and stopped (by its process id) by ``running``.

How it issues ID tokens is set per test through a file (``IdentityProvider.issue``): normally
signed, with an ``amr`` naming a second factor, unsigned, expired, or for another audience.
"""
