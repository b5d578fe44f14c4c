/* UDP workloads over 127.0.0.1, C reference.
 *   udp echo                       echo server: prints READY PORT; ends on an 'E' datagram (or 5 s idle)
 *   udp pp    PORT DEPTH WARM DUR  client: DEPTH 64-byte datagrams in flight (sendto + recvfrom)
 *   udp sink                       blast receiver: counts 'D' datagrams until 'E' (or 1.5 s idle)
 *   udp blast PORT WARM DUR        blast sender: 64-byte sendto as fast as it goes
 * The last stdout line is a JSON result; any mismatch exits non-zero. */
#include "common.h"

static int bound_udp(double idle) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  if (s < 0) die("socket");
  struct sockaddr_in a = loopback(0);
  if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
  set_rcvtimeo(s, idle);
  printf("READY %d\n", bound_port(s));
  fflush(stdout);
  return s;
}

static void echo(void) {
  int s = bound_udp(5.0);
  char buf[2048];
  long long msgs = 0;
  for (;;) {
    struct sockaddr_storage from;
    socklen_t flen = sizeof from;
    ssize_t n = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
    if (n < 0) {
      if (errno == EAGAIN) break;
      die("recvfrom");
    }
    if (n > 0 && buf[0] == 'E') break;
    if (sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, flen) < 0) die("sendto");
    msgs++;
  }
  printf("{\"msgs\":%lld}\n", msgs);
}

static void pp(int port, int depth, double warm, double dur) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  if (s < 0) die("socket");
  set_rcvtimeo(s, 2.0);
  struct sockaddr_in to = loopback(port);
  char msg[MSG], buf[2048];
  memset(msg, 'x', sizeof msg);
  long long sent = 0, done = 0, d0 = 0, d1 = 0;
  int phase = 0, sending = 1;
  double tw = now() + warm, t0 = 0, t1 = 0;
  for (int i = 0; i < depth; i++, sent++)
    if (sendto(s, msg, MSG, 0, (struct sockaddr *)&to, sizeof to) != MSG) die("sendto");
  while (done < sent) {
    struct sockaddr_storage from;
    socklen_t flen = sizeof from;
    ssize_t n = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
    if (n < 0) die(errno == EAGAIN ? "reply lost (2 s timeout)" : "recvfrom");
    if (n != MSG) fail("reply size");
    done++;
    if (sending) {
      if (sendto(s, msg, MSG, 0, (struct sockaddr *)&to, sizeof to) != MSG) die("sendto");
      sent++;
    }
    double t = now();
    if (phase == 0 && t >= tw) {
      phase = 1, t0 = t, d0 = done;
    } else if (phase == 1 && t >= t0 + dur) {
      phase = 2, t1 = t, d1 = done, sending = 0;
    }
  }
  msg[0] = 'E';
  for (int i = 0; i < 3; i++) sendto(s, msg, MSG, 0, (struct sockaddr *)&to, sizeof to);
  close(s);
  printf("{\"ops\":%lld,\"secs\":%.6f,\"total\":%lld}\n", d1 - d0, t1 - t0, sent);
}

static void sink(void) {
  int s = bound_udp(1.5);
  char buf[2048];
  long long recvd = 0, warm = 0, bad = 0;
  double first = 0, last = 0;
  for (;;) {
    ssize_t n = recv(s, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EAGAIN) break;
      die("recv");
    }
    if (n != MSG) {
      bad++;
      continue;
    }
    if (buf[0] == 'E') break;
    if (buf[0] == 'W') {
      warm++;
      continue;
    }
    last = now();
    if (recvd++ == 0) first = last;
  }
  printf("{\"recvd\":%lld,\"secs\":%.6f,\"warm\":%lld,\"bad\":%lld}\n", recvd, last - first, warm, bad);
}

static void blast(int port, double warm, double dur) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  if (s < 0) die("socket");
  struct sockaddr_in to = loopback(port);
  char msg[MSG];
  memset(msg, 'W', sizeof msg);
  long long total = 0, s0 = 0, s1 = 0;
  int phase = 0;
  double tw = now() + warm, t0 = 0, t1 = 0;
  while (phase < 2) {
    if (sendto(s, msg, MSG, 0, (struct sockaddr *)&to, sizeof to) != MSG) die("sendto");
    total++;
    double t = now();
    if (phase == 0 && t >= tw) {
      phase = 1, t0 = t, s0 = total, msg[0] = 'D';
    } else if (phase == 1 && t >= t0 + dur) {
      phase = 2, t1 = t, s1 = total;
    }
  }
  msg[0] = 'E';
  usleep(50000);
  for (int i = 0; i < 5; i++, usleep(10000)) sendto(s, msg, MSG, 0, (struct sockaddr *)&to, sizeof to);
  close(s);
  printf("{\"sent\":%lld,\"secs\":%.6f,\"total\":%lld}\n", s1 - s0, t1 - t0, total);
}

int main(int argc, char **argv) {
  if (argc < 2) fail("usage");
  if (!strcmp(argv[1], "echo")) echo();
  else if (!strcmp(argv[1], "sink")) sink();
  else if (!strcmp(argv[1], "pp") && argc >= 6) pp(atoi(argv[2]), atoi(argv[3]), atof(argv[4]), atof(argv[5]));
  else if (!strcmp(argv[1], "blast") && argc >= 5) blast(atoi(argv[2]), atof(argv[3]), atof(argv[4]));
  else fail("usage");
  return 0;
}
