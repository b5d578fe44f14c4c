"""Per-call overhead with Python's socket module: send 64 B on one end of an AF_UNIX
socketpair, recv it on the other (data always waiting), in one process.

  percall.py WARM DUR recv|into      (into: recv_into a preallocated bytearray)
"""
import json
import socket
import sys
import time

MSG = 64


def main(argv):
    warm, dur, into = float(argv[1]), float(argv[2]), argv[3] == "into"
    a, b = socket.socketpair()
    msg = b"x" * MSG
    buf = bytearray(MSG)
    now = time.perf_counter
    done = d0 = d1 = 0
    phase = 0
    tw, t0, t1 = now() + warm, 0.0, 0.0
    while phase < 2:
        for _ in range(64):
            a.send(msg)
            n = b.recv_into(buf, MSG) if into else len(b.recv(MSG))
            if n != MSG:
                print("FAIL recv size", file=sys.stderr)
                sys.exit(1)
        done += 64
        t = now()
        if phase == 0 and t >= tw:
            phase, t0, d0 = 1, t, done
        elif phase == 1 and t >= t0 + dur:
            phase, t1, d1 = 2, t, done
    print(json.dumps({"ops": d1 - d0, "secs": t1 - t0}))


main(sys.argv)
