/* Per-call overhead, C reference: send 64 B on one end of an AF_UNIX socketpair, recv it
 * on the other (data always waiting), in one process.
 *   percall WARM DUR recv|into      (C has only one form: recv into a buffer)
 * The last stdout line is a JSON result. */
#include "common.h"

int main(int argc, char **argv) {
  if (argc < 3) fail("usage");
  double warm = atof(argv[1]), dur = atof(argv[2]);
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) die("socketpair");
  char msg[MSG], buf[MSG];
  memset(msg, 'x', sizeof msg);
  long long done = 0, d0 = 0, d1 = 0;
  int phase = 0;
  double tw = now() + warm, t0 = 0, t1 = 0;
  while (phase < 2) {
    if (send(sv[0], msg, MSG, MSG_NOSIGNAL) != MSG) die("send");
    if (recv(sv[1], buf, MSG, 0) != MSG) die("recv");
    if ((++done & 63) == 0) {
      double t = now();
      if (phase == 0 && t >= tw) {
        phase = 1, t0 = t, d0 = done;
      } else if (phase == 1 && t >= t0 + dur) {
        phase = 2, t1 = t, d1 = done;
      }
    }
  }
  printf("{\"ops\":%lld,\"secs\":%.6f}\n", d1 - d0, t1 - t0);
  return 0;
}
