"""Django's Redis cache, with one Redis client per connection pool instead of one per operation.

Django builds a new ``redis.Redis`` for every get and set, copying its few hundred reply callbacks
each time (about 0.1 ms): a kept detail asks the cache twice (the rate limit, the representation).
A client takes a connection from its pool for each command, so one client per pool serves every
thread.

Keys are not checked against memcached's limits (Django warns of spaces and keys over 250
characters for every key, 2 ms of a kept changes page of 1,000): Redis has neither limit.
"""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def validate_key(self, key):
        """Redis takes any key: memcached's limits are not checked."""
