import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { en } from '../../src/console/lib/messages/en.ts';
import { zh } from '../../src/console/lib/messages/zh.ts';

/** Debian's Chromium (STACK.md): never a downloaded browser. */
export const CHROMIUM = process.env['GATEHOUSE_CHROMIUM'] ?? '/usr/bin/chromium';

export const ARTIFACTS = new URL('../artifacts/', import.meta.url).pathname;

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (as .ci/run does), or set GATEHOUSE_CHROMIUM`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // the alarm tone may start without a click, so the test can see it play
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/** The console's contract labels (DESIGN.md) and the catalog for everything else, per browser language. */
export const LANGUAGES = [
  { locale: 'en-US', lang: 'en', username: 'Username', password: 'Password', signIn: 'Sign in', acknowledge: 'Acknowledge', m: en },
  { locale: 'zh-CN', lang: 'zh', username: '用户名', password: '密码', signIn: '登录', acknowledge: '确认', m: zh },
] as const;
export type Language = (typeof LANGUAGES)[number];

export interface ConsolePage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Page errors and console errors (a CSP violation shows up here). */
  readonly problems: string[];
}

/** A fresh browser profile at 1366×768 (the guard-room monitor) in `locale`. */
export async function openConsole(browser: Browser, base: string, locale: string): Promise<ConsolePage> {
  const context = await browser.newContext({ locale, viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  await page.goto(`${base}/`);
  return { context, page, problems };
}

export async function signIn(page: Page, l: Language, username: string): Promise<void> {
  await page.getByLabel(l.username, { exact: true }).fill(username);
  await page.getByLabel(l.password, { exact: true }).fill(`${username}-test-pw`);
  await page.getByRole('button', { name: l.signIn, exact: true }).click();
  await page.getByRole('navigation').waitFor();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
