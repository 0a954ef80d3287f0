#!/usr/bin/python3
# The single web host's sign-in limit: what WAF's rate-based rule does in the load-balanced tier
# (edge/firewall.ts), for Caddy, which has no rate limiter of its own. Caddy's forward_auth asks
# this service about every request to a sign-in route (compute/settings.ts caddyfile), naming the
# client's TCP address in X-Portal-Client-Address (set by Caddy, replacing whatever the client
# sent); it answers 204 while that address has made at most LIMIT attempts in the last five
# minutes, and 429 past it, which Caddy returns to the client. Every attempt counts, refused ones
# too, as in WAF.
#
# Usage: signin-limit LIMIT PORT. Listens on 127.0.0.1 only. Python 3.9 standard library only
# (Amazon Linux 2023's python3). A boot file (compute/web.ts webBootFiles); these comment lines
# are left out of what the host receives.
"""Sign-in attempts per client address, for Caddy's forward_auth: 204 under the limit, 429 past it."""
import http.server
import ipaddress
import sys
import threading
import time

WINDOW_SECONDS = 300
# Memory stays bounded: at most this many addresses are remembered (about 200 bytes each); the
# least recently seen is forgotten first, and so is any not seen for two windows.
MAX_ADDRESSES = 65536
HEADER = "X-Portal-Client-Address"


class Counter:
    """A sliding five-minute window per address, estimated from two fixed windows (O(1) each)."""

    def __init__(self, limit, clock=time.monotonic):
        self.limit = limit
        self.clock = clock
        self.lock = threading.Lock()
        # address -> [window number, attempts in it, attempts in the window before], least
        # recently seen first (dicts keep insertion order; each attempt re-inserts its address).
        self.seen = {}

    def attempt(self, address):
        """Counts one attempt from address; True while it is within the limit."""
        window, elapsed = divmod(self.clock(), WINDOW_SECONDS)
        with self.lock:
            entry = self.seen.pop(address, None)
            if entry is None or entry[0] < window - 1:
                entry = [window, 0, 0]
            elif entry[0] == window - 1:
                entry = [window, 0, entry[1]]
            entry[1] += 1
            self.seen[address] = entry
            while True:
                oldest = next(iter(self.seen))
                if len(self.seen) <= MAX_ADDRESSES and self.seen[oldest][0] >= window - 1:
                    break
                del self.seen[oldest]
            # The previous window's attempts, weighted by how much of it the sliding window still covers.
            return entry[2] * (1 - elapsed / WINDOW_SECONDS) + entry[1] <= self.limit


def handler(counter):
    class Ask(http.server.BaseHTTPRequestHandler):
        timeout = 5

        def do_GET(self):
            length = int(self.headers.get("Content-Length") or 0)
            if 0 < length <= 1 << 20:
                self.rfile.read(length)
            given = self.headers.get_all(HEADER) or []
            try:
                address = str(ipaddress.ip_address(given[0])) if len(given) == 1 else None
            except ValueError:
                address = None
            if address is None:
                self.answer(400, "The client address header is missing or not one address.\n")
            elif counter.attempt(address):
                self.answer(204, "")
            else:
                sys.stderr.write("refused a sign-in attempt from %s (over %d in 5 minutes)\n" % (address, counter.limit))
                self.answer(429, "Too many sign-in attempts from this address. Try again in a few minutes.\n")

        def answer(self, status, body):
            data = body.encode()
            self.send_response(status)
            if data:
                self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_request(self, code="-", size="-"):
            pass

    return Ask


def main(argv):
    if len(argv) != 3 or not argv[1].isdigit() or not argv[2].isdigit() or int(argv[1]) < 1:
        sys.exit("usage: signin-limit LIMIT PORT (LIMIT at least 1)")
    counter = Counter(int(argv[1]))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(argv[2])), handler(counter))
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv)
