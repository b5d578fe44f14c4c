/** The example programs, in the order the demo runs them. */
import * as echo from './echo'
import * as fileTransfer from './file-transfer'
import * as getaddrinfo from './getaddrinfo'
import * as manyClients from './many-clients'
import * as ping from './ping'
import * as senderReceiver from './sender-receiver'
import * as thankYou from './thank-you'

/** One example: `run(log)` does its work and reports what happened through `log`. */
export interface Program {
  name: string
  title: string
  run: (log: (line: string) => void) => Promise<void> | void
}

export const programs: Program[] = [
  { name: 'echo', title: 'Echo server and echo client (TCP)', run: echo.run },
  { name: 'thank-you', title: '"Thank you for connecting" server and client (TCP)', run: thankYou.run },
  { name: 'file-transfer', title: 'File transfer with sendfileSync (TCP)', run: fileTransfer.run },
  { name: 'sender-receiver', title: 'Determined sender, patient receiver (AF_UNIX stream)', run: senderReceiver.run },
  { name: 'many-clients', title: 'One async server, many clients at once (Promise API)', run: manyClients.run },
  { name: 'getaddrinfo', title: "getaddrinfo('localhost', 80)", run: getaddrinfo.run },
  { name: 'ping', title: 'Raw-socket ICMP ping of 127.0.0.1', run: ping.run },
]
