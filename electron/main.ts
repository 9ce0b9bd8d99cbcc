/**
 * The Electron shell: one window on the same core the browser mode uses. Everything the app does
 * lives in core/; this file only wires Electron to it (window, IPC, links, quit).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, safeStorage, session, shell } from 'electron';
import { attachIpcTransport } from '../core/api/ipc-transport';
import { type Core, createCore } from '../core/create-core';
import { desktopCoreOptions } from './core-options';
import { chooseQuit } from './quit-choice';
import { safeStorageCipher } from './secret-cipher';
import { type AppLocation, isAppUrl, isStackLink } from './url-guards';

const RENDERER_URL = process.env.ELECTRON_RENDERER_URL; // set by electron-vite in development
const RENDERER_FILE = join(__dirname, '../renderer/index.html');
const appLocation: AppLocation = {
  devServerUrl: RENDERER_URL,
  rendererFileUrl: pathToFileURL(RENDERER_FILE).href,
};

let core: Core | null = null;
let win: BrowserWindow | null = null;

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
    if (!isAppUrl(url, appLocation)) event.preventDefault();
  });
  if (RENDERER_URL) void win.loadURL(RENDERER_URL);
  else void win.loadFile(RENDERER_FILE);
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
    core = createCore(
      desktopCoreOptions({
        isPackaged: app.isPackaged,
        resourcesPath: process.resourcesPath,
        checkoutDir: join(__dirname, '../..'),
        userData: app.getPath('userData'),
        appVersion: app.getVersion(),
        // After 'ready': on Linux safeStorage knows its keychain only then.
        secretCipher: safeStorageCipher(safeStorage),
      }),
    );
    attachIpcTransport({
      router: core.router,
      hub: core.hub,
      ipcMain,
      send: (channel, topic, data) => {
        for (const w of BrowserWindow.getAllWindows()) w.webContents.send(channel, topic, data);
      },
      isTrustedUrl: (url) => isAppUrl(url, appLocation),
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
      try {
        const choice = await chooseQuit({
          setting: c.settings.get().ui.stopStackOnQuit,
          stackState: c.stack.current?.state ?? null,
          ask: (options) => dialog.showMessageBox(options),
        });
        if (choice.remember) c.settings.updateUi({ stopStackOnQuit: choice.remember });
        await c.shutdown();
        if (choice.stopStack) await c.stack.down(false).catch(() => {});
      } catch (err) {
        // The default quit was prevented above: a failed cleanup must not leave the app running.
        console.error('Cleanup on quit failed:', err);
      }
      app.quit();
    })();
  });

  app.on('window-all-closed', () => app.quit());
}
