"""The shared-store tests use the `redis_url` and `store_url` fixtures of tests/conftest.py."""
