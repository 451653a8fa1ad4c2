import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { asAdmin } from '@polystore/testing';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * The GraphQL IDE as a person meets it: a real headless Chromium (Debian's
 * `chromium`, installed by .ci/run) opens the gateway, types a query, runs it
 * and sees the answer, while every request to another host is refused, as on
 * a machine without internet. The page runs under its strict Content Security
 * Policy (nonces, no 'unsafe-inline') without one violation.
 * IDE_SCREENSHOT=<file> also saves what it shows.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);

let stack: TestStack;
let browser: Browser;

beforeAll(async () => {
  if (!haveChromium) return;
  stack = await startTestStack();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
});

(haveChromium ? describe : describe.skip)('the GraphQL IDE in a browser', () => {
  it('loads from the gateway alone, runs a typed query and shows the answer', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    const elsewhere: string[] = [];
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1' || url.protocol === 'blob:' || url.protocol === 'data:') return route.continue();
      elsewhere.push(url.href);
      return route.abort();
    });
    // Every CSP violation the page reports, and every console error (a refused script or style shows there too).
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (event) =>
        seen.push(
          `${event.violatedDirective} ${event.blockedURI} ${event.sample} ${event.sourceFile}:${event.lineNumber}:${event.columnNumber}`,
        ),
      );
    });
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    const created = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...asAdmin() },
      body: JSON.stringify({
        query: `mutation { createProduct(input: { sku: "IDE-1", name: "Seen in the IDE", price: { amount: 990, currency: "EUR" }, stock: 3 }) { id } }`,
      }),
    });
    expect(created.status).toBe(200);

    const loaded = await page.goto(stack.gatewayUrl);
    const headers = loaded!.headers();
    expect(headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-[^']+'/);
    expect(headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers).toMatchObject({
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
    await editor.waitFor({ timeout: 30_000 });
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    // One line: the editor's auto-indent would rework typed line breaks.
    const typed = '{ products(first: 5) { totalCount edges { node { sku name price { amount currency } } } } }';
    await page.keyboard.insertText(typed);
    // GraphiQL takes in an edit after a pause (debounced): run before, and it still looks for the first
    // screen's operation (ProductPage). Its saved tab state holds the typed query once it has taken it in.
    await page.waitForFunction(
      (text) => Object.entries(localStorage).some(([key, value]) => key.endsWith('tabState') && value.includes(text)),
      JSON.stringify(typed).slice(1, -1),
      { timeout: 10_000 },
    );
    await page.locator('.graphiql-execute-button').click();
    const response = page.locator('.graphiql-response');
    // When the answer does not come, the failure says what the response pane shows instead.
    await response
      .getByText('Seen in the IDE')
      .waitFor({ timeout: 20_000 })
      .catch(async (err: Error) => {
        const shown = await response.innerText().catch(() => '(no response pane)');
        throw new Error(`${err.message}\nthe response pane shows: ${shown.slice(0, 2_000)}`);
      });
    const text = await response.innerText();
    // The editor renders spaces as no-break spaces; \s matches both.
    expect(text).toMatch(/"sku":\s+"IDE-1"/);
    expect(text).toMatch(/"totalCount":\s+1\b/);
    expect(elsewhere).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
    expect(consoleErrors).toEqual([]);

    if (process.env.IDE_SCREENSHOT) {
      await page
        .locator('.graphiql-editor-tools, .graphiql-toolbar')
        .getByRole('button', { name: /prettify/i })
        .click();
      await page.screenshot({ path: process.env.IDE_SCREENSHOT });
    }
    await page.close();
  }, 120_000);
});
