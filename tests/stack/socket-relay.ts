import { unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A unix socket at `path` that forwards each connection byte for byte to the one at `target` (the
 * Docker engine's), and counts them: whatever goes through it was sent where a test pointed it.
 * `down` pulls it away, cutting open connections, as an engine that goes away does; `up` brings it back.
 */
export async function socketRelay(path: string, target: string) {
  let connections = 0;
  const open = new Set<Socket>();
  let server: Server | null = null;
  const up = () =>
    new Promise<void>((resolve, reject) => {
      const relay = createServer((client) => {
        connections++;
        const engine = createConnection(target);
        open.add(client).add(engine);
        client.pipe(engine).pipe(client);
        const drop = () => {
          client.destroy();
          engine.destroy();
          open.delete(client);
          open.delete(engine);
        };
        client.on('error', drop).on('close', drop);
        engine.on('error', drop).on('close', drop);
      });
      server = relay;
      relay.once('error', reject).listen(path, () => resolve());
    });
  const down = async () => {
    const relay = server;
    server = null;
    for (const socket of open) socket.destroy();
    open.clear();
    if (relay) await new Promise<void>((resolve) => relay.close(() => resolve()));
    try {
      unlinkSync(path);
    } catch {
      /* already gone */
    }
  };
  await up();
  return {
    get connections() {
      return connections;
    },
    up,
    down,
  };
}
