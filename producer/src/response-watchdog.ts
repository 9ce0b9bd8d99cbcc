import net from 'node:net';
import tls from 'node:tls';
import type { ISocketFactory } from 'kafkajs';

/**
 * kafkajs' plain TCP socket factory plus a watchdog: a connection that owes responses and receives
 * nothing for `silenceMs` times out, which kafkajs handles as a broken connection: it fails the
 * request, refreshes the cluster metadata from a broker still connected, and retries (on the new
 * leader once the cluster has moved leadership). Without it, a broker that is alive but answers
 * nothing (frozen, cut off the network) keeps its connection: kafkajs 2.2.4 fails each request after
 * `requestTimeout` but retries it on the same broker without refreshing metadata
 * (producer/sendMessages.js refreshes only on connection and protocol errors), for as long as its
 * metadata is fresh, five minutes by default.
 *
 * Responses are counted from the size prefix every Kafka response starts with; every request the
 * producer writes (acks=all) is answered, so "owed" is requests written minus responses read, and
 * an idle connection is never timed out.
 */
export function watchdogSocketFactory(silenceMs: number): ISocketFactory {
  return ({ host, port, ssl, onConnect }) => {
    // TLS as kafkajs' own factory does it (SNI only for names, not IP addresses).
    const socket = ssl
      ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
      : net.connect({ host, port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    const countResponses = responseCounter();
    let owed = 0;
    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    // kafkajs writes each request with one write() call.
    socket.write = ((...args: unknown[]) => {
      owed++;
      socket.setTimeout(silenceMs);
      return write(...args);
    }) as typeof socket.write;
    socket.on('data', (data: Buffer) => {
      owed = Math.max(0, owed - countResponses(data));
      // Node restarts the timer on any activity; with nothing owed it must not run at all.
      if (owed === 0) socket.setTimeout(0);
    });
    // Registered before kafkajs' own 'timeout' listener, which fails the requests and disconnects:
    // destroying first makes sure this socket cannot time out again later and fail the requests of
    // the socket kafkajs will have opened in its place.
    socket.on('timeout', () => socket.destroy());
    return socket;
  };
}

/** Counts the Kafka responses completed by each chunk of a connection's byte stream. */
export function responseCounter(): (data: Buffer) => number {
  let remaining = 0;
  const header = Buffer.alloc(4);
  let headerBytes = 0;
  return (data) => {
    let complete = 0;
    let i = 0;
    while (i < data.length) {
      if (remaining > 0) {
        const n = Math.min(remaining, data.length - i);
        remaining -= n;
        i += n;
        if (remaining === 0) complete++;
        continue;
      }
      header[headerBytes++] = data[i++] as number;
      if (headerBytes === 4) {
        headerBytes = 0;
        remaining = header.readInt32BE(0);
        if (remaining <= 0) {
          remaining = 0;
          complete++;
        }
      }
    }
    return complete;
  };
}
