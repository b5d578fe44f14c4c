/**
 * getaddrinfo of a name, printed the way Python prints it.
 *
 * ```python
 * >>> socket.getaddrinfo('localhost', 80)
 * [(<AddressFamily.AF_INET: 2>, <SocketKind.SOCK_STREAM: 1>, 6, '', ('127.0.0.1', 80)), ...]
 * ```
 *
 * In bsd-sockets the family and type are plain numbers; the `AddressFamily` and
 * `SocketKind` tables turn them back into names. `localhost` is answered from
 * /etc/hosts, so no DNS server is involved.
 */
import { getaddrinfoSync, AddressFamily, SocketKind, constants } from 'bsd-sockets'

/** The IPPROTO_* name of a protocol number (the first one, in the platform's order). */
function protoName(proto: number): string {
  return Object.keys(constants).find((k) => k.startsWith('IPPROTO_') && constants[k] === proto) ?? String(proto)
}

export function run(log: (line: string) => void): void {
  const infos = getaddrinfoSync('localhost', 80)
  if (infos.length === 0) throw new Error('getaddrinfo returned no addresses')
  log(`getaddrinfoSync('localhost', 80) returned ${infos.length} entries [family, type, proto, canonname, sockaddr]:`)
  for (const [family, type, proto, canonname, sockaddr] of infos) {
    const f = AddressFamily[family] ?? String(family)
    const t = SocketKind[type] ?? String(type)
    log(`  ${f.padEnd(8)} ${t.padEnd(11)} ${protoName(proto).padEnd(12)} ${JSON.stringify(canonname)} ${JSON.stringify(sockaddr)}`)
  }
}
