/* Stream (TCP / AF_UNIX) workloads, C reference.
 *   stream echo  tcp|unix PORT|PATH                 echo server: prints READY, echoes one client until EOF
 *   stream sink  tcp|unix PORT|PATH                 bulk sink: counts bytes until EOF, replies "<count>\n"
 *   stream pp    tcp|unix PORT|PATH DEPTH WARM DUR  client: DEPTH 64-byte requests in flight
 *   stream bulk  tcp|unix PORT|PATH WARM DUR MINMIB client: 64 KiB writes
 * The last stdout line is a JSON result; any mismatch exits non-zero. */
#include "common.h"

static int tcp;

static int serve(const char *kind, const char *where) {
  struct sockaddr_storage ss;
  socklen_t len = make_addr(kind, where, &ss);
  int l = socket(ss.ss_family, SOCK_STREAM, 0);
  if (l < 0) die("socket");
  if (bind(l, (struct sockaddr *)&ss, len) < 0) die("bind");
  if (listen(l, 16) < 0) die("listen");
  printf("READY %d\n", tcp ? bound_port(l) : 0);
  fflush(stdout);
  int c = accept(l, NULL, NULL);
  if (c < 0) die("accept");
  close(l);
  return c;
}

static int dial(const char *kind, const char *where) {
  struct sockaddr_storage ss;
  socklen_t len = make_addr(kind, where, &ss);
  int s = socket(ss.ss_family, SOCK_STREAM, 0);
  if (s < 0) die("socket");
  if (connect(s, (struct sockaddr *)&ss, len) < 0) die("connect");
  return s;
}

static void nodelay(int fd) {
  int one = 1;
  if (tcp && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) die("TCP_NODELAY");
}

static void echo(const char *kind, const char *where) {
  int c = serve(kind, where);
  nodelay(c);
  char buf[4096];
  long long bytes = 0;
  for (;;) {
    ssize_t n = recv(c, buf, sizeof buf, 0);
    if (n < 0) die("recv");
    if (n == 0) break;
    sendall(c, buf, (size_t)n);
    bytes += n;
  }
  close(c);
  printf("{\"bytes\":%lld}\n", bytes);
}

static void sink(const char *kind, const char *where) {
  int c = serve(kind, where);
  static char buf[65536];
  long long bytes = 0;
  for (;;) {
    ssize_t n = recv(c, buf, sizeof buf, 0);
    if (n < 0) die("recv");
    if (n == 0) break;
    bytes += n;
  }
  char ack[32];
  int k = snprintf(ack, sizeof ack, "%lld\n", bytes);
  sendall(c, ack, (size_t)k);
  close(c);
  printf("{\"bytes\":%lld}\n", bytes);
}

static void pp(const char *kind, const char *where, int depth, double warm, double dur) {
  int s = dial(kind, where);
  nodelay(s);
  char msg[MSG], buf[4096];
  memset(msg, 'x', sizeof msg);
  long long sent = 0, done = 0, got = 0, d0 = 0, d1 = 0;
  int phase = 0, sending = 1;
  double tw = now() + warm, t0 = 0, t1 = 0;
  for (int i = 0; i < depth; i++, sent++) sendall(s, msg, MSG);
  while (done < sent) {
    ssize_t n = recv(s, buf, sizeof buf, 0);
    if (n < 0) die("recv");
    if (n == 0) fail("early EOF");
    got += n;
    long long complete = got / MSG;
    while (done < complete) {
      done++;
      if (sending) {
        sendall(s, msg, MSG);
        sent++;
      }
    }
    double t = now();
    if (phase == 0 && t >= tw) {
      phase = 1, t0 = t, d0 = done;
    } else if (phase == 1 && t >= t0 + dur) {
      phase = 2, t1 = t, d1 = done, sending = 0;
    }
  }
  if (got != sent * MSG) fail("byte count");
  shutdown(s, SHUT_WR);
  if (recv(s, buf, sizeof buf, 0) != 0) fail("expected EOF");
  close(s);
  printf("{\"ops\":%lld,\"secs\":%.6f,\"total\":%lld}\n", d1 - d0, t1 - t0, sent);
}

static void bulk(const char *kind, const char *where, double warm, double dur, double minmib) {
  int s = dial(kind, where);
  static char buf[65536];
  memset(buf, 'b', sizeof buf);
  long long total = 0, b0 = 0, b1 = 0, min = (long long)(minmib * 1048576);
  int phase = 0;
  double tw = now() + warm, t0 = 0, t1 = 0;
  while (phase < 2) {
    sendall(s, buf, sizeof buf);
    total += sizeof buf;
    double t = now();
    if (phase == 0 && t >= tw) {
      phase = 1, t0 = t, b0 = total;
    } else if (phase == 1 && t >= t0 + dur && total - b0 >= min) {
      phase = 2, t1 = t, b1 = total;
    }
  }
  shutdown(s, SHUT_WR);
  char ack[64];
  size_t k = 0;
  for (;;) {
    ssize_t n = recv(s, ack + k, sizeof ack - 1 - k, 0);
    if (n < 0) die("recv");
    if (n == 0) break;
    k += (size_t)n;
  }
  ack[k] = 0;
  if (atoll(ack) != total) fail("sink byte count");
  close(s);
  printf("{\"bytes\":%lld,\"secs\":%.6f,\"total\":%lld}\n", b1 - b0, t1 - t0, total);
}

int main(int argc, char **argv) {
  if (argc < 4) fail("usage");
  tcp = strcmp(argv[2], "tcp") == 0;
  if (!strcmp(argv[1], "echo")) echo(argv[2], argv[3]);
  else if (!strcmp(argv[1], "sink")) sink(argv[2], argv[3]);
  else if (!strcmp(argv[1], "pp") && argc >= 7) pp(argv[2], argv[3], atoi(argv[4]), atof(argv[5]), atof(argv[6]));
  else if (!strcmp(argv[1], "bulk") && argc >= 7) bulk(argv[2], argv[3], atof(argv[4]), atof(argv[5]), atof(argv[6]));
  else fail("usage");
  return 0;
}
