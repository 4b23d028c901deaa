// Browser test of the data-quality pages in headless Chromium (Debian's /usr/bin/chromium, driven
// by playwright-core): a principal opens the dashboard from the header, drills down to a learner
// flagged with a missing guardian phone (or a wrong personal ID), fixes the record through the
// linked form and sees the issue gone. The server must already be running at TRUONGSO_URL.
//
//   TRUONGSO_URL=http://127.0.0.1:18082 TRUONGSO_ACCOUNTS=accounts.json node --test quality.test.mjs

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
const ACCOUNTS_FILE = process.env.TRUONGSO_ACCOUNTS;
const VI_DIACRITIC = /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/u;
const MOJIBAKE = ['\uFFFD', 'Ã', 'áº', 'á»', 'Ä‘', 'Æ°', 'Æ¡'];

const RULES = {
  guardian_phone_missing: 'Không có số điện thoại cha mẹ/người giám hộ',
  id_mismatch: 'Mã định danh không khớp ngày sinh/giới tính',
};

let browser;
let accounts = [];

before(async () => {
  await mkdir(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  accounts = JSON.parse(await readFile(ACCOUNTS_FILE, 'utf8'));
});

after(async () => {
  await browser?.close();
});

async function newPage(viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, locale: 'vi-VN', baseURL: BASE });
  return context.newPage();
}

async function login(page, who) {
  await page.goto('/login');
  await page.fill('#username', who.username);
  await page.fill('#password', who.password);
  await Promise.all([page.waitForURL((u) => u.pathname !== '/login'), page.locator('main form button[type="submit"]').click()]);
  assert.ok((await page.locator('header').innerText()).includes('Đăng xuất'), `signed in as ${who.username}`);
}

const bodyText = (page) => page.locator('body').innerText();

function assertCleanVietnamese(text, where) {
  assert.match(text.toLowerCase(), VI_DIACRITIC, `no Vietnamese letter with a diacritic on ${where}`);
  for (const bad of MOJIBAKE) {
    assert.equal(text.indexOf(bad), -1, `mojibake ${JSON.stringify(bad)} on ${where}`);
  }
}

/** Elements sticking out to the right of the viewport (tables scroll inside their wrapper). */
async function overflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.scrollWidth;
    const culprits = [...document.querySelectorAll('body *')]
      .filter((el) => !el.closest('.table-scroll, .table-wrap'))
      .map((el) => ({ tag: el.tagName, cls: el.className, right: el.getBoundingClientRect().right }))
      .filter((x) => x.right > window.innerWidth + 1)
      .slice(0, 5);
    return { width, inner: window.innerWidth, culprits };
  });
}

/** Clicks a link and waits until the browser shows the page it points to. */
async function follow(page, link, what) {
  await link.waitFor({ state: 'visible', timeout: 10_000 }).catch(() => {
    throw new Error(`${what}: no such link on ${page.url()}`);
  });
  const target = new URL(await link.getAttribute('href'), page.url());
  await link.click();
  await page.waitForURL((u) => u.pathname === target.pathname && u.search === target.search);
  await page.waitForLoadState('domcontentloaded');
}

/** A personal ID agreeing with the birth date (dd/mm/yyyy) and gender ("M"/"F"). */
function validId(birth, gender) {
  const year = Number(birth.split('/')[2]);
  const century = Math.floor((year - 1900) / 100);
  const digit = century * 2 + (gender === 'F' ? 1 : 0);
  const serial = String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0');
  return `051${digit}${String(year % 100).padStart(2, '0')}${serial}`;
}

test('a principal drills down from the dashboard to a faulty record, fixes it and sees the issue gone', async () => {
  const principal = accounts.find((a) => a.role === 'principal');
  assert.ok(principal, `no principal in ${ACCOUNTS_FILE}`);
  const page = await newPage(DESKTOP);
  await login(page, principal);

  // The header links the dashboard of the account's unit.
  // (/quality redirects to the dashboard of the account's unit.)
  await Promise.all([
    page.waitForURL((u) => /^\/quality\/units\/\d+$/.test(u.pathname)),
    page.locator('header a[href="/quality"]').click(),
  ]);
  assert.match(new URL(page.url()).pathname, /^\/quality\/units\/\d+$/);
  const dashboard = page.url();
  const h1 = (await page.locator('h1').innerText()).trim();
  assert.ok(h1.startsWith('Chất lượng dữ liệu'), `dashboard heading: ${h1}`);
  const text = await bodyText(page);
  for (const label of ['Điểm chất lượng', 'Mức đầy đủ', 'Chỉ tiêu mã định danh khối 9–12', 'Vấn đề theo quy tắc']) {
    assert.ok(text.includes(label), `dashboard lacks ${JSON.stringify(label)}`);
  }
  assertCleanVietnamese(text, dashboard);
  await page.screenshot({ path: join(SHOTS, 'quality-desktop.png'), fullPage: true });

  // Which planted fault this school has: a missing guardian phone, else a wrong ID.
  let rule;
  for (const code of Object.keys(RULES)) {
    if ((await page.locator(`main a[href$="rule=${code}"]`).count()) > 0) {
      rule = code;
      break;
    }
  }
  assert.ok(rule, `the dashboard ${dashboard} lists neither ${Object.keys(RULES).join(' nor ')}`);
  await follow(page, page.locator(`main a[href$="rule=${rule}"]`).first(), `issues of ${rule}`);
  const drill = page.url();
  const first = page.locator('li.issue').first();
  assert.ok((await first.innerText()).includes(RULES[rule]), `the drill-down ${drill} shows ${RULES[rule]}`);
  const total = Number((await page.locator('main > p').filter({ hasText: /^\d+ / }).first().innerText()).split(' ')[0]);

  // The problem links to the form that fixes it.
  const fix = first.locator('a.fix');
  assert.match(await fix.getAttribute('href'), /^\/learners\/\d+\/edit$/);
  await follow(page, fix, 'fix link');
  if (rule === 'guardian_phone_missing') {
    await page.fill('#g0_phone', '0912 345 678');
  } else {
    const birth = await page.inputValue('#birth_date');
    const gender = await page.inputValue('#gender');
    await page.fill('#national_id', validId(birth, gender));
  }
  await Promise.all([page.waitForURL((u) => /^\/learners\/\d+$/.test(u.pathname)), page.locator('main form button[type="submit"]').first().click()]);
  const learnerText = await bodyText(page);
  assert.ok(learnerText.includes('Chất lượng hồ sơ'), 'the learner page shows its record quality');
  assert.ok(!learnerText.includes(RULES[rule]), `the learner page still shows ${RULES[rule]}`);

  // Back on the drill-down, the learner is gone and the count is one less.
  await page.goto(drill);
  const after = Number((await page.locator('main > p').filter({ hasText: /^\d+ / }).first().innerText()).split(' ')[0]);
  assert.equal(after, total - 1, `${drill}: ${total} issues before the fix, ${after} after`);
});

test('the dashboard fits a 360 px phone', async () => {
  const principal = accounts.find((a) => a.role === 'principal');
  const page = await newPage(PHONE);
  await login(page, principal);
  await page.goto('/quality');
  await page.waitForURL((u) => /^\/quality\/units\/\d+$/.test(u.pathname));
  assertCleanVietnamese(await bodyText(page), `${page.url()} (phone)`);
  await page.screenshot({ path: join(SHOTS, 'quality-phone.png'), fullPage: true });
  const o = await overflow(page);
  assert.ok(o.width <= o.inner, `the page is ${o.width}px wide on a ${o.inner}px screen: ${JSON.stringify(o.culprits)}`);
  await page.goto('/quality/issues');
  const o2 = await overflow(page);
  assert.ok(o2.width <= o2.inner, `the drill-down is ${o2.width}px wide: ${JSON.stringify(o2.culprits)}`);
  await page.screenshot({ path: join(SHOTS, 'quality-issues-phone.png'), fullPage: true });
});

const AXE = join(dirname(fileURLToPath(import.meta.url)), 'node_modules', 'axe-core', 'axe.min.js');

async function axeViolations(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`);
}

test('the quality pages have no serious WCAG 2.2 A/AA violation (axe-core)', async () => {
  // axe is injected as an inline script, which the pages' CSP rightly refuses: bypass it here only.
  const context = await browser.newContext({ viewport: DESKTOP, locale: 'vi-VN', baseURL: BASE, bypassCSP: true });
  const page = await context.newPage();
  const found = [];
  try {
    const admin = accounts.find((a) => a.role === 'school_admin');
    await login(page, admin);
    await page.goto('/quality');
    await page.waitForURL((u) => /^\/quality\/units\/\d+$/.test(u.pathname));
    for (const path of [new URL(page.url()).pathname, '/quality/issues', '/quality/duplicates']) {
      await page.goto(path);
      found.push(...(await axeViolations(page)).map((v) => `${path}: ${v}`));
    }
    const kase = page.locator('main table a[href^="/quality/duplicates/"]').first();
    if ((await kase.count()) > 0) {
      await follow(page, kase, 'a duplicate case');
      found.push(...(await axeViolations(page)).map((v) => `${page.url()}: ${v}`));
    }
  } finally {
    await context.close();
  }
  assert.deepEqual(found, [], `accessibility violations:\n${found.join('\n')}`);
});
