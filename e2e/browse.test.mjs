// Browser tests of the truongso pages in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core). The server must already be running at TRUONGSO_URL.
//
//   TRUONGSO_URL=http://127.0.0.1:18080 node --test --test-reporter=spec browse.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = (process.env.TRUONGSO_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 360, height: 780 };
// The demo accounts, as written by `truongso seed --accounts-json`.
const ACCOUNTS_FILE = process.env.TRUONGSO_ACCOUNTS;
const AXE = join(dirname(fileURLToPath(import.meta.url)), 'node_modules', 'axe-core', 'axe.min.js');

// Vietnamese letters that only exist with a diacritic (lowercase; the page text is lowercased first).
const VI_DIACRITIC = /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/u;
// UTF-8 read as Latin-1/Windows-1252 ("Ã©", "áº¡", "Ä‘", "Æ°"), or bytes that were not UTF-8 at all.
const MOJIBAKE = ['\uFFFD', 'Ã', 'áº', 'á»', 'Ä‘', 'Æ°', 'Æ¡'];

/** "Nguyễn Thị Đào" → "nguyen thi dao": what a user types without a Vietnamese keyboard. */
export function fold(s) {
  return s.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase();
}

let browser;
/** Demo accounts by role: [{ username, password, role, scope_org_id, scope }]. */
let accounts = [];
/** TOTP secrets of accounts enrolled during this run (the second sign-in asks for a code). */
const totpSecrets = new Map();
/** What the walk down the hierarchy found: ids and the learner's name, shared by tests a–c. */
let found;
/** Why the walk failed, if it did; tests a–c report it instead of a confusing follow-on error. */
let walkError;
/** The desktop page left on the learner found by the walk (test a continues from there). */
let walkPage;

async function newPage(viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, locale: 'vi-VN', baseURL: BASE });
  return context.newPage();
}

const account = (role, n = 0) => {
  const found = accounts.filter((a) => a.role === role)[n];
  assert.ok(found, `no demo account #${n} with role ${role} in ${ACCOUNTS_FILE}`);
  return found;
};

/** RFC 4648 base32 → bytes. */
function base32(secret) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The current RFC 6238 code of a secret, as an authenticator app shows it. */
/** The last time step used per account: the server accepts each step once. */
const usedSteps = new Map();

/** A fresh code for an account, waiting for the next 30-second step if this one was used. */
async function freshCode(username, secret) {
  let step = Math.floor(Date.now() / 1000 / 30);
  if (usedSteps.has(username) && usedSteps.get(username) >= step) {
    await new Promise((r) => setTimeout(r, (usedSteps.get(username) + 1) * 30_000 - Date.now() + 200));
    step = Math.floor(Date.now() / 1000 / 30);
  }
  usedSteps.set(username, step);
  return totp(secret);
}

export function totp(secret, now = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / 30)));
  const h = createHmac('sha1', base32(secret)).update(counter).digest();
  const o = h[h.length - 1] & 0xf;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/**
 * Signs in through the login form; enrols the authenticator (reading the key off the page and
 * computing codes as an app would) when the role requires two factors, or enters a code.
 */
async function login(page, who) {
  await page.goto('/login');
  await page.fill('#username', who.username);
  await page.fill('#password', who.password);
  await Promise.all([page.waitForLoadState('load'), page.waitForURL((u) => u.pathname !== '/login'), page.locator('main form button[type="submit"]').click()]);
  if (new URL(page.url()).pathname === '/account/totp') {
    const secret = (await page.locator('code.secret').innerText()).trim();
    totpSecrets.set(who.username, secret);
    await page.fill('#code', await freshCode(who.username, secret));
    await Promise.all([page.waitForURL((u) => u.pathname === '/account'), page.locator('main form button[type="submit"]').click()]);
  } else if (new URL(page.url()).pathname === '/login/totp') {
    const secret = totpSecrets.get(who.username);
    assert.ok(secret, `${who.username} asks for a code but was not enrolled in this run`);
    await page.fill('#code', await freshCode(who.username, secret));
    await Promise.all([page.waitForURL((u) => u.pathname !== '/login/totp'), page.locator('main form button[type="submit"]').click()]);
  }
  const text = await page.locator('header').innerText();
  assert.ok(text.includes('Đăng xuất'), `after signing in as ${who.username} the header has no "Đăng xuất": ${page.url()}`);
}

/** A new browser context signed in as `who`. */
async function pageAs(who, viewport = DESKTOP) {
  const page = await newPage(viewport);
  await login(page, who);
  return page;
}

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const url = (path) => new URL(path, BASE + '/').href;
const idFrom = (href, prefix) => {
  const m = new RegExp(`^${prefix}(\\d+)$`).exec(new URL(href, BASE + '/').pathname);
  assert.ok(m, `expected a link to ${prefix}{id}, got ${href}`);
  return Number(m[1]);
};

/** Clicks a link and waits until the browser shows the page it points to. */
async function follow(page, link, what) {
  await link.waitFor({ state: 'visible', timeout: 10_000 }).catch(() => {
    throw new Error(`${what}: no such link on ${page.url()}`);
  });
  const href = await link.getAttribute('href');
  const target = new URL(href, page.url());
  await link.click();
  await page.waitForURL((u) => u.pathname === target.pathname && u.search === target.search);
  await page.waitForLoadState('domcontentloaded');
  return href;
}

/** The visible text of the page. */
const bodyText = (page) => page.locator('body').innerText();

function assertCleanVietnamese(text, where) {
  assert.match(text.toLowerCase(), VI_DIACRITIC, `no Vietnamese letter with a diacritic on ${where}`);
  for (const bad of MOJIBAKE) {
    const at = text.indexOf(bad);
    assert.equal(at, -1, `mojibake ${JSON.stringify(bad)} on ${where}: …${text.slice(Math.max(0, at - 30), at + 30)}…`);
  }
}

/**
 * Home → root unit → provincial department → first commune office ("UBND …") → first school
 * ("Trường …") → first class → first learner, by clicking, as a user would.
 */
async function walkToLearner(page) {
  const res = await page.goto('/');
  assert.equal(new URL(page.url()).pathname, '/', `GET / went to ${page.url()}`);
  assert.equal(res.status(), 200, `GET ${url('/')}`);
  assert.equal((await page.locator('h1').innerText()).trim(), 'Trường số', 'home page heading');

  await follow(page, page.locator('main a[href^="/orgs/"]').filter({ hasText: /^\s*Bộ Giáo dục và Đào tạo\s*$/ }).first(), 'root unit');
  const dept = page.locator('main table a[href^="/orgs/"]').filter({ hasText: 'Sở Giáo dục và Đào tạo Quảng Ngãi' }).first();
  await follow(page, dept, 'provincial department');

  // The department's units (commune offices and upper-secondary schools) may span several pages:
  // read them all, then go back to the page with the first office.
  const departmentUrl = page.url();
  const unitLinks = 'main table a[href^="/orgs/"]';
  await page.locator(unitLinks).first().waitFor({ timeout: 10_000 }).catch(() => {
    throw new Error(`the department page ${departmentUrl} lists no units`);
  });
  const listing = []; // [{ url, names }]
  for (let i = 0; i < 30; i++) {
    listing.push({ url: page.url(), names: (await page.locator(unitLinks).allInnerTexts()).map((n) => n.trim()) });
    const next = page.locator('nav.pager a[rel="next"]');
    if ((await next.count()) === 0) break;
    await follow(page, next, 'next page of units');
  }
  const all = listing.flatMap((p) => p.names);
  assert.ok(all.some((n) => n.startsWith('Trường THPT ')), `no "Trường THPT …" school among the units of ${departmentUrl}: ${all.slice(0, 10).join('; ')}`);
  const withOffice = listing.find((p) => p.names.some((n) => n.startsWith('UBND ')));
  assert.ok(withOffice, `no "UBND …" commune office among the units of ${departmentUrl}: ${all.slice(0, 10).join('; ')}`);
  if (page.url() !== withOffice.url) await page.goto(withOffice.url);
  const office = page.locator(unitLinks).filter({ hasText: /^\s*UBND / }).first();
  await follow(page, office, 'first commune office');

  const school = page.locator('main table a[href^="/orgs/"]').filter({ hasText: /^\s*Trường / }).first();
  const schoolHref = await follow(page, school, 'first school of the office');
  const schoolId = idFrom(schoolHref, '/orgs/');

  const classLink = page.locator('main table a[href^="/classes/"]').first();
  const classHref = await follow(page, classLink, `first class of school ${url(schoolHref)}`);
  const classId = idFrom(classHref, '/classes/');

  const learnerLink = page.locator('main table a[href^="/learners/"]').first();
  const learnerHref = await follow(page, learnerLink, `first learner of class ${url(classHref)}`);
  const learnerId = idFrom(learnerHref, '/learners/');

  const learnerName = (await page.locator('h1').innerText()).trim();
  return { schoolId, classId, learnerId, learnerName, learnerUrl: url(learnerHref) };
}

before(async () => {
  await mkdir(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  accounts = JSON.parse(await readFile(ACCOUNTS_FILE, 'utf8'));
  walkPage = await newPage(DESKTOP);
  try {
    // The ministry account needs two factors: enrolled here, as a new officer would.
    await login(walkPage, account('ministry_officer'));
    found = await walkToLearner(walkPage);
  } catch (e) {
    walkError = e;
  }
});

after(async () => {
  await browser?.close();
});

function needWalk() {
  if (walkError) throw new Error(`walking down the hierarchy failed: ${walkError.message}`, { cause: walkError });
  assert.ok(found, 'the hierarchy walk found nothing');
  return found;
}

test('a. desktop: home → ministry → department → office → school → class → learner, then phone layout', async () => {
  const f = needWalk();
  const page = walkPage;
  assert.equal(page.url(), f.learnerUrl);

  const name = f.learnerName;
  const words = name.split(/\s+/);
  assert.ok(words.length >= 2 && words.length <= 6, `learner heading is not a full name: ${JSON.stringify(name)}`);
  for (const w of words) {
    assert.match(w, /^\p{Lu}[\p{L}'’-]*$/u, `learner heading ${JSON.stringify(name)}: word ${JSON.stringify(w)} is not a capitalised name`);
  }

  const text = await bodyText(page);
  for (const label of ['Mã định danh cá nhân', 'Ngày sinh', 'Cha mẹ / người giám hộ']) {
    assert.ok(text.includes(label), `learner page ${f.learnerUrl} lacks ${JSON.stringify(label)}`);
  }
  assertCleanVietnamese(text, f.learnerUrl);
  await page.screenshot({ path: join(SHOTS, 'learner-desktop.png'), fullPage: true });

  await page.setViewportSize(PHONE);
  await page.reload({ waitUntil: 'load' });
  assertCleanVietnamese(await bodyText(page), `${f.learnerUrl} (phone)`);
  await page.screenshot({ path: join(SHOTS, 'learner-phone.png'), fullPage: true });
  const overflow = await page.evaluate(() => {
    const width = document.documentElement.scrollWidth;
    // The widest elements sticking out to the right, to say which one overflows.
    const culprits = [...document.querySelectorAll('body *')]
      .map((el) => ({ el, right: el.getBoundingClientRect().right }))
      .filter((x) => x.right > window.innerWidth + 1)
      .sort((a, b) => b.right - a.right)
      .slice(0, 3)
      .map((x) => `${x.el.tagName.toLowerCase()}${x.el.id ? '#' + x.el.id : ''}${x.el.className ? '.' + String(x.el.className).trim().replace(/\s+/g, '.') : ''} (right edge ${Math.round(x.right)}px)`);
    return { width, culprits };
  });
  assert.ok(overflow.width <= PHONE.width + 1,
    `horizontal overflow at ${PHONE.width}px on ${f.learnerUrl}: scrollWidth ${overflow.width}; ${overflow.culprits.join(', ')}`);
});

test('b. search without diacritics finds the learner', async () => {
  const f = needWalk();
  const page = await pageAs(account('ministry_officer'));
  try {
    const q = fold(f.learnerName);
    const res = await page.goto(`/learners?q=${encodeURIComponent(q)}`);
    assert.equal(res.status(), 200, `GET ${page.url()}`);
    const hit = page.locator('main table a[href^="/learners/"]').filter({ hasText: new RegExp(`^\\s*${escapeRegExp(f.learnerName)}\\s*$`) });
    const count = await hit.count();
    assert.ok(count > 0, `searching ${JSON.stringify(q)} at ${page.url()} lists no learner named ${JSON.stringify(f.learnerName)}`);
    assertCleanVietnamese(await bodyText(page), page.url());
  } finally {
    await page.context().close();
  }
});

test('c. learner form: error next to the field, then a valid learner is created', async () => {
  const admin = account('school_admin');
  const page = await pageAs(admin);
  try {
    const formUrl = `/learners/new?school_id=${admin.scope_org_id}`;
    const res = await page.goto(formUrl);
    assert.equal(res.status(), 200, `GET ${url(formUrl)}`);

    await page.fill('#full_name', 'Nguyễn Văn Thử');
    await page.fill('#birth_date', '31/02/2015');
    const isPost = (r) => r.request().isNavigationRequest() && r.request().method() === 'POST';
    const submit = page.locator('main form button[type="submit"]');
    const [bad] = await Promise.all([page.waitForResponse(isPost), submit.click()]);
    assert.equal(bad.status(), 422, `POST ${bad.url()} with birth date 31/02/2015`);
    await page.locator('.error-summary').waitFor({ timeout: 10_000 });
    const fieldError = page.locator('.field-error#birth_date-error');
    assert.equal(await fieldError.count(), 1, 'no #birth_date-error next to the birth date field');
    assert.ok((await fieldError.innerText()).trim().length > 0, '#birth_date-error is empty');
    // The message sits in the same field block as the input, and the input points at it.
    const sameField = await page.evaluate(() => {
      const err = document.getElementById('birth_date-error');
      const input = document.getElementById('birth_date');
      return Boolean(err && input && err.closest('.field') === input.closest('.field'));
    });
    assert.ok(sameField, '#birth_date-error is not in the same .field as #birth_date');
    assert.equal(await page.getAttribute('#birth_date', 'aria-describedby'), 'birth_date-error');
    assert.equal(await page.inputValue('#full_name'), 'Nguyễn Văn Thử', 'full name not kept after the error');
    assert.equal(await page.inputValue('#birth_date'), '31/02/2015', 'bad birth date not shown back');
    assertCleanVietnamese(await bodyText(page), `${bad.url()} (422)`);

    await page.fill('#birth_date', '05/09/2015');
    await page.selectOption('#gender', 'M');
    await page.fill('#national_id', '051215000123');
    await Promise.all([page.waitForURL(/\/learners\/\d+$/), page.locator('main form button[type="submit"]').click()]);
    const h1 = (await page.locator('h1').innerText()).trim();
    assert.equal(h1, 'Nguyễn Văn Thử', `after creating, ${page.url()} shows ${JSON.stringify(h1)}`);
  } finally {
    await page.context().close();
  }
});

test('d. unknown learner: 404 with a Vietnamese message', async () => {
  const page = await pageAs(account('office_officer'));
  try {
    const res = await page.goto('/learners/999999999');
    assert.equal(res.status(), 404, `GET ${page.url()}`);
    assert.match(res.headers()['content-type'] || '', /^text\/html/, 'the 404 is not an HTML page');
    assert.equal(await page.getAttribute('html', 'lang'), 'vi');
    const text = await bodyText(page);
    assert.ok(text.includes('Không tìm thấy'), `404 page at ${page.url()} has no Vietnamese message: ${text.slice(0, 300)}`);
    assertCleanVietnamese(text, `${page.url()} (404)`);
  } finally {
    await page.context().close();
  }
});

test('e. teacher: sees their own class, cannot open another school\'s learner', async () => {
  const f = needWalk();
  const teacher = accounts.find((a) => a.role === 'teacher' && a.scope_org_id !== f.schoolId);
  assert.ok(teacher, 'no demo teacher outside the walked school');
  const page = await pageAs(teacher);
  try {
    const text = await bodyText(page);
    assert.ok(text.includes('Lớp của tôi'), `the teacher's home page ${page.url()} has no "Lớp của tôi"`);
    await page.screenshot({ path: join(SHOTS, 'teacher-home.png'), fullPage: true });
    const classLink = page.locator('main a[href^="/classes/"]').first();
    const classHref = await follow(page, classLink, "the teacher's first class");
    const learners = page.locator('main table a[href^="/learners/"]');
    assert.ok((await learners.count()) > 0, `the teacher's class ${url(classHref)} lists no learner`);
    assertCleanVietnamese(await bodyText(page), url(classHref));

    const res = await page.goto(`/learners/${f.learnerId}`);
    assert.equal(res.status(), 404, `a teacher of ${teacher.scope} opened ${page.url()} (a learner of another school)`);
    const body = await bodyText(page);
    assert.ok(!body.includes(f.learnerName), `the refusal page shows the learner's name ${f.learnerName}`);
    assertCleanVietnamese(body, `${page.url()} (404)`);

    // Signed out, pages send the browser back to the login form.
    await Promise.all([page.waitForURL(/\/login$/), page.locator('form.logout button').click()]);
    const again = await page.goto('/');
    assert.match(new URL(page.url()).pathname, /^\/login/, `after signing out, / went to ${page.url()} (${again.status()})`);
  } finally {
    await page.context().close();
  }
});

test('f. guardian on a phone: their child, who opened the record, consents', async () => {
  const guardian = account('guardian');
  const page = await pageAs(guardian, PHONE);
  try {
    const text = await bodyText(page);
    assert.ok(text.includes('Con của tôi'), `the guardian's home page ${page.url()} has no "Con của tôi"`);
    const child = page.locator('main a[href^="/learners/"]').first();
    const childHref = await follow(page, child, "the guardian's child");
    await follow(page, page.locator('main a[href$="/access-log"]'), 'the access log link');
    const log = await bodyText(page);
    assert.ok(log.includes('Ai đã xem hồ sơ'), `no access log heading on ${page.url()}`);
    assertCleanVietnamese(log, page.url());
    await page.screenshot({ path: join(SHOTS, 'guardian-access-log-phone.png'), fullPage: true });
    await page.goto(`${childHref}/consents`);
    await page.selectOption('#purpose', 'photo_publication');
    await page.fill('#given_by', 'Nguyễn Thị Mẹ');
    await Promise.all([page.waitForURL((u) => u.pathname.endsWith('/consents')), page.locator('main form button[type="submit"]').last().click()]);
    const consents = await bodyText(page);
    assert.ok(consents.includes('Đăng ảnh, video của học sinh') && consents.includes('Đang hiệu lực'), `the consent is not listed on ${page.url()}`);
    await page.screenshot({ path: join(SHOTS, 'guardian-consents-phone.png'), fullPage: true });
  } finally {
    await page.context().close();
  }
});

test('g. school administrator: the audit trail of the school', async () => {
  const page = await pageAs(account('school_admin'));
  try {
    const res = await page.goto('/audit');
    assert.equal(res.status(), 200, `GET ${page.url()}`);
    const rows = page.locator('main table tbody tr');
    assert.ok((await rows.count()) > 0, `the audit page ${page.url()} lists nothing`);
    assertCleanVietnamese(await bodyText(page), page.url());
    await page.screenshot({ path: join(SHOTS, 'audit-desktop.png'), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a[href^="/audit/export"]').click()]);
    const path = await download.path();
    const csv = await readFile(path, 'utf8');
    assert.ok(csv.startsWith('\uFEFF') && csv.includes('Tài khoản'), 'the CSV export lacks its BOM or Vietnamese header');

    // A new teacher joins: from their staff record, create their sign-in account.
    const admin = account('school_admin');
    await page.goto(`/orgs/${admin.scope_org_id}/staff`);
    await follow(page, page.locator('main table a[href^="/staff/"]').first(), 'a staff member');
    await follow(page, page.locator('main a[href^="/users?"]'), 'the create-account link');
    assert.equal(await page.inputValue('#a-role'), 'teacher');
    assert.ok((await page.inputValue('#a-name')).length > 0, 'the name is not prefilled');
    await page.fill('#a-username', 'gv.moi.e2e');
    await Promise.all([page.waitForLoadState('load'), page.locator('details form button[type="submit"]').click()]);
    const created = await bodyText(page);
    assert.ok(created.includes('gv.moi.e2e'), `no one-time password for the new account on ${page.url()}: ${created.slice(0, 300)}`);
    await page.screenshot({ path: join(SHOTS, 'users-desktop.png'), fullPage: true });
  } finally {
    await page.context().close();
  }
});

/** Serious and critical WCAG 2.x A/AA violations found by axe-core on the current page. */
async function axeViolations(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`);
}

test('h. accessibility: no serious WCAG 2.2 A/AA violation on the main pages (axe-core)', async () => {
  const f = needWalk();
  // axe is injected as an inline script, which the pages' CSP rightly refuses: bypass it here only.
  const context = await browser.newContext({ viewport: DESKTOP, locale: 'vi-VN', baseURL: BASE, bypassCSP: true });
  const page = await context.newPage();
  const found = [];
  try {
    await page.goto('/login');
    found.push(...(await axeViolations(page)).map((v) => `/login: ${v}`));
    await login(page, account('school_admin'));
    const admin = account('school_admin');
    for (const path of ['/', `/orgs/${admin.scope_org_id}`, '/audit', '/account', `/learners/new?school_id=${admin.scope_org_id}`]) {
      await page.goto(path);
      found.push(...(await axeViolations(page)).map((v) => `${path}: ${v}`));
    }
    const learner = page.locator('main table a[href^="/learners/"]').first();
    await page.goto(`/orgs/${admin.scope_org_id}`);
    const classLink = page.locator('main table a[href^="/classes/"]').first();
    await follow(page, classLink, 'a class');
    found.push(...(await axeViolations(page)).map((v) => `${page.url()}: ${v}`));
    await follow(page, learner, 'a learner');
    found.push(...(await axeViolations(page)).map((v) => `${page.url()}: ${v}`));
    assert.ok(f.learnerId > 0);
  } finally {
    await context.close();
  }
  assert.deepEqual(found, [], `accessibility violations:\n${found.join('\n')}`);
});
