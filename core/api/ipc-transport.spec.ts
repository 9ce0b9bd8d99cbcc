import { describe, expect, it } from 'vitest';
import { IPC_CALL, IPC_EVENT } from '../contract/ipc-channels';
import { EventHub } from '../events/event-hub';
import { type ApiHandlers, ApiRouter } from './api-router';
import { attachIpcTransport, type IpcMainLike } from './ipc-transport';

type Handler = (event: { senderFrame?: { url: string } | null }, ...args: unknown[]) => unknown;

/** An ipcMain stand-in and a router that records every call that reaches it. */
function setup() {
  const handlers = new Map<string, Handler>();
  const ipcMain: IpcMainLike = {
    handle: (channel, fn) => handlers.set(channel, fn),
    removeHandler: (channel) => handlers.delete(channel),
  };
  const reached: string[] = [];
  // The transport only forwards: what the router does with a call is transports.spec.ts's subject.
  class RecordingRouter extends ApiRouter {
    override async call(name: string) {
      reached.push(name);
      return { ok: true as const, result: 'done' };
    }
  }
  const router = new RecordingRouter({} as ApiHandlers);
  const hub = new EventHub();
  const sent: unknown[][] = [];
  const detach = attachIpcTransport({
    router,
    hub,
    ipcMain,
    send: (...args) => sent.push(args),
    isTrustedUrl: (url) => url === 'file:///app/out/renderer/index.html',
  });
  const invoke = (event: Parameters<Handler>[0], ...args: unknown[]) =>
    (handlers.get(IPC_CALL) as Handler)(event, ...args);
  return { handlers, reached, hub, sent, detach, invoke };
}

describe('Electron IPC transport', () => {
  it('listens on the shared call channel', () => {
    const { handlers } = setup();
    expect([...handlers.keys()]).toEqual([IPC_CALL]);
  });

  it('passes calls from the app page to the router', async () => {
    const { invoke, reached } = setup();
    await expect(
      invoke({ senderFrame: { url: 'file:///app/out/renderer/index.html' } }, 'stack:status', undefined),
    ).resolves.toEqual({ ok: true, result: 'done' });
    expect(reached).toEqual(['stack:status']);
  });

  it.each([
    ['another page', { senderFrame: { url: 'https://evil.example/' } }, 'https://evil.example/'],
    ['a frame without URL', { senderFrame: { url: '' } }, 'an unknown frame'],
    ['a destroyed frame', { senderFrame: null }, 'an unknown frame'],
    ['no frame at all', {}, 'an unknown frame'],
  ])('refuses calls from %s, before the router sees them', async (_what, event, shown) => {
    const { invoke, reached } = setup();
    const reply = await invoke(event, 'stack:down', { removeVolumes: true });
    expect(reply).toEqual({
      ok: false,
      error: { code: 'UNTRUSTED_SENDER', message: `Calls from ${shown} are refused.`, retriable: false },
    });
    expect(reached).toEqual([]);
  });

  it('refuses a call name that is not a string', async () => {
    const { invoke, reached } = setup();
    const reply = await invoke(
      { senderFrame: { url: 'file:///app/out/renderer/index.html' } },
      42,
      undefined,
    );
    expect(reply).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CALL' } });
    expect(reached).toEqual([]);
  });

  it('pushes hub events on the shared event channel, and stops after detach', () => {
    const { hub, sent, detach, handlers } = setup();
    hub.publish('stack:status', { state: 'running' } as never);
    expect(sent).toEqual([[IPC_EVENT, 'stack:status', { state: 'running' }]]);
    detach();
    hub.publish('stack:status', { state: 'stopped' } as never);
    expect(sent).toHaveLength(1);
    expect(handlers.size).toBe(0);
  });
});
