/**
 * What the desktop app lends the contract service: opening folders, desktop
 * notifications, and running the bundled demo agent with Electron's own
 * binary as Node.
 */
import path from 'node:path';
import { app, Notification, shell } from 'electron';
import { CallFailure } from '../api/call-failure';
import type { HostAdapter } from '../api/index';

export function desktopHostAdapter(): HostAdapter {
  return {
    host: 'electron',
    version: app.getVersion(),
    openFolder: async (dir) => {
      const error = await shell.openPath(dir);
      if (error !== '') throw new CallFailure('io-error', `Could not open ${dir}: ${error}`);
    },
    nodeCommand: { program: process.execPath, env: { ELECTRON_RUN_AS_NODE: '1' } },
    // electron-builder copies resources/demo-agent.mjs next to the app (extraResources).
    demoAgentPath: app.isPackaged
      ? path.join(process.resourcesPath, 'demo-agent.mjs')
      : path.join(app.getAppPath(), 'resources', 'demo-agent.mjs'),
    notify: (notice) => {
      if (Notification.isSupported()) new Notification({ title: notice.title, body: notice.body }).show();
    },
  };
}
