// The only bridge between the sandboxed renderer and the main process: one call function and
// one event subscription, both over fixed channels. No ipcRenderer or Node API is exposed.
import { contextBridge, type IpcRendererEvent, ipcRenderer } from 'electron';

contextBridge.exposeInMainWorld('walkstream', {
  call: (name: string, input: unknown) => ipcRenderer.invoke('walkstream:call', name, input),
  onEvent: (listener: (topic: string, data: unknown) => void) => {
    const handler = (_e: IpcRendererEvent, topic: string, data: unknown) => listener(topic, data);
    ipcRenderer.on('walkstream:event', handler);
    return () => ipcRenderer.removeListener('walkstream:event', handler);
  },
});
