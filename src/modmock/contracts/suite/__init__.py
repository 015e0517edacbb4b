"""The client contract suite: a ready set of checks run against a user's client through an adapter.

    python -m modmock contract --vendor deepcleer --client mypackage.moderation:adapter
    pytest --pyargs modmock.contracts.suite --modmock-vendor=deepcleer --modmock-client=mypackage.moderation:adapter

See :mod:`modmock.contracts.client` for what an adapter is.
"""
