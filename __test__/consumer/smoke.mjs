// ESM smoke test of the installed package (run by scripts/install-test.sh).
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import sockets, { socketpair, AF_UNIX, SOCK_STREAM, SocketError, constants } from 'bsd-sockets'

// import.meta.resolve is synchronous from Node 20 on (Node 18 needs a flag).
const where = typeof import.meta.resolve === 'function' ? fileURLToPath(import.meta.resolve('bsd-sockets')) : 'bsd-sockets'
if (where !== 'bsd-sockets') assert.match(where, /node_modules\/bsd-sockets\/dist\/index\.mjs$/)
assert.equal(sockets.socketpair, socketpair)

const [a, b] = socketpair(AF_UNIX, SOCK_STREAM)
a.sendallSync('ping from esm')
assert.equal(b.recvSync(64).toString(), 'ping from esm')
b.sendallSync(new Uint8Array([1, 2, 3]))
assert.deepEqual([...a.recvSync(64)], [1, 2, 3])
assert.equal(a.family, AF_UNIX)
a.close()
b.close()
assert.throws(() => a.sendSync('x'), (e) => e instanceof SocketError && e.code === 'EBADF')
assert.equal(typeof constants.SOCK_SEQPACKET, 'number')
console.log(`esm ok: ${where}`)
