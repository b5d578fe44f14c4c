// Strict-mode usage of the packed declarations through the ESM entry (exports → import).
import sockets, {
  socket,
  socketpair,
  getaddrinfoSync,
  AF_INET,
  AF_UNIX,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_REUSEADDR,
  SocketError,
  TimeoutError,
  constants,
  type Address,
  type InetAddress,
  type SocketAddress,
  type Socket,
} from 'bsd-sockets'

const [a, b]: [Socket, Socket] = socketpair(AF_UNIX, SOCK_STREAM)
const sent: number = a.sendSync('hello')
const got: Buffer = b.recvSync(1024)
const fd: number = a.fileno()
a.close()
b.close()

const server = socket(AF_INET, SOCK_STREAM)
server.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
const here: InetAddress = ['127.0.0.1', 0]
server.bind(here)
server.listen()
const name: SocketAddress = server.getsockname()
const target: Address = name
const timeout: number | null = server.timeout
server.settimeout(0.5)
server.close()

for (const [family, type, proto, canonname, sockaddr] of getaddrinfoSync('localhost', 80)) {
  const f: number = family
  void [f, type, proto, canonname, sockaddr]
}

try {
  socket(AF_INET, SOCK_STREAM).connectSync(['127.0.0.1', 1])
} catch (e) {
  if (e instanceof TimeoutError) throw e
  if (e instanceof SocketError) {
    const code: string = e.code
    const errno: number | undefined = e.errno
    void [code, errno]
  }
}

const maybe: number | undefined = constants.SO_REUSEPORT
const viaDefault: typeof socket = sockets.socket
void [sent, got, fd, target, timeout, maybe, viaDefault]
