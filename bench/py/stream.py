"""Stream (TCP / AF_UNIX) workloads with Python's socket module; same roles and output as bench/c/stream.c.

  stream.py echo  tcp|unix PORT|PATH
  stream.py sink  tcp|unix PORT|PATH
  stream.py pp    tcp|unix PORT|PATH DEPTH WARM DUR
  stream.py bulk  tcp|unix PORT|PATH WARM DUR MINMIB
"""
import json
import socket
import sys
import time

MSG = 64
now = time.perf_counter


def fail(what):
    print(f"FAIL {what}", file=sys.stderr)
    sys.exit(1)


def address(kind, where):
    return (socket.AF_INET, ("127.0.0.1", int(where))) if kind == "tcp" else (socket.AF_UNIX, where)


def serve(kind, where):
    fam, addr = address(kind, where)
    l = socket.socket(fam, socket.SOCK_STREAM)
    l.bind(addr)
    l.listen(16)
    print(f"READY {l.getsockname()[1] if kind == 'tcp' else 0}", flush=True)
    c, _ = l.accept()
    l.close()
    if kind == "tcp":
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return c


def dial(kind, where):
    fam, addr = address(kind, where)
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.connect(addr)
    return s


def echo(kind, where):
    c = serve(kind, where)
    nbytes = 0
    while True:
        d = c.recv(4096)
        if not d:
            break
        c.sendall(d)
        nbytes += len(d)
    c.close()
    print(json.dumps({"bytes": nbytes}))


def sink(kind, where):
    c = serve(kind, where)
    buf = bytearray(65536)
    nbytes = 0
    while True:
        n = c.recv_into(buf)
        if n == 0:
            break
        nbytes += n
    c.sendall(f"{nbytes}\n".encode())
    c.close()
    print(json.dumps({"bytes": nbytes}))


def pp(kind, where, depth, warm, dur):
    s = dial(kind, where)
    if kind == "tcp":
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    msg = b"x" * MSG
    sent = done = got = d0 = d1 = 0
    phase, sending = 0, True
    tw, t0, t1 = now() + warm, 0.0, 0.0
    for _ in range(depth):
        s.sendall(msg)
        sent += 1
    while done < sent:
        d = s.recv(4096)
        if not d:
            fail("early EOF")
        got += len(d)
        complete = got // MSG
        while done < complete:
            done += 1
            if sending:
                s.sendall(msg)
                sent += 1
        t = now()
        if phase == 0 and t >= tw:
            phase, t0, d0 = 1, t, done
        elif phase == 1 and t >= t0 + dur:
            phase, t1, d1, sending = 2, t, done, False
    if got != sent * MSG:
        fail("byte count")
    s.shutdown(socket.SHUT_WR)
    if s.recv(4096) != b"":
        fail("expected EOF")
    s.close()
    print(json.dumps({"ops": d1 - d0, "secs": t1 - t0, "total": sent}))


def bulk(kind, where, warm, dur, minmib):
    s = dial(kind, where)
    buf = b"b" * 65536
    total = b0 = b1 = 0
    need = int(minmib * 1048576)
    phase = 0
    tw, t0, t1 = now() + warm, 0.0, 0.0
    while phase < 2:
        s.sendall(buf)
        total += 65536
        t = now()
        if phase == 0 and t >= tw:
            phase, t0, b0 = 1, t, total
        elif phase == 1 and t >= t0 + dur and total - b0 >= need:
            phase, t1, b1 = 2, t, total
    s.shutdown(socket.SHUT_WR)
    ack = b""
    while True:
        d = s.recv(64)
        if not d:
            break
        ack += d
    if int(ack) != total:
        fail("sink byte count")
    s.close()
    print(json.dumps({"bytes": b1 - b0, "secs": t1 - t0, "total": total}))


def main(argv):
    role, kind, where = argv[1], argv[2], argv[3]
    if role == "echo":
        echo(kind, where)
    elif role == "sink":
        sink(kind, where)
    elif role == "pp":
        pp(kind, where, int(argv[4]), float(argv[5]), float(argv[6]))
    elif role == "bulk":
        bulk(kind, where, float(argv[4]), float(argv[5]), float(argv[6]))
    else:
        fail("usage")


main(sys.argv)
