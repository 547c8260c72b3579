/** The desktop's AppUserModelID is the installer's appId: one value, read from the builder config. */
import { describe, expect, it } from 'vitest';
import builderConfig from '../../electron-builder.config';
import { APP_ID } from '../../src-main/desktop/app-id';

describe('the app id', () => {
  it('is the builder config’s appId, a reverse-DNS name', () => {
    expect(APP_ID).toBe(builderConfig.appId);
    expect(APP_ID).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
  });
});
