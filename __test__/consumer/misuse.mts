// Each marked line must fail to type-check with exactly that error code, and nothing else
// may fail: scripts/install-test.sh asserts both.
import { socket, socketpair, AF_INET, SOCK_STREAM, type InetAddress } from 'bsd-sockets'

const s = socket(AF_INET, SOCK_STREAM)
socket('AF_INET') // TS2345
s.connectSync(['127.0.0.1']) // TS2345
s.sendSync(42) // TS2345
const fd: string = s.fileno() // TS2322
s.recvSync() // TS2554
s.listen('10') // TS2345
s.frobnicate() // TS2339
const port: InetAddress = ['localhost', '80'] // TS2322
const [a] = socketpair()
a.family = 2 // TS2540
import { SOCK_NONEXISTENT } from 'bsd-sockets' // TS2614
void [fd, port, SOCK_NONEXISTENT]
