import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { MANAGER_CSP } from '../../src/manager/manager-page.js';
import type { ChatwootSimulator, SimUser } from '../fakes/chatwoot-simulator.js';
import { GraphApiDouble } from '../fakes/graph-api.js';
import { fixture } from '../fixtures/baileys/messages.js';
import { factory } from '../fixtures/baileys/socket-module.js';
import { browserAvailable, buildManagerPage, CHROMIUM_PATH } from '../support/browser.js';
import { eventually } from '../support/chatwoot.js';
import { cloudFields, createInstance, type TestAccount, type TestInstance } from '../support/factories.js';
import { envelope } from '../support/http.js';
import { startRouting, type RoutingSetup } from '../support/routing.js';
import type { TestApp } from '../support/test-app.js';

const ACCOUNT_ID = 6;
/** Written by every run, git-ignored: one picture per step. */
const SCREENSHOTS = join(process.cwd(), 'test-results', 'manager');
/** Waits of the page's own doing (a QR refresh every 5 s, a Chatwoot activation): generous under CI load. */
const PAGE_WAIT_MS = 15_000;

/** What the page does in the browser, in-page (the test files have no DOM types): contrast below 4.5:1, form fields without a label. */
const AUDIT = `(() => {
  const parse = (c) => { const [r, g, b, a = 1] = c.match(/[\\d.]+/g).map(Number); return { r, g, b, a }; };
  const lum = ({ r, g, b }) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c.a > 0) return c; }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const lowContrast = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el.checkVisibility()) continue;
    const [hi, lo] = [lum(parse(getComputedStyle(el).color)), lum(background(el))].sort((x, y) => y - x);
    const ratio = (hi + 0.05) / (lo + 0.05);
    if (ratio < 4.5) lowContrast.push(el.tagName + ' ' + n.textContent.trim().slice(0, 40) + ': ' + ratio.toFixed(2));
  }
  const unlabelled = [...document.querySelectorAll('input, select, textarea')].filter((i) => !i.labels || i.labels.length === 0).map((i) => i.id || i.name);
  const unnamedButtons = [...document.querySelectorAll('button')].filter((b) => !(b.getAttribute('aria-label') || b.textContent.trim())).length;
  return { lowContrast, unlabelled, unnamedButtons };
})()`;

const describeBrowser = browserAvailable() ? describe : describe.skip;

/**
 * The operator page at /manager in a real browser (Debian's chromium through playwright-core),
 * against the server with the Graph API and Chatwoot doubles and a Baileys instance whose QR code
 * and pairing come from a fake connection at the provider port. Each step leaves a screenshot in
 * test-results/manager/.
 */
describeBrowser('the manager page in a browser', () => {
  let setup: RoutingSetup;
  let graph: GraphApiDouble;
  let managerDir: string;
  let t: TestApp;
  let sim: ChatwootSimulator;
  let admin: SimUser;
  let account: TestAccount;
  let baileys: TestInstance;
  let cloud: TestInstance;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const requests: string[] = [];
  const sockets: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    managerDir = await buildManagerPage();
    graph = await GraphApiDouble.start();
    setup = await startRouting(
      ACCOUNT_ID,
      { BAILEYS_SOCKET_MODULE: join(process.cwd(), 'test/fixtures/baileys/socket-module.ts'), WHATSAPP_CLOUD_API_URL: graph.url },
      { managerDir },
    );
    ({ t, sim, admin, account } = setup);
    const phone = graph.addPhoneNumber();
    cloud = await createInstance(t, account, {
      name: 'cloud-desk', provider: 'cloud',
      ...cloudFields({ cloudPhoneNumberId: phone.id, cloudAccessToken: phone.token, cloudAppSecret: phone.appSecret }),
    });
    expect((await t.req('GET', `/api/instance/connect/${cloud.name}`, { token: account.token })).status).toBe(200);
    baileys = await createInstance(t, account, { name: 'suporte' });

    rmSync(SCREENSHOTS, { recursive: true, force: true });
    mkdirSync(SCREENSHOTS, { recursive: true });
    // Root in a container: Chromium's sandbox needs user namespaces that it may not have there, and
    // /dev/shm may be a few megabytes.
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    // Before any script of the page: every CSP violation the page causes is recorded.
    await context.addInitScript('window.__csp = []; document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.effectiveDirective));');
    page = await context.newPage();
    page.on('request', (r) => requests.push(r.url()));
    page.on('websocket', (ws) => sockets.push(ws.url()));
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (err) => consoleErrors.push(err.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await setup?.close();
    await graph?.stop();
    if (managerDir) rmSync(managerDir, { recursive: true, force: true });
  });

  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const text = async (selector: string) => ((await page.locator(selector).textContent()) ?? '').trim();
  const until = (check: () => Promise<void> | void, ms = PAGE_WAIT_MS) => eventually(check, ms);

  it('GET /manager: the page with a strict Content-Security-Policy, its hashed assets, and the 404 envelope for anything else', async () => {
    const res = await t.req('GET', '/manager');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(res.headers.get('content-security-policy')).toBe(MANAGER_CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    // Nothing inline for the CSP to forbid, nothing from elsewhere.
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(res.text).not.toMatch(/ style=|(src|href)="(https?:)?\/\//);
    const script = /<script type="module" crossorigin src="(\/manager\/assets\/index-[\w-]+\.js)">/.exec(res.text)?.[1];
    expect(script).toBeDefined();
    const asset = await t.req('GET', script!);
    expect([asset.status, asset.headers.get('content-type'), asset.headers.get('cache-control')]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
    expect(asset.headers.get('content-security-policy')).toBe(MANAGER_CSP);
    const missing = await t.req('GET', '/manager/assets/index-nothing.js');
    expect([missing.status, missing.body]).toEqual([404, envelope('Not found')]);
  });

  it('a refused token: the API\'s message, nothing kept', async () => {
    await page.goto(`${t.url}/manager`);
    await page.getByLabel('TokenAccount or TokenInstance').fill('not-a-token');
    await page.keyboard.press('Enter');
    await until(async () => expect(await text('#token-error')).toBe('Invalid token'));
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  });

  it('paste a TokenAccount (keyboard only): the instances and their status; the token in sessionStorage only, never in the URL', async () => {
    const field = page.getByLabel('TokenAccount or TokenInstance');
    expect(await field.getAttribute('type')).toBe('password');
    await field.fill('');
    await field.focus();
    await page.keyboard.type(account.token);
    await page.keyboard.press('Enter');
    await until(async () => expect(await text('#instances-summary')).toBe('2 Instances found'));
    const rows = await page.locator('#instance-rows tr').evaluateAll((trs) =>
      trs.map((tr) => [...(tr as any).querySelectorAll('th, td')].slice(0, 3).map((c: any) => c.textContent)),
    );
    expect(rows.sort()).toEqual([
      ['cloud-desk', 'connected', 'not activated'],
      ['suporte', 'disconnected', 'not activated'],
    ]);
    expect(await page.isVisible('#sign-in')).toBe(false);
    expect(page.url()).toBe(`${t.url}/manager`);
    expect(await page.evaluate('JSON.stringify([Object.entries(sessionStorage), localStorage.length, document.cookie])')).toBe(
      JSON.stringify([[['ryze-manager-token', account.token]], 0, '']),
    );
    expect((await context.cookies()).length).toBe(0);
    // A reload keeps the tab's session; a new tab of another session starts signed out.
    await page.reload();
    await until(async () => expect(await text('#instances-summary')).toBe('2 Instances found'));
    const other = await (await browser.newContext()).newPage();
    await other.goto(`${t.url}/manager`);
    expect(await other.isVisible('#sign-in')).toBe(true);
    expect(await other.evaluate('sessionStorage.length')).toBe(0);
    await other.context().close();
    await shot('1-instances');
  });

  it('one instance: the live QR code, then a new one, then "connected" as soon as the phone has paired', async () => {
    const manage = page.getByRole('button', { name: 'Manage suporte' });
    await manage.focus();
    await page.keyboard.press('Enter');
    await until(async () => expect(await text('#stream-state')).toBe('live'));
    expect(await text('#instance-status')).toBe('disconnected');
    expect(await text('#chatwoot-absent')).toBe('no chatwoot integration for this instance');

    const before = factory.sockets.length;
    await page.getByRole('button', { name: 'Show the QR code' }).click();
    await eventually(() => expect(factory.sockets.length).toBe(before + 1));
    factory.last.qr('2@manager-ref-1,noise,identity,adv');
    await until(async () => expect(await page.isVisible('#qr')).toBe(true));
    expect(await text('#instance-status')).toBe('qr_ready');
    expect(await text('#connection-message')).toBe('Scan the QR code with WhatsApp');
    // The image is the API's own PNG of the current code.
    const current = await t.req('GET', `/api/instance/connect/${baileys.name}`, { token: account.token });
    expect(await page.getAttribute('#qr', 'src')).toBe(current.body.qrCodeBase64);
    expect(await page.evaluate('document.getElementById("qr").naturalWidth')).toBe(320);
    await shot('2-qr-code');

    // WhatsApp replaces the code: the page shows the new one (it asks for the current code every 5 s).
    factory.last.qr('2@manager-ref-2,noise,identity,adv');
    const next = await t.req('GET', `/api/instance/connect/${baileys.name}`, { token: account.token });
    expect(next.body.qrCode).toBe('2@manager-ref-2,noise,identity,adv');
    await until(async () => expect(await page.getAttribute('#qr', 'src')).toBe(next.body.qrCodeBase64));

    // The phone scans it: pair-success, the restart WhatsApp asks for, then open.
    const first = factory.last;
    first.paired();
    await eventually(async () => {
      const [row]: Array<{ linked: boolean }> = await t.app.get(DataSource).query(
        `SELECT s.linked FROM whatsapp_sessions s JOIN instances i ON i.id = s.instance_id WHERE i.name = $1`, [baileys.name],
      );
      expect(row?.linked).toBe(true);
    });
    first.close(515, 'Stream Errored (restart required)');
    await eventually(() => expect(factory.last).not.toBe(first));
    factory.last.open();
    await until(async () => expect(await text('#instance-status')).toBe('connected'));
    expect(await page.isVisible('#connected-note')).toBe(true);
    expect(await page.isVisible('#qr-box')).toBe(false);
    expect(await page.isVisible('#connect')).toBe(false);
    expect(await text('#connection-message')).toBe('');
    expect(await text('#instance-rows tr[data-instance="suporte"] .status')).toBe('connected');
    // The events that told it, newest first.
    expect((await page.locator('#events li').allTextContents()).slice(0, 2)).toEqual([
      expect.stringMatching(/^#\d+ instance\.state — connected$/),
      expect.stringMatching(/^#\d+ instance\.state — connecting \(restart_required\)$/),
    ]);
    await shot('3-connected');
  });

  it('Chatwoot: a refused token shows the API\'s 401 message verbatim; a good one activates the integration', async () => {
    const token = page.getByLabel("Chatwoot API token (an administrator's)");
    expect(await token.getAttribute('type')).toBe('password');
    await page.getByLabel('Chatwoot URL').fill(sim.url);
    await page.getByLabel('Chatwoot account id').fill(String(ACCOUNT_ID));
    await token.fill('not-the-chatwoot-token');
    await page.getByLabel('Inbox name (default RyzeAPI)').fill('WA manager');
    await page.getByLabel('Reopen resolved conversations').check();
    const refused = page.waitForResponse((r) => r.url().endsWith(`/api/chatwoot/set/${baileys.name}`));
    await page.getByRole('button', { name: 'Activate' }).click();
    const answer = await refused;
    expect(answer.status()).toBe(401);
    const { error } = (await answer.json()) as { error: { message: string } };
    expect(error.message).toMatch(/^Chatwoot rejected the API token — verify chatwootApiToken\. Detail: .+/);
    expect(JSON.parse(answer.request().postData() ?? '')).toEqual({
      chatwootBaseUrl: sim.url, chatwootAccountId: ACCOUNT_ID, chatwootApiToken: 'not-the-chatwoot-token', inboxName: 'WA manager',
      signMessages: false, ignoreGroups: false, startAsPending: false, reopenResolved: true,
    });
    await until(async () => expect(await text('#chatwoot-error')).toBe(error.message));
    expect(await text('#chatwoot-absent')).toBe('no chatwoot integration for this instance');
    await shot('4-chatwoot-refused');

    await token.fill(admin.token);
    await page.getByRole('button', { name: 'Activate' }).click();
    await until(async () => expect(await text('#chatwoot-message')).toBe('chatwoot integration activated: active'));
    await until(async () => expect(await text('dd[data-fact="Status"]')).toBe('active'));
    expect(await text('dd[data-fact="Last error"]')).toBe('—');
    expect(await text('dd[data-fact="Chatwoot URL"]')).toBe(sim.url);
    expect(await text('#chatwoot-error')).toBe('');
    expect(await token.inputValue()).toBe('');
    expect(await text('#instance-rows tr[data-instance="suporte"] td:nth-of-type(2)')).toBe('active');
    expect(sim.inboxes(ACCOUNT_ID).map((i) => i.name)).toEqual(['WA manager']);
    await shot('5-chatwoot-active');
  });

  it('the event stream, live: a message received on WhatsApp appears at the top of the list, which keeps the latest 50', async () => {
    factory.last.ev.emit('messages.upsert', { messages: [fixture('text')], type: 'notify' });
    await until(async () => expect(await page.locator('#events li').first().textContent()).toMatch(
      /^#\d+ message\.exchange — from \+5511888888888 Bob \[text\] hello$/,
    ));
    await shot('6-events');

    const hello = fixture('text');
    const burst = Array.from({ length: 55 }, (_, i) => ({
      ...hello, key: { ...hello.key, id: `3EB0MANAGER${String(i).padStart(3, '0')}` }, message: { conversation: `burst ${i}` },
    }));
    factory.last.ev.emit('messages.upsert', { messages: burst, type: 'notify' });
    await until(async () => expect(await page.locator('#events li').first().textContent()).toMatch(/\[text\] burst 54$/));
    const shown = await page.locator('#events li').allTextContents();
    expect(shown).toHaveLength(50);
    expect(shown[49]).toMatch(/\[text\] burst 5$/);
  });

  it('log out (after a confirmation): the instance is disconnected and the device logged out', async () => {
    const socket = factory.last;
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Log out' }).click();
    await until(async () => expect(await text('#connection-message')).toBe('Instance logged out'));
    await until(async () => expect(await text('#instance-status')).toBe('disconnected'));
    expect(socket.loggedOut).toBe(true);
    expect(await page.isVisible('#connected-note')).toBe(false);
    const list = await t.req('GET', `/api/instance/list?instanceName=${baileys.name}`, { token: account.token });
    expect(list.body.instances[0].status).toBe('disconnected');
  });

  it('a TokenInstance sees its own instance only; "Forget the token" empties sessionStorage', async () => {
    await page.getByRole('button', { name: 'Forget the token' }).click();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    expect(await page.isVisible('#sign-in')).toBe(true);
    await page.getByLabel('TokenAccount or TokenInstance').fill(cloud.token);
    await page.keyboard.press('Enter');
    await until(async () => expect(await text('#instances-summary')).toBe('1 Instance found'));
    expect(await page.locator('#instance-rows th').allTextContents()).toEqual(['cloud-desk']);
  });

  it('accessible and self-contained: labels, names, contrast; no request but to this server; the CSP blocks what it should, and the page broke none of it', async () => {
    await page.getByRole('button', { name: 'Manage cloud-desk' }).click();
    await until(async () => expect(await text('#stream-state')).toBe('live'));
    expect(await page.evaluate(AUDIT)).toEqual({ lowContrast: [], unlabelled: [], unnamedButtons: 0 });

    const origin = new URL(t.url);
    expect(requests.filter((u) => !u.startsWith('data:') && new URL(u).origin !== origin.origin)).toEqual([]);
    expect(sockets.length).toBeGreaterThan(0);
    expect(sockets.filter((u) => new URL(u).host !== origin.host || !u.startsWith('ws://'))).toEqual([]);
    expect(await page.evaluate('window.__csp')).toEqual([]);
    // Chromium logs every 4xx answer to fetch; the refused tokens and the missing integration were meant.
    expect(consoleErrors.filter((m) => !/^Failed to load resource: the server responded with a status of (401|404) /.test(m))).toEqual([]);

    // An inline script (what an injection would add) does not run.
    await page.evaluate('const s = document.createElement("script"); s.textContent = "window.injected = true"; document.body.append(s)');
    expect(await page.evaluate('window.injected === undefined')).toBe(true);
    expect(await page.evaluate('window.__csp')).toEqual(['script-src-elem']);
  });
});
