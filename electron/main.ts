/**
 * The Electron shell: one window on the same core the browser mode uses. Everything the app does
 * lives in core/; this file only wires Electron to it (window, IPC, links, quit).
 */
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, session, shell } from 'electron';
import { attachIpcTransport } from '../core/api/ipc-transport';
import { type Core, createCore } from '../core/create-core';

const RENDERER_URL = process.env.ELECTRON_RENDERER_URL; // set by electron-vite in development
const stackDir = app.isPackaged ? join(process.resourcesPath, 'stack') : join(__dirname, '../../stack');

let core: Core | null = null;
let win: BrowserWindow | null = null;

function isAppUrl(url: string): boolean {
  return RENDERER_URL
    ? url.startsWith(RENDERER_URL)
    : url.startsWith('file://') && url.includes('/renderer/');
}

/** Only the stack's own web UIs on this machine open, in the system browser. */
function isStackLink(url: string): boolean {
  return /^http:\/\/(localhost|127\.0\.0\.1):\d+\//.test(url);
}

function createWindow(): void {
  win = new BrowserWindow({
    width: 1400,
    height: 900,
    show: false,
    title: 'Walkstream',
    webPreferences: {
      preload: join(__dirname, '../preload/preload.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      // Middle-click would open links in a new Electron window, bypassing the window-open handler.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  win.once('ready-to-show', () => win?.show());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (isStackLink(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  if (RENDERER_URL) void win.loadURL(RENDERER_URL);
  else void win.loadFile(join(__dirname, '../renderer/index.html'));
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (win?.isMinimized()) win.restore();
    win?.focus();
  });

  app.whenReady().then(() => {
    // The UI needs no browser permission (camera, notifications, ...): refuse them all.
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    core = createCore({ stackDir, settingsPath: join(app.getPath('userData'), 'settings.json') });
    attachIpcTransport({
      router: core.router,
      hub: core.hub,
      ipcMain,
      send: (channel, topic, data) => {
        for (const w of BrowserWindow.getAllWindows()) w.webContents.send(channel, topic, data);
      },
      isTrustedUrl: isAppUrl,
    });
    createWindow();
  });

  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting || !core) return;
    event.preventDefault();
    quitting = true;
    void (async () => {
      const c = core as Core;
      const choice = c.settings.get().ui.stopStackOnQuit;
      let stopStack = choice === 'yes';
      if (choice === 'ask' && c.stack.current && c.stack.current.state !== 'stopped') {
        const { response, checkboxChecked } = await dialog.showMessageBox({
          type: 'question',
          buttons: ['Keep running', 'Stop the stack'],
          defaultId: 0,
          message: 'Stop the Docker stack too?',
          detail:
            'The producer stops now. The stack (Kafka, Telegraf, InfluxDB, Grafana) can keep running in Docker.',
          checkboxLabel: 'Remember my choice',
        });
        stopStack = response === 1;
        if (checkboxChecked) c.settings.updateUi({ stopStackOnQuit: stopStack ? 'yes' : 'no' });
      }
      await c.shutdown();
      if (stopStack) await c.stack.down(false).catch(() => {});
      app.quit();
    })();
  });

  app.on('window-all-closed', () => app.quit());
}
