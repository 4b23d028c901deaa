// Browser test of the statistical reports in headless Chromium: a department officer opens the
// beginning-of-year report, drills from the department's learner total down through the units
// below to a school and one learner's record, downloads the report as Excel, freezes it, and the
// public page then shows it with small counts hidden. Screenshots go to e2e/screenshots.
//
//   TRUONGSO_URL=http://127.0.0.1:18081 TRUONGSO_ACCOUNTS=accounts.json node --test statistics.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { signIn } from './signin.mjs';

const BASE = (process.env.TRUONGSO_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 360, height: 780 };
const MOJIBAKE = ['\uFFFD', 'Ã', 'áº', 'á»', 'Ä‘', 'Æ°', 'Æ¡'];

let browser;
let officer;

before(async () => {
  await mkdir(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  const accounts = JSON.parse(await readFile(process.env.TRUONGSO_ACCOUNTS, 'utf8'));
  officer = accounts.find((a) => a.role === 'department_officer');
  assert.ok(officer, 'a department officer account');
});

after(async () => {
  await browser?.close();
});

/** A new browser context signed in as `who`. */
async function signedIn(who, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, locale: 'vi-VN', baseURL: BASE, acceptDownloads: true });
  const page = await context.newPage();
  page.on('pageerror', (e) => assert.fail(`script error: ${e.message}`));
  await signIn(page, who);
  return page;
}

/** "12.345" → 12345. */
const count = (text) => Number(text.replace(/\./g, '').trim());

async function noMojibake(page) {
  const text = await page.locator('main').innerText();
  for (const bad of MOJIBAKE) assert.ok(!text.includes(bad), `mojibake "${bad}" on ${page.url()}`);
}

test('a department officer drills from the province figure to a learner, exports and freezes the report', async () => {
  const page = await signedIn(officer);
  await page.goto('/statistics');
  assert.match(new URL(page.url()).pathname, /^\/orgs\/\d+\/statistics$/);
  await assert.doesNotReject(page.locator('h1', { hasText: 'Báo cáo thống kê' }).waitFor());
  // Charts are SVG with a title for screen readers; the same figures are in tables.
  const charts = page.locator('figure.chart-box svg[role]');
  assert.ok((await charts.count()) >= 2, 'charts on the report');
  assert.ok((await page.locator('figure.chart-box svg title').first().textContent()).length > 0);
  await noMojibake(page);
  await page.screenshot({ path: join(SHOTS, 'statistics-report.png'), fullPage: true });

  // The learner total of the department, then the units below it.
  const totalLink = page.locator('#hoc_sinh + .table-scroll tr.total td a').first();
  const departmentTotal = count(await totalLink.innerText());
  assert.ok(departmentTotal > 1000, `department learners: ${departmentTotal}`);
  await Promise.all([page.waitForURL(/\/statistics\/figure\?/), totalLink.click()]);
  assert.equal(count(await page.locator('#figure-value').innerText()), departmentTotal);
  await page.screenshot({ path: join(SHOTS, 'statistics-figure.png'), fullPage: true });

  // Down the tree: each level's figure is the sum of the level below, until a school lists records.
  for (let depth = 0; depth < 6; depth += 1) {
    if (await page.locator('#records').count()) break;
    const rows = page.locator('main table tbody tr');
    let sum = 0;
    for (const text of await rows.locator('td.num').allInnerTexts()) sum += count(text);
    assert.equal(sum, count(await page.locator('#figure-value').innerText()), `the units below add up (${page.url()})`);
    const next = rows.locator('td a').first();
    await Promise.all([page.waitForURL(/\/statistics\/figure\?/), next.click()]);
  }
  const records = page.locator('#records tbody tr');
  assert.ok((await records.count()) > 0, 'the school lists the learners behind its figure');
  const schoolFigure = count(await page.locator('#figure-value').innerText());
  const pager = page.locator('nav.pager span');
  if (await pager.count()) {
    assert.match(await pager.innerText(), new RegExp(`\\(${schoolFigure} `), 'as many records as the figure');
  } else {
    assert.equal(await records.count(), schoolFigure, 'as many records as the figure');
  }
  const learnerLink = records.first().locator('a').first();
  const code = (await learnerLink.innerText()).trim();
  const name = (await records.first().locator('td').nth(2).innerText()).trim();
  await Promise.all([page.waitForURL(/\/learners\/\d+$/), learnerLink.click()]);
  assert.ok((await page.locator('main').innerText()).includes(name), `the learner's page shows ${name} (${code})`);
  await noMojibake(page);

  // Export and freeze the department's report.
  await page.goto('/statistics');
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a', { hasText: 'Tải về Excel' }).click()]);
  assert.match(download.suggestedFilename(), /^thong-ke-dau_nam-.*\.xlsx$/);
  const file = await download.path();
  const bytes = await readFile(file);
  assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'an xlsx (zip) file');
  await page.locator('summary', { hasText: 'Chốt và nộp' }).click();
  await page.fill('textarea[name="note"]', 'Số liệu đầu năm đã rà soát');
  await Promise.all([page.waitForURL(/\/statistics\/submissions\/\d+$/), page.locator('button', { hasText: 'Chốt số liệu' }).click()]);
  assert.ok((await page.locator('.notice').first().innerText()).includes('Báo cáo đã chốt'));
  const frozenTotal = count(await page.locator('#hoc_sinh + .table-scroll tr.total td a').first().innerText());
  assert.equal(frozenTotal, departmentTotal);

  // Phone width: the report reads without sideways scrolling of the page itself.
  await page.setViewportSize(PHONE);
  await page.goto('/statistics');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page overflows a 360 px screen by ${overflow} px`);
  await page.screenshot({ path: join(SHOTS, 'statistics-phone.png'), fullPage: false });
});

test('the public page shows the frozen report with small counts hidden', async () => {
  const context = await browser.newContext({ viewport: DESKTOP, locale: 'vi-VN', baseURL: BASE });
  const page = await context.newPage();
  await page.goto('/public/statistics');
  const text = await page.locator('main').innerText();
  assert.ok(text.includes('Số liệu thống kê giáo dục công khai'));
  assert.ok(text.includes('Học sinh theo khối lớp'), 'the frozen report is shown');
  assert.ok(text.includes('< 5'), 'some small counts are hidden');
  // No figure from 1 to 4 is printed in a table cell.
  for (const cell of await page.locator('td.num').allInnerTexts()) {
    const n = count(cell);
    assert.ok(Number.isNaN(n) || n === 0 || n >= 5, `a small count is shown: ${cell}`);
  }
  await noMojibake(page);
  await page.screenshot({ path: join(SHOTS, 'statistics-public.png'), fullPage: false });
});
