#!/usr/bin/python3
"""Connects to Redis the way Open WebUI does (utils/redis.py, v0.11.0: redis-py's from_url with the
rendered REDIS_URL; python-socketio's AsyncRedisManager with WEBSOCKET_REDIS_URL uses the same
client) and exercises what it uses Redis for: a key with Open WebUI's prefix and a pub/sub round
trip (socket.io's manager).

Open WebUI pins redis-py 8, whose rediss:// defaults are a required certificate and a checked host
name; Debian 12's redis-py 4.3 checks the certificate by default but not the name, so the name
check is asked for explicitly. CAs come from the default SSL context (SSL_CERT_FILE when set).

Input (JSON in $AI_PORTAL_INPUT): {"url": ...}. Output (JSON): {"ok": true, "ping": ..., "value":
..., "message": ...} or {"ok": false, "error": "<exception class>: <message>"}.
"""
import json
import os
import time

import redis


def main():
    request = json.loads(os.environ["AI_PORTAL_INPUT"])
    try:
        client = redis.from_url(request["url"], decode_responses=True, ssl_check_hostname=True,
                                socket_connect_timeout=5, socket_timeout=5)
        ping = client.ping()
        client.set("open-webui:ai-portal-integration", "shared by every replica", ex=60)
        value = client.get("open-webui:ai-portal-integration")
        pubsub = client.pubsub()
        pubsub.subscribe("socketio")
        pubsub.get_message(timeout=2)  # the subscription's confirmation
        client.publish("socketio", "an event for every replica")
        message = None
        deadline = time.time() + 5
        while message is None and time.time() < deadline:
            message = pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
        print(json.dumps({"ok": True, "ping": ping, "value": value,
                          "message": message["data"] if message else None}))
    except Exception as error:  # noqa: BLE001 - the test wants to see any refusal
        print(json.dumps({"ok": False, "error": f"{type(error).__name__}: {error}"}))


if __name__ == "__main__":
    main()
