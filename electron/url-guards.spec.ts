import { describe, expect, it } from 'vitest';
import { type AppLocation, isAppUrl, isStackLink } from './url-guards';

const built: AppLocation = {
  devServerUrl: undefined,
  rendererFileUrl: 'file:///opt/Walkstream/resources/app.asar/out/renderer/index.html',
};
const dev: AppLocation = { devServerUrl: 'http://localhost:5173', rendererFileUrl: built.rendererFileUrl };

describe('isAppUrl, built app', () => {
  it.each([
    'file:///opt/Walkstream/resources/app.asar/out/renderer/index.html',
    'file:///opt/Walkstream/resources/app.asar/out/renderer/index.html#/stack',
    'file:///opt/Walkstream/resources/app.asar/out/renderer/index.html?tab=chaos',
  ])('accepts the renderer page %s', (url) => {
    expect(isAppUrl(url, built)).toBe(true);
  });

  it.each([
    'http://evil',
    'https://example.com/',
    'file:///etc/passwd',
    // The old guard accepted any file:// URL containing /renderer/.
    'file:///tmp/renderer/index.html',
    'file:///opt/Walkstream/resources/app.asar/out/renderer/other.html',
    'file://evil-host/opt/Walkstream/resources/app.asar/out/renderer/index.html',
    'http://localhost:5173/',
    'about:blank',
    'javascript:alert(1)',
    'data:text/html,<h1>hi</h1>',
    '',
    'not a url',
  ])('refuses %s', (url) => {
    expect(isAppUrl(url, built)).toBe(false);
  });

  it('refuses a path that only reaches index.html through ..', () => {
    expect(
      isAppUrl('file:///opt/Walkstream/resources/app.asar/out/renderer/../../../../../tmp/index.html', built),
    ).toBe(false);
  });

  it('works for a renderer path that needs percent-encoding', () => {
    const spaced: AppLocation = {
      rendererFileUrl: 'file:///C:/Program%20Files/Walkstream/out/renderer/index.html',
    };
    expect(isAppUrl('file:///C:/Program%20Files/Walkstream/out/renderer/index.html', spaced)).toBe(true);
    expect(isAppUrl('file:///C:/Program Files/Walkstream/out/renderer/index.html', spaced)).toBe(true);
  });
});

describe('isAppUrl, dev server', () => {
  it.each(['http://localhost:5173', 'http://localhost:5173/', 'http://localhost:5173/src/main.tsx?t=1#x'])(
    'accepts %s',
    (url) => {
      expect(isAppUrl(url, dev)).toBe(true);
    },
  );

  it.each([
    // Each of these starts with the dev URL: the old startsWith guard accepted them.
    'http://localhost:5173.evil.com/',
    'http://localhost:51730/',
    'http://localhost:5173@evil.com/',
    // Other origins.
    'http://evil/',
    'https://localhost:5173/',
    'http://127.0.0.1:5173/',
    'http://localhost:5174/',
    'file:///opt/Walkstream/resources/app.asar/out/renderer/index.html',
    'file:///etc/passwd',
    'data:text/html,x',
    '',
  ])('refuses %s', (url) => {
    expect(isAppUrl(url, dev)).toBe(false);
  });
});

describe('isStackLink', () => {
  it.each([
    'http://localhost:3000/',
    'http://127.0.0.1:8080/x',
    'http://localhost:3000/d/walkstream-random-walks?orgId=1',
    'http://LOCALHOST:8086/',
  ])('accepts %s', (url) => {
    expect(isStackLink(url)).toBe(true);
  });

  it.each([
    'https://example.com',
    'http://example.com:3000/',
    'http://localhost.evil.com:3000/',
    'http://localhost:3000@evil.com/',
    'http://user:pass@localhost:3000/',
    'https://localhost:3000/',
    'http://localhost/',
    'javascript:alert(1)',
    'file:///etc/passwd',
    'ftp://localhost:21/',
    'data:text/html,x',
    '',
  ])('refuses %s', (url) => {
    expect(isStackLink(url)).toBe(false);
  });
});
