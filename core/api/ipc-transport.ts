import { IPC_CALL, IPC_EVENT } from '../contract/ipc-channels';
import type { EventHub } from '../events/event-hub';
import type { ApiRouter } from './api-router';

export { IPC_CALL, IPC_EVENT };

/** The slice of Electron's ipcMain this needs, so it runs (and is tested) without Electron. */
export interface IpcMainLike {
  handle(
    channel: string,
    listener: (event: { senderFrame?: { url: string } | null }, ...args: unknown[]) => unknown,
  ): void;
  removeHandler(channel: string): void;
}

/**
 * The Electron transport: the renderer's single preload function sends (name, input) on one
 * channel; replies are the same envelopes the HTTP transport returns. Events go to every window
 * through `send`. Calls from frames other than the app's own page are refused.
 */
export function attachIpcTransport(opts: {
  router: ApiRouter;
  hub: EventHub;
  ipcMain: IpcMainLike;
  send: (channel: string, topic: string, data: unknown) => void;
  isTrustedUrl: (url: string) => boolean;
}): () => void {
  opts.ipcMain.handle(IPC_CALL, async (event, name, input) => {
    const url = event.senderFrame?.url ?? '';
    if (!opts.isTrustedUrl(url)) {
      return {
        ok: false,
        error: {
          code: 'UNTRUSTED_SENDER',
          message: `Calls from ${url || 'an unknown frame'} are refused.`,
          retriable: false,
        },
      };
    }
    if (typeof name !== 'string') {
      return {
        ok: false,
        error: { code: 'UNKNOWN_CALL', message: 'The call name must be a string.', retriable: false },
      };
    }
    return opts.router.call(name, input);
  });
  const off = opts.hub.subscribeAll((topic, data) => opts.send(IPC_EVENT, topic, data));
  return () => {
    off();
    opts.ipcMain.removeHandler(IPC_CALL);
  };
}
