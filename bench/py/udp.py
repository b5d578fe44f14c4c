"""UDP workloads over 127.0.0.1 with Python's socket module; same roles and output as bench/c/udp.c.

  udp.py echo
  udp.py pp    PORT DEPTH WARM DUR
  udp.py sink
  udp.py blast PORT WARM DUR
"""
import json
import socket
import struct
import sys
import time

MSG = 64
now = time.perf_counter


def fail(what):
    print(f"FAIL {what}", file=sys.stderr)
    sys.exit(1)


def bound_udp(idle):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    # A kernel receive timeout (as in C) rather than settimeout(), which would add a poll() per call.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", int(idle), int(idle % 1 * 1e6)))
    print(f"READY {s.getsockname()[1]}", flush=True)
    return s


def echo():
    s = bound_udp(5.0)
    msgs = 0
    while True:
        try:
            d, addr = s.recvfrom(2048)
        except BlockingIOError:
            break
        if d[:1] == b"E":
            break
        s.sendto(d, addr)
        msgs += 1
    print(json.dumps({"msgs": msgs}))


def pp(port, depth, warm, dur):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 2, 0))
    to = ("127.0.0.1", port)
    msg = b"x" * MSG
    sent = done = d0 = d1 = 0
    phase, sending = 0, True
    tw, t0, t1 = now() + warm, 0.0, 0.0
    for _ in range(depth):
        s.sendto(msg, to)
        sent += 1
    while done < sent:
        try:
            d, _ = s.recvfrom(2048)
        except BlockingIOError:
            fail("reply lost (2 s timeout)")
        if len(d) != MSG:
            fail("reply size")
        done += 1
        if sending:
            s.sendto(msg, to)
            sent += 1
        t = now()
        if phase == 0 and t >= tw:
            phase, t0, d0 = 1, t, done
        elif phase == 1 and t >= t0 + dur:
            phase, t1, d1, sending = 2, t, done, False
    for _ in range(3):
        s.sendto(b"E" * MSG, to)
    s.close()
    print(json.dumps({"ops": d1 - d0, "secs": t1 - t0, "total": sent}))


def sink():
    s = bound_udp(1.5)
    recvd = warm = bad = 0
    first = last = 0.0
    while True:
        try:
            d = s.recv(2048)
        except BlockingIOError:
            break
        if len(d) != MSG:
            bad += 1
            continue
        c = d[0]
        if c == 69:  # 'E'
            break
        if c == 87:  # 'W'
            warm += 1
            continue
        last = now()
        if recvd == 0:
            first = last
        recvd += 1
    print(json.dumps({"recvd": recvd, "secs": last - first, "warm": warm, "bad": bad}))


def blast(port, warm, dur):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    to = ("127.0.0.1", port)
    msg = b"W" * MSG
    total = s0 = s1 = 0
    phase = 0
    tw, t0, t1 = now() + warm, 0.0, 0.0
    while phase < 2:
        s.sendto(msg, to)
        total += 1
        t = now()
        if phase == 0 and t >= tw:
            phase, t0, s0, msg = 1, t, total, b"D" * MSG
        elif phase == 1 and t >= t0 + dur:
            phase, t1, s1 = 2, t, total
    time.sleep(0.05)
    for _ in range(5):
        s.sendto(b"E" * MSG, to)
        time.sleep(0.01)
    s.close()
    print(json.dumps({"sent": s1 - s0, "secs": t1 - t0, "total": total}))


def main(argv):
    role = argv[1]
    if role == "echo":
        echo()
    elif role == "sink":
        sink()
    elif role == "pp":
        pp(int(argv[2]), int(argv[3]), float(argv[4]), float(argv[5]))
    elif role == "blast":
        blast(int(argv[2]), float(argv[3]), float(argv[4]))
    else:
        fail("usage")


main(sys.argv)
