// The only bridge between the sandboxed renderer and the main process: one call function and
// one event subscription, both over fixed channels. No ipcRenderer or Node API is exposed.
// The channel names are bundled in (see electron.vite.config.ts): a sandboxed preload cannot
// require project files at run time.
import { contextBridge, type IpcRendererEvent, ipcRenderer } from 'electron';
import { IPC_CALL, IPC_EVENT } from '../core/contract/ipc-channels';

contextBridge.exposeInMainWorld('walkstream', {
  call: (name: string, input: unknown) => ipcRenderer.invoke(IPC_CALL, name, input),
  onEvent: (listener: (topic: string, data: unknown) => void) => {
    const handler = (_e: IpcRendererEvent, topic: string, data: unknown) => listener(topic, data);
    ipcRenderer.on(IPC_EVENT, handler);
    return () => ipcRenderer.removeListener(IPC_EVENT, handler);
  },
});
