import net from 'node:net';
import type tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { responseCounter, watchdogSocketFactory } from './response-watchdog';

function frame(payloadBytes: number): Buffer {
  const b = Buffer.alloc(4 + payloadBytes, 7);
  b.writeInt32BE(payloadBytes, 0);
  return b;
}

describe('responseCounter', () => {
  it('counts responses however the stream is cut', () => {
    const stream = Buffer.concat([frame(10), frame(0), frame(3), frame(1_000)]);
    for (const cut of [1, 2, 3, 5, 17, stream.length]) {
      const count = responseCounter();
      let total = 0;
      for (let i = 0; i < stream.length; i += cut) total += count(stream.subarray(i, i + cut));
      expect(total).toBe(4);
    }
  });
});

describe('watchdogSocketFactory', () => {
  let server: net.Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  /** A broker stand-in: answers each request with one response, or with nothing at all. */
  async function listen(answer: boolean): Promise<number> {
    const s = net.createServer((conn) => {
      conn.on('data', () => {
        if (answer) conn.write(frame(8));
      });
    });
    server = s;
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    return (s.address() as net.AddressInfo).port;
  }

  function connect(port: number, silenceMs: number): Promise<net.Socket> {
    return new Promise((resolve) => {
      const socket: net.Socket = watchdogSocketFactory(silenceMs)({
        host: '127.0.0.1',
        port,
        // What kafkajs passes for a plaintext cluster (its typing says options; any object means TLS).
        ssl: null as unknown as tls.ConnectionOptions,
        onConnect: () => resolve(socket),
      });
    });
  }

  it('times out and destroys a connection that owes a response and hears nothing', async () => {
    const socket = await connect(await listen(false), 50);
    const t0 = Date.now();
    const timedOut = new Promise<void>((resolve) => socket.on('timeout', () => resolve()));
    socket.write(frame(4));
    await timedOut;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    expect(socket.destroyed).toBe(true);
  });

  it('leaves an answered, idle connection alone', async () => {
    const socket = await connect(await listen(true), 50);
    let timedOut = false;
    socket.on('timeout', () => {
      timedOut = true;
    });
    const answered = new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.write(frame(4));
    await answered;
    // Idle for three silence periods: nothing is owed, so nothing may time out.
    await new Promise((r) => setTimeout(r, 150));
    expect(timedOut).toBe(false);
    expect(socket.destroyed).toBe(false);
    socket.destroy();
  });
});
