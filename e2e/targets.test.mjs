// Browser test of the plan-target pages in headless Chromium (Debian's /usr/bin/chromium, driven
// by playwright-core): a department officer opens the targets dashboard from the header, sees
// the ranking chart with its table and the trend, changes a target (a refused form first, then
// a valid one) and sees the indicator's status change, opens the school map and switches the
// colouring indicator; an office officer cannot open the department's. Screenshots at desktop
// and 360 px go to e2e/screenshots. The server must already be running at TRUONGSO_URL.
//
//   TRUONGSO_URL=http://127.0.0.1:18092 TRUONGSO_ACCOUNTS=accounts.json node --test targets.test.mjs

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
const ACCOUNTS_FILE = process.env.TRUONGSO_ACCOUNTS;

let browser;
let accounts = [];
/** The department officer's session, signed in once (the first sign-in enrols the TOTP key). */
let officer;

const account = (role) => {
  const found = accounts.find((a) => a.role === role);
  assert.ok(found, `no demo account with role ${role} in ${ACCOUNTS_FILE}`);
  return found;
};

async function newPage(viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, locale: 'vi-VN', baseURL: BASE });
  return context.newPage();
}

/** Signs in (two-factor roles enrol or answer through the shared helper). */
const login = signIn;

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Elements sticking out to the right of the viewport (tables scroll inside their wrapper). */
async function overflow(page) {
  return page.evaluate(() => [...document.querySelectorAll('body *')]
    .filter((el) => !el.closest('.table-scroll, .table-wrap'))
    .map((el) => ({ tag: el.tagName, cls: String(el.className?.baseVal ?? el.className), right: Math.round(el.getBoundingClientRect().right) }))
    .filter((x) => x.right > window.innerWidth + 1)
    .slice(0, 5));
}

const statusOf = (page, code) => page.locator(`#ind-${code}`).getAttribute('data-status');

before(async () => {
  await mkdir(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  accounts = JSON.parse(await readFile(ACCOUNTS_FILE, 'utf8'));
  officer = await newPage();
  await login(officer, account('department_officer'));
});

after(async () => {
  await browser?.close();
});

test('a. the department dashboard: every indicator, a ranking chart with its table, the trend', async () => {
  const page = officer;
  await Promise.all([page.waitForURL(/\/orgs\/\d+\/targets/), page.locator('header a', { hasText: 'Chỉ tiêu kế hoạch' }).click()]);
  assert.match(await page.locator('h1').innerText(), /^Chỉ tiêu kế hoạch: Sở Giáo dục/);
  const rows = page.locator('table.targets tbody tr');
  assert.ok((await rows.count()) >= 15, 'every indicator of the shipped file is listed');
  // Measured indicators have a value; those without platform data say so, with no number.
  assert.notEqual(await statusOf(page, 'id_valid_9_12'), 'no_data');
  assert.equal(await statusOf(page, 'schools_cashless'), 'no_data');
  assert.match(await page.locator('#ind-schools_cashless').innerText(), /Chưa có dữ liệu/);
  assert.match(await page.locator('#ind-schools_cashless td.num').first().innerText(), /^—/);
  // The ranking: an SVG with a bar per unit below and the dashed target line, and its table.
  const chart = page.locator('.chart-pair').first();
  assert.equal(await chart.locator('svg[role] title').first().count(), 1);
  const bars = await chart.locator('svg rect').count();
  const ranked = await chart.locator('table.ranked tbody tr').count();
  assert.ok(ranked >= 2, `the department has units below (${ranked})`);
  assert.ok(bars >= 1 && bars <= ranked, `one bar per unit with a value (${bars} bars, ${ranked} rows)`);
  assert.equal(await chart.locator('svg line[stroke-dasharray]').count(), 1, 'the target line');
  // The trend: a line over a year of monthly points, the demo's past marked as illustrative.
  const trend = page.locator('.chart-pair').nth(1);
  assert.equal(await trend.locator('svg polyline').count(), 1);
  assert.ok((await trend.locator('table.trend tbody tr').count()) >= 12);
  assert.match(await page.locator('main').innerText(), /Dữ liệu minh hoạ của bản demo/);
  await shot(page, 'targets-dashboard-desktop');
});

test('b. a refused edit saves nothing; a lower target turns the indicator to met', async () => {
  const page = officer;
  const dashboard = page.url().split('?')[0];
  // Start from a target the demo does not reach (teachers with an account are few).
  await page.goto('/targets/indicators/teachers_account');
  await page.fill('#target', '100');
  await page.fill('#deadline', '2030-12-31');
  await Promise.all([page.waitForURL(/\/targets\?indicator=teachers_account/), page.locator('main form button[type="submit"]').click()]);
  assert.notEqual(await statusOf(page, 'teachers_account'), 'met');
  const value = await page.locator('#ind-teachers_account td.num').first().innerText();
  const percent = Number(value.split('%')[0].trim().replace(/\./g, '').replace(',', '.'));
  assert.ok(Number.isFinite(percent) && percent < 100, `a measured share: ${value}`);

  // From the dashboard's edit link.
  await Promise.all([page.waitForURL(/\/targets\/indicators\/teachers_account$/), page.locator('#ind-teachers_account a', { hasText: 'Sửa' }).click()]);
  assert.equal(await page.locator('#numerator').inputValue(), 'teachers_with_account');
  await shot(page, 'targets-edit-desktop');
  // Two bad fields: nothing is saved, both are named.
  await page.fill('#target', '120');
  await page.fill('#deadline', '');
  await page.locator('main form button[type="submit"]').click();
  await page.waitForLoadState('load');
  const summary = await page.locator('.error-summary').innerText();
  assert.match(summary, /'target'/);
  assert.match(summary, /'deadline'/);
  await page.goto(`${dashboard}?indicator=teachers_account`);
  assert.notEqual(await statusOf(page, 'teachers_account'), 'met', 'the refused form changed nothing');

  // A target at the measured value: met.
  await page.goto('/targets/indicators/teachers_account');
  await page.fill('#target', String(Math.floor(percent)));
  await Promise.all([page.waitForURL(/saved=1/), page.locator('main form button[type="submit"]').click()]);
  assert.match(await page.locator('.notice').first().innerText(), /Đã lưu|lưu/i);
  assert.equal(await statusOf(page, 'teachers_account'), 'met');
  assert.match(await page.locator('#ind-teachers_account').innerText(), /Đạt/);
  // The ranking now shows that indicator with its new target line.
  assert.match(await page.locator('h2').first().innerText(), /Giáo viên có tài khoản/);
});

test('c. the school map: points by level, coloured by the chosen indicator, a table beside it', async () => {
  const page = officer;
  await page.goto('/targets');
  await Promise.all([page.waitForURL(/\/orgs\/\d+\/map/), page.locator('main a', { hasText: 'Bản đồ trường' }).first().click()]);
  const map = page.locator('figure.map-box svg');
  const points = await map.locator('a').count();
  const schools = await page.locator('table.schools tbody tr').count();
  assert.ok(points >= 3, `schools on the map (${points})`);
  assert.ok(schools >= points, `every school in the table (${schools})`);
  assert.ok((await map.locator('circle[r="1.5"]').count()) > 20, 'commune centroids as the background');
  for (const shape of ['Tiểu học', 'THCS', 'THPT', 'Liên cấp']) {
    assert.ok((await map.locator('text', { hasText: shape }).count()) >= 1, `legend names ${shape}`);
  }
  const caption = await page.locator('table.schools caption').innerText();
  const legend = await page.locator('ul.legend').first().innerText();
  await shot(page, 'targets-map-desktop');
  // Another indicator: the page colours by it.
  await page.selectOption('#indicator', 'profile_complete');
  await Promise.all([page.waitForURL(/indicator=profile_complete/), page.locator('form.pick button').click()]);
  assert.notEqual(await page.locator('table.schools caption').innerText(), caption);
  assert.match(await page.locator('table.schools caption').innerText(), /đủ thông tin/);
  assert.notEqual(await page.locator('ul.legend').first().innerText(), legend);
  // A point leads to its school.
  const href = await page.locator('figure.map-box svg a').first().getAttribute('href');
  assert.match(href, /^\/orgs\/\d+$/);
});

test('d. 360 px: dashboard, edit form and map fit the phone', async () => {
  const dashboard = officer.url().replace(/\/map.*$/, '/targets');
  const page = await newPage(PHONE);
  // The same session cookie, in a phone-sized context.
  await page.context().addCookies(await officer.context().cookies());
  for (const [path, name] of [[dashboard, 'targets-dashboard-phone'], ['/targets/indicators/id_valid_9_12', 'targets-edit-phone'], [dashboard.replace(/targets$/, 'map'), 'targets-map-phone']]) {
    await page.goto(path);
    assert.deepEqual(await overflow(page), [], `nothing sticks out at 360 px on ${path}`);
    await shot(page, name);
  }
  await page.context().close();
});

test('e. an office officer cannot open the department dashboard', async () => {
  const deptUrl = officer.url().replace(/\/map.*$/, '/targets');
  const page = await newPage();
  await login(page, account('office_officer'));
  const res = await page.goto(deptUrl);
  assert.equal(res.status(), 404);
  await page.goto('/targets');
  assert.match(await page.locator('h1').innerText(), /^Chỉ tiêu kế hoạch: UBND/);
  await page.context().close();
});
