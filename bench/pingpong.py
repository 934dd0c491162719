"""Round trips over loopback TCP between two plain processes, no JavaScript runtime.

Measures what a sequential request costs the machine itself (C1 in LIMITS.md): a
client process sends 40 bytes, a server process (forked) answers 78, N times. Each
side either sleeps in a blocking recv (as every HTTP client does) or polls its
non-blocking socket without sleeping. Prints the round-trip time and the client's
CPU time (user + sys) per round trip. Pin with `taskset -c 0` to put both on one core.

    python3 bench/pingpong.py [--poll-client] [--poll-server] [--trips N]
"""

import argparse
import os
import socket
import time


def receive(sock, polling):
    """One recv; when polling, retries a non-blocking socket instead of sleeping."""
    while True:
        try:
            return sock.recv(4096)
        except BlockingIOError:
            if not polling:
                raise


def connected(sock, polling):
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setblocking(not polling)
    return sock


def main():
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--poll-client", action="store_true")
    args.add_argument("--poll-server", action="store_true")
    args.add_argument("--trips", type=int, default=20000)
    opts = args.parse_args()

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    if os.fork() == 0:
        server = connected(socket.create_connection(listener.getsockname()), opts.poll_server)
        while receive(server, opts.poll_server):
            server.sendall(b"r" * 78)
        os._exit(0)
    client = connected(listener.accept()[0], opts.poll_client)
    listener.close()

    wall, cpu = time.perf_counter(), os.times()
    for _ in range(opts.trips):
        client.sendall(b"q" * 40)
        receive(client, opts.poll_client)
    wall, after = time.perf_counter() - wall, os.times()
    used = (after.user - cpu.user) + (after.system - cpu.system)
    client.close()
    os.wait()
    print(
        f"{opts.trips / wall:,.0f} round trips/s, {wall / opts.trips * 1e6:.1f} µs each, "
        f"client CPU {used / opts.trips * 1e6:.1f} µs each"
    )


if __name__ == "__main__":
    main()
