/* Shared helpers for the C reference programs: plain blocking syscalls, no tricks. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MSG 64

static inline double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static inline void die(const char *what) {
  fprintf(stderr, "FAIL %s: %s\n", what, strerror(errno));
  exit(1);
}

static inline void fail(const char *what) {
  fprintf(stderr, "FAIL %s\n", what);
  exit(1);
}

static inline void sendall(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t r = send(fd, p, n, MSG_NOSIGNAL);
    if (r < 0) {
      if (errno == EINTR) continue;
      die("send");
    }
    p += r;
    n -= (size_t)r;
  }
}

static inline void set_rcvtimeo(int fd, double secs) {
  struct timeval tv = {(time_t)secs, (suseconds_t)((secs - (time_t)secs) * 1e6)};
  if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0) die("SO_RCVTIMEO");
}

static inline struct sockaddr_in loopback(int port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

/* "tcp" + port, or "unix" + path. */
static inline socklen_t make_addr(const char *kind, const char *where, struct sockaddr_storage *ss) {
  memset(ss, 0, sizeof *ss);
  if (strcmp(kind, "tcp") == 0) {
    struct sockaddr_in a = loopback(atoi(where));
    memcpy(ss, &a, sizeof a);
    return sizeof a;
  }
  struct sockaddr_un *u = (struct sockaddr_un *)ss;
  u->sun_family = AF_UNIX;
  if (strlen(where) >= sizeof u->sun_path) fail("path too long");
  strcpy(u->sun_path, where);
  return sizeof *u;
}

static inline int bound_port(int fd) {
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  if (getsockname(fd, (struct sockaddr *)&a, &len) < 0) die("getsockname");
  return ntohs(a.sin_port);
}
