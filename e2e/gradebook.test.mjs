// Browser test of the e-gradebook in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core): a subject teacher enters marks with the keyboard, pastes a column from a
// spreadsheet, meets a colleague's concurrent change as a conflict; the principal locks the term
// (the grid turns read-only), unlocks it with a reason and reads the history of a changed mark.
// The server must already be running at TRUONGSO_URL with the demo accounts in TRUONGSO_ACCOUNTS.
//
//   TRUONGSO_URL=http://127.0.0.1:18081 TRUONGSO_ACCOUNTS=accounts.json node --test gradebook.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = (process.env.TRUONGSO_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 360, height: 780 };
const MOJIBAKE = ['\uFFFD', 'Ã', 'áº', 'á»', 'Ä‘', 'Æ°', 'Æ¡'];

let browser;
let teacher;
let principal;

before(async () => {
  await mkdir(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  const accounts = JSON.parse(await readFile(process.env.TRUONGSO_ACCOUNTS, 'utf8'));
  // A subject teacher of a secondary school (scored subjects), and that school's principal.
  teacher = accounts.find((a) => a.role === 'teacher' && /THPT|THCS/.test(a.scope));
  assert.ok(teacher, 'a secondary-school teacher account');
  principal = accounts.find((a) => a.role === 'principal' && a.scope_org_id === teacher.scope_org_id);
  assert.ok(principal, 'the principal of the same school');
});

after(async () => {
  await browser?.close();
});

async function signedIn(who, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, locale: 'vi-VN', baseURL: BASE });
  const page = await context.newPage();
  page.on('pageerror', (e) => assert.fail(`script error: ${e.message}`));
  await page.goto('/login');
  await page.fill('#username', who.username);
  await page.fill('#password', who.password);
  await Promise.all([page.waitForURL((u) => u.pathname !== '/login'), page.locator('main form button[type="submit"]').click()]);
  return page;
}

const cell = (page, row, slot) => page.locator(`tbody tr:nth-child(${row}) input.cell[data-slot="${slot}"]`);
const focused = (page) => page.evaluate(() => {
  const el = document.activeElement;
  return { slot: el?.dataset?.slot, row: [...document.querySelectorAll('tbody tr')].indexOf(el?.closest('tr')) + 1 };
});
async function saved(page) {
  await page.waitForFunction(() => /Đã lưu lúc/.test(document.getElementById('grid-status')?.textContent || ''));
}
async function setTerm(page, action, reason) {
  await page.goto('/gradebook');
  const form = page.locator(`form[action$="/terms/hk1"]:has(input[name="action"][value="${action}"])`);
  if ((await form.count()) === 0) return false;
  if (reason) await form.locator('input[name="reason"]').fill(reason);
  await Promise.all([page.waitForURL(/done=/), form.locator('button').click()]);
  return true;
}

test('a teacher enters marks by keyboard and paste, meets a conflict; the principal locks and reads the history', async () => {
  const boss = await signedIn(principal);
  await boss.goto('/gradebook');
  assert.match(boss.url(), /\/orgs\/\d+\/gradebook/, 'a principal\'s gradebook is the school summary');
  // A seeded past term may be locked: open it (with a reason) for the test.
  await setTerm(boss, 'unlock', 'Kiểm thử tự động: mở khoá để nhập điểm');

  const page = await signedIn(teacher);
  await page.goto('/gradebook');
  const grid = page.locator('ul.chips a').first();
  const gridName = await grid.innerText();
  await Promise.all([page.waitForURL(/\/gradebook\/[a-z_0-9]+\/hk1$/), grid.click()]);
  const gridUrl = new URL(page.url()).pathname;
  assert.ok((await page.locator('h1').innerText()).includes(gridName));

  // Keyboard: type, Enter goes down, an arrow goes right, a bad mark is flagged at once.
  await cell(page, 1, 'r1').click();
  await page.keyboard.type('8');
  await page.keyboard.press('Enter');
  assert.deepEqual(await focused(page), { slot: 'r1', row: 2 });
  await page.keyboard.type('7,5');
  await page.keyboard.press('ArrowRight');
  assert.deepEqual(await focused(page), { slot: 'r2', row: 2 });
  await page.keyboard.type('11');
  await assert.doesNotReject(page.waitForSelector('tbody tr:nth-child(2) input.cell[data-slot="r2"].invalid'));
  await page.keyboard.press('Escape');
  await saved(page);

  // Paste a column copied from Excel into the mid-term column.
  await cell(page, 1, 'mid').click();
  await page.evaluate(() => {
    const data = new DataTransfer();
    data.setData('text/plain', '6\r\n6,5\r\n7\r\n7,5\r\n');
    document.activeElement.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
  await saved(page);
  await page.screenshot({ path: join(SHOTS, 'gradebook-grid.png') });
  await page.reload();
  assert.equal(await cell(page, 1, 'r1').inputValue(), '8');
  assert.equal(await cell(page, 2, 'r1').inputValue(), '7.5');
  assert.deepEqual(
    await Promise.all([1, 2, 3, 4].map((r) => cell(page, r, 'mid').inputValue())),
    ['6', '6.5', '7', '7.5'],
  );

  // A colleague (same grid, loaded earlier) changes the same cell: a conflict, nothing lost.
  const other = await signedIn(teacher);
  await other.goto(gridUrl);
  await cell(page, 1, 'r1').fill('9');
  await saved(page);
  await cell(other, 1, 'r1').fill('5');
  await other.waitForSelector('tbody tr:nth-child(1) td.conflict .cell-note');
  assert.match(await other.locator('tbody tr:nth-child(1) td.conflict .cell-note').innerText(), /sửa thành 9/);
  await other.screenshot({ path: join(SHOTS, 'gradebook-conflict.png') });
  await other.locator('tbody tr:nth-child(1) td.conflict button', { hasText: 'Giữ của tôi' }).click();
  await saved(other);
  await page.reload();
  assert.equal(await cell(page, 1, 'r1').inputValue(), '5');

  // The principal locks the term: the grid becomes read-only.
  assert.ok(await setTerm(boss, 'lock'), 'the term can be locked');
  assert.match(await boss.locator('.notice').innerText(), /Đã khoá sổ/);
  await page.reload();
  assert.equal(await cell(page, 1, 'r1').getAttribute('readonly'), '');
  assert.match(await page.locator('h1').innerText(), /Đã khoá sổ/);
  const refused = await page.evaluate(async (api) => {
    const csrf = document.getElementById('grid').dataset.csrf;
    const learner = document.querySelector('tbody tr').dataset.learner;
    const res = await fetch(api, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify({ cells: [{ learner_id: Number(learner), slot: 'r1', base: '5', value: '10' }] }) });
    return res.status;
  }, `/api/v1${gridUrl.replace('/classes/', '/gradebook/classes/').replace(/\/gradebook\/([^/]+)\/(hk\d)$/, '/items/$1/terms/$2')}`);
  assert.equal(refused, 409, 'a locked term refuses changes');

  // The history of the changed mark: who, when, before and after, each event hashed.
  await boss.goto(gridUrl);
  await Promise.all([boss.waitForURL(/\/gradebook\/history\?/), boss.locator('tbody tr:nth-child(1) a.history-link').click()]);
  const history = await boss.locator('table.history').innerText();
  for (const value of ['8', '9', '5']) assert.ok(history.includes(value), `history shows ${value}`);
  assert.ok(history.includes(teacher.username), 'history names the teacher');
  const text = await boss.locator('body').innerText();
  for (const bad of MOJIBAKE) assert.ok(!text.includes(bad), `no mojibake (${bad})`);
  await boss.screenshot({ path: join(SHOTS, 'gradebook-history.png'), fullPage: true });

  // Unlocking needs a reason; the school summary then shows the term open again.
  assert.ok(await setTerm(boss, 'unlock', 'Sửa điểm nhập nhầm sau khi khoá'));
  assert.match(await boss.locator('.notice').innerText(), /mở khoá/);
});

test('the grid fits a phone: names stay visible, the page does not overflow', async () => {
  const page = await signedIn(teacher, PHONE);
  await page.goto('/gradebook');
  await page.locator('ul.chips a').first().click();
  await page.waitForSelector('table.grid');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no horizontal page scroll (${overflow}px)`);
  assert.ok(await page.locator('tbody tr:nth-child(1) th.name').isVisible());
  await page.screenshot({ path: join(SHOTS, 'gradebook-phone.png') });
});

const AXE = join(dirname(fileURLToPath(import.meta.url)), 'node_modules', 'axe-core', 'axe.min.js');

test('the gradebook pages have no serious WCAG 2.2 A/AA violation (axe-core)', async () => {
  // axe is injected as an inline script, which the pages' CSP rightly refuses: bypass it here only.
  const context = await browser.newContext({ viewport: DESKTOP, locale: 'vi-VN', baseURL: BASE, bypassCSP: true });
  const page = await context.newPage();
  await page.goto('/login');
  await page.fill('#username', principal.username);
  await page.fill('#password', principal.password);
  await Promise.all([page.waitForURL((u) => u.pathname !== '/login'), page.locator('main form button[type="submit"]').click()]);
  await page.goto('/gradebook');
  const school = new URL(page.url()).pathname;
  const classLink = page.locator('table.summary tbody a').first();
  const classPath = new URL(await classLink.getAttribute('href'), BASE).pathname;
  await page.goto(classPath);
  const gridPath = new URL(await page.locator('ul.chips a').first().getAttribute('href'), BASE).pathname;
  const found = [];
  for (const path of [school, `${school}/setup`, `${school}/lists`, classPath, gridPath]) {
    await page.goto(path);
    await page.addScriptTag({ path: AXE });
    const result = await page.evaluate(async () =>
      // eslint-disable-next-line no-undef
      axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
    found.push(...result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${path}: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`));
  }
  await context.close();
  assert.deepEqual(found, [], `accessibility violations:\n${found.join('\n')}`);
});
