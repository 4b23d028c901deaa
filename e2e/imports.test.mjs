// Browser test of the import pages and the export links, in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core). The server must already be running at
// TRUONGSO_URL, seeded with `truongso seed --accounts-json` (TRUONGSO_ACCOUNTS names the file).
//
//   TRUONGSO_URL=http://127.0.0.1:18080 TRUONGSO_ACCOUNTS=/tmp/accounts.json \
//     node --test --test-reporter=spec imports.test.mjs
//
// A principal downloads the template, uploads a CSV of six new learners (two of them faulty),
// checks the preview and the error report, imports the valid rows, finds one of them by a search
// without diacritics, uploads the same file again (nothing new), and exports the search result.
// Each run uses names of its own, so the test passes again and again against the same database.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const BASE = (process.env.TRUONGSO_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = process.env.TRUONGSO_SHOTS || join(HERE, 'screenshots');
const ACCOUNTS_FILE = process.env.TRUONGSO_ACCOUNTS;
const AXE = join(HERE, 'node_modules', 'axe-core', 'axe.min.js');
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 360, height: 780 };
/** How long checking or writing a few rows may take on a slow CI machine. */
const JOB_TIMEOUT = 60_000;

const VI_DIACRITIC = /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/u;
const MOJIBAKE = ['\uFFFD', 'Ã', 'áº', 'á»', 'Ä‘', 'Æ°', 'Æ¡'];
const HEADERS = ['Họ và tên', 'Ngày sinh', 'Giới tính', 'Dân tộc', 'Họ tên mẹ', 'Điện thoại mẹ'];

/** "Nguyễn Thị Đào" → "nguyen thi dao": what a user types without a Vietnamese keyboard. */
const fold = (s) => s.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase();
const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Six learners new to the database: a run token of two given-name syllables (with diacritics)
 * and a random birth year/day make the names and the (name, birth date) pairs unique per run.
 * Rows 3 and 6 of the file (data rows 2 and 5) are faulty.
 */
function makeLearners() {
  const syllables = ['Ánh', 'Bảo', 'Cường', 'Dũng', 'Đạt', 'Giang', 'Hải', 'Hằng', 'Khánh', 'Lộc', 'Mỹ', 'Ngọc',
    'Phúc', 'Quỳnh', 'Sơn', 'Thảo', 'Trí', 'Uyên', 'Vĩnh', 'Yến', 'Hưng', 'Tường', 'Nhật', 'Việt'];
  const pick = () => syllables[randomInt(syllables.length)];
  const token = `${pick()} ${pick()}`;
  const year = 2016 + randomInt(3); // a primary-school pupil
  const day = () => String(1 + randomInt(28)).padStart(2, '0');
  const month = () => String(1 + randomInt(12)).padStart(2, '0');
  const phone = () => `09${String(randomInt(100_000_000)).padStart(8, '0')}`;
  const rows = [
    { name: `Nguyễn Thị ${token} Hoà`, date: `${day()}/${month()}/${year}`, gender: 'Nữ', ethnicity: 'Kinh', mother: 'Trần Thị Lụa' },
    { name: `Trần Văn ${token} Đức`, date: `31/02/${year}`, gender: 'Nam', ethnicity: 'Kinh', mother: 'Lê Thị Thuỷ', faulty: 'date' },
    { name: `Lê Hoàng ${token} Phước`, date: `${day()}/${month()}/${year}`, gender: 'Nam', ethnicity: 'Mường', mother: 'Phạm Thị Nguyệt' },
    { name: `Phạm Thuỳ ${token} Dương`, date: `${day()}/${month()}/${year}`, gender: 'Nữ', ethnicity: 'Tày', mother: 'Võ Thị Hường' },
    { name: `Võ Minh ${token} Khôi`, date: `${day()}/${month()}/${year}`, gender: 'Khác', ethnicity: 'Người Sao Hoả', mother: 'Đặng Thị Ngà', faulty: 'gender+ethnicity' },
    { name: `Đỗ Ngọc ${token} Ánh`, date: `${day()}/${month()}/${year}`, gender: 'nữ', ethnicity: 'Hoa', mother: 'Bùi Thị Xuân' },
  ].map((r, i) => ({ ...r, phone: phone(), fileRow: i + 2 }));
  return { token, rows };
}

/** A CSV field, quoted when needed. */
const csvField = (v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** The upload as Excel saves "CSV UTF-8": BOM, CRLF line ends. */
function makeCsv(rows) {
  const lines = [HEADERS, ...rows.map((r) => [r.name, r.date, r.gender, r.ethnicity, r.mother, r.phone])];
  return Buffer.from('\uFEFF' + lines.map((l) => l.map(csvField).join(',')).join('\r\n') + '\r\n', 'utf8');
}

/** RFC 4180 CSV → rows of strings (quoted fields, doubled quotes, CRLF or LF). */
export function parseCsv(text, sep = ',') {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

let browser;
let accounts = [];
/** Shared by the principal's tests, in order: the learners of this run and the preview's job. */
const run = { ...makeLearners(), jobUrl: null, page: null, failed: null };

const account = (role, pred = () => true) => {
  const found = accounts.find((a) => a.role === role && pred(a));
  assert.ok(found, `no demo account with role ${role} in ${ACCOUNTS_FILE}`);
  return found;
};

async function newContext(viewport = DESKTOP, extra = {}) {
  return browser.newContext({ viewport, locale: 'vi-VN', baseURL: BASE, acceptDownloads: true, ...extra });
}

/** Signs in through the login form (the school roles need no second factor in the demo data). */
async function login(page, who) {
  await page.goto('/login');
  await page.fill('#username', who.username);
  await page.fill('#password', who.password);
  await Promise.all([page.waitForURL((u) => u.pathname !== '/login'), page.locator('main form button[type="submit"]').click()]);
  assert.ok(!new URL(page.url()).pathname.startsWith('/login/totp') && new URL(page.url()).pathname !== '/account/totp',
    `${who.username} (${who.role}) is asked for a second factor; this test expects a school role without one`);
  const text = await page.locator('header').innerText();
  assert.ok(text.includes('Đăng xuất'), `after signing in as ${who.username} the header has no "Đăng xuất": ${page.url()}`);
}

const bodyText = (page) => page.locator('body').innerText();

function assertCleanVietnamese(text, where) {
  assert.match(text.toLowerCase(), VI_DIACRITIC, `no Vietnamese letter with a diacritic on ${where}`);
  for (const bad of MOJIBAKE) {
    const at = text.indexOf(bad);
    assert.equal(at, -1, `mojibake ${JSON.stringify(bad)} on ${where}: …${text.slice(Math.max(0, at - 30), at + 30)}…`);
  }
}

/** The page must not scroll sideways at phone width; wide tables scroll inside their wrapper. */
async function assertNoHorizontalOverflow(page, where) {
  const overflow = await page.evaluate(() => {
    const width = document.documentElement.scrollWidth;
    const inScroller = (el) => {
      for (let p = el.parentElement; p; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
      }
      return false;
    };
    const culprits = [...document.querySelectorAll('body *')]
      .filter((el) => !inScroller(el))
      .map((el) => ({ el, right: el.getBoundingClientRect().right }))
      .filter((x) => x.right > window.innerWidth + 1)
      .sort((a, b) => b.right - a.right)
      .slice(0, 3)
      .map((x) => `${x.el.tagName.toLowerCase()}${x.el.id ? '#' + x.el.id : ''}${x.el.className ? '.' + String(x.el.className).trim().replace(/\s+/g, '.') : ''} (right edge ${Math.round(x.right)}px)`);
    return { width, culprits };
  });
  assert.ok(overflow.width <= PHONE.width + 1,
    `horizontal overflow at ${PHONE.width}px on ${where}: scrollWidth ${overflow.width}; ${overflow.culprits.join(', ')}`);
}

/** A button must be at least 24×24 CSS px (WCAG 2.2 target size) and fully inside the viewport. */
async function assertUsableButton(locator, where) {
  await locator.scrollIntoViewIfNeeded();
  const box = await locator.boundingBox();
  assert.ok(box, `${where}: the button is not rendered`);
  const vw = locator.page().viewportSize().width;
  assert.ok(box.width >= 24 && box.height >= 24, `${where}: the button is only ${box.width}×${box.height}px`);
  assert.ok(box.x >= 0 && box.x + box.width <= vw + 1, `${where}: the button sticks out of the ${vw}px viewport (x ${box.x}, width ${box.width})`);
}

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

/** The counts of the summary: { 'Thêm mới': 4, 'Cập nhật': 0, 'Không đổi': 0, 'Bị từ chối': 2 }. */
async function counts(page) {
  const items = await page.locator('main .summary ul.counts li').allInnerTexts();
  const out = {};
  for (const t of items) {
    const m = /^\s*(.+?)\s*:\s*(\d+)\s*$/.exec(t);
    assert.ok(m, `a count on ${page.url()} reads ${JSON.stringify(t)}`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

/**
 * Waits until the job page (which reloads itself every second while checking or writing) shows
 * the summary with `heading`, or fails with what the page shows instead.
 */
async function waitForSummary(page, heading) {
  const target = page.locator('main .summary strong').filter({ hasText: heading });
  try {
    await target.first().waitFor({ state: 'visible', timeout: JOB_TIMEOUT });
  } catch (e) {
    const text = await bodyText(page).catch(() => '(unreadable)');
    throw new Error(`${page.url()} never showed ${JSON.stringify(heading)}; it shows: ${text.slice(0, 800)}`, { cause: e });
  }
}

/** Chooses the learners kind and a file, submits, and waits for the preview of the new job. */
async function uploadAndPreview(page, fileName, buffer) {
  await page.goto('/imports');
  await page.selectOption('#kind', 'learners');
  await page.setInputFiles('#file', { name: fileName, mimeType: 'text/csv', buffer });
  await Promise.all([
    page.waitForURL((u) => /^\/imports\/[^/]+$/.test(u.pathname) && !u.pathname.startsWith('/imports/templates')),
    page.locator('main form[enctype="multipart/form-data"] button[type="submit"]').click(),
  ]);
  await waitForSummary(page, 'Xem trước — chưa có gì được ghi.');
  return page.url();
}

/** Reads a download to a Buffer, checking it finished. */
async function downloaded(download) {
  const failure = await download.failure();
  assert.equal(failure, null, `the download of ${download.url()} failed: ${failure}`);
  return readFile(await download.path());
}

function needPreview() {
  if (run.failed) throw new Error(`an earlier step failed: ${run.failed.message}`, { cause: run.failed });
  assert.ok(run.jobUrl && run.page, 'the upload step did not run');
  return run.page;
}

/** Runs a step of the principal's story; a failure makes the later steps report it. */
async function step(fn) {
  try {
    await fn();
  } catch (e) {
    run.failed ??= e;
    throw e;
  }
}

before(async () => {
  assert.ok(ACCOUNTS_FILE, 'TRUONGSO_ACCOUNTS must name the accounts file written by `truongso seed --accounts-json`');
  await mkdir(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  accounts = JSON.parse(await readFile(ACCOUNTS_FILE, 'utf8'));
});

after(async () => {
  await run.page?.context().close().catch(() => {});
  await browser?.close();
});

test('imports a. teacher: no "Nhập dữ liệu" link, 403 at /imports', async () => {
  const teacher = account('teacher', (a) => !a.two_factor_required);
  const context = await newContext();
  const page = await context.newPage();
  try {
    await login(page, teacher);
    const header = page.locator('header');
    assert.equal(await header.locator('a[href="/imports"]').count(), 0, `a teacher's header links to /imports on ${page.url()}`);
    assert.ok(!(await header.innerText()).includes('Nhập dữ liệu'), `a teacher's header shows "Nhập dữ liệu" on ${page.url()}`);
    for (const path of ['/imports', '/imports/templates/learners']) {
      const res = await page.goto(path);
      assert.equal(res.status(), 403, `a teacher opened ${path}`);
    }
    const res = await page.goto('/imports');
    assert.match(res.headers()['content-type'] || '', /^text\/html/, 'the 403 is not an HTML page');
    const text = await bodyText(page);
    assert.equal(await page.locator('input#file').count(), 0, 'the refusal page shows the upload form');
    assertCleanVietnamese(text, `${page.url()} (403)`);
  } finally {
    await context.close();
  }
});

test('imports b. principal: template, upload a CSV with two faulty rows, preview', async () => {
  await step(async () => {
    const principal = account('principal', (a) => !a.two_factor_required);
    const context = await newContext();
    const page = await context.newPage();
    run.page = page;
    run.principal = principal;
    await login(page, principal);

    // The nav link, then the start page.
    const link = page.locator('header a[href="/imports"]');
    assert.equal((await link.innerText()).trim(), 'Nhập dữ liệu', 'the principal has no "Nhập dữ liệu" link');
    await Promise.all([page.waitForURL((u) => u.pathname === '/imports'), link.click()]);
    assert.equal(await page.locator('#kind option[value="learners"]').innerText(), 'Học sinh và cha mẹ');
    assertCleanVietnamese(await bodyText(page), page.url());
    await page.screenshot({ path: join(SHOTS, 'imports-desktop.png'), fullPage: true });

    // The learners template is a workbook (a zip: "PK").
    const templateLink = page.locator('main a[href="/imports/templates/learners"]');
    const [download] = await Promise.all([page.waitForEvent('download'), templateLink.click()]);
    const template = await downloaded(download);
    assert.equal(template.subarray(0, 2).toString('latin1'), 'PK', `the template ${download.suggestedFilename()} is not an xlsx`);
    assert.match(download.suggestedFilename(), /\.xlsx$/);

    await page.setViewportSize(PHONE);
    await page.reload();
    await page.screenshot({ path: join(SHOTS, 'imports-phone.png'), fullPage: true });
    await assertNoHorizontalOverflow(page, `${page.url()} (phone)`);
    await assertUsableButton(page.locator('main form[enctype="multipart/form-data"] button[type="submit"]'), '/imports upload button (phone)');
    await page.setViewportSize(DESKTOP);

    // Upload; the job page checks in the background, then shows the preview.
    run.fileName = `hoc-sinh-e2e-${randomInt(1e9)}.csv`;
    run.csv = makeCsv(run.rows);
    run.jobUrl = await uploadAndPreview(page, run.fileName, run.csv);
    const c = await counts(page);
    assert.deepEqual(c, { 'Thêm mới': 4, 'Cập nhật': 0, 'Không đổi': 0, 'Bị từ chối': 2 }, `counts on ${run.jobUrl}`);

    // The rejected rows, each with a message naming its column.
    const rejected = page.locator('main h2', { hasText: 'Dòng bị từ chối' }).locator('xpath=following-sibling::div[1]//tbody/tr');
    assert.equal(await rejected.count(), 2, `rejected rows listed on ${run.jobUrl}`);
    const cells = await Promise.all([0, 1].map(async (i) => rejected.nth(i).locator('td').allInnerTexts()));
    run.rejectedCells = cells;
    const [dateRow, genderRow] = run.rows.filter((r) => r.faulty);
    // Each faulty row once, told apart by its message (the row number and name are checked in b2).
    const d = cells.filter((t) => t[2].includes('Ngày sinh:'));
    assert.equal(d.length, 1, `one rejected row should name "Ngày sinh": ${JSON.stringify(cells)}`);
    assert.match(d[0][2], new RegExp(`^Ngày sinh: '${escapeRegExp(dateRow.date)}' không phải ngày hợp lệ`), `the bad date's message: ${d[0][2]}`);
    const g = cells.filter((t) => t[2].includes('Giới tính:'));
    assert.equal(g.length, 1, `one rejected row should name "Giới tính": ${JSON.stringify(cells)}`);
    assert.match(g[0][2], /Giới tính: 'Khác' không có trong danh mục/, `the bad gender's message: ${g[0][2]}`);
    assert.match(g[0][2], /Dân tộc: .*'Người Sao Hoả' không có trong danh mục/, `the bad ethnicity's message: ${g[0][2]}`);

    // The rows to be added are the four valid ones, named as in the file.
    const toWrite = await page.locator('main h2', { hasText: 'Sẽ thêm hoặc cập nhật' }).locator('xpath=following-sibling::div[1]//tbody/tr').allInnerTexts();
    assert.equal(toWrite.length, 4, `rows to be added on ${run.jobUrl}: ${JSON.stringify(toWrite)}`);
    for (const r of run.rows.filter((x) => !x.faulty)) {
      assert.ok(toWrite.some((t) => t.includes(r.name) && t.includes('Thêm mới')), `${r.name} is not listed as "Thêm mới"`);
    }

    const text = await bodyText(page);
    assertCleanVietnamese(text, run.jobUrl);
    assert.ok(text.includes(run.fileName), 'the preview does not name the uploaded file');
    const button = page.locator('main form.actions button[type="submit"]');
    assert.equal((await button.innerText()).trim(), 'Chỉ nhập 4 dòng hợp lệ');
    await page.screenshot({ path: join(SHOTS, 'import-preview-desktop.png'), fullPage: true });

    await page.setViewportSize(PHONE);
    await page.reload();
    await waitForSummary(page, 'Xem trước — chưa có gì được ghi.');
    await page.screenshot({ path: join(SHOTS, 'import-preview-phone.png'), fullPage: true });
    await assertNoHorizontalOverflow(page, `${run.jobUrl} (phone)`);
    await assertUsableButton(button, `${run.jobUrl} import button (phone)`);
    await page.setViewportSize(DESKTOP);
  });
});

// A CSV saved with CRLF line ends (as Excel saves "CSV UTF-8") keeps Excel's row numbers, and a
// row that cannot be read is still named by its own cells.
test('imports b2. rejected rows show their row number in the file and the name', () => {
  needPreview();
  const [dateRow, genderRow] = run.rows.filter((r) => r.faulty);
  const byRow = new Map(run.rejectedCells.map((t) => [Number(t[0]), t]));
  for (const r of [dateRow, genderRow]) {
    const cells = byRow.get(r.fileRow);
    assert.ok(cells, `no rejected row numbered ${r.fileRow} (${r.name}): ${JSON.stringify(run.rejectedCells)}`);
    assert.ok(cells[1].includes(r.name), `rejected row ${r.fileRow} is labelled ${JSON.stringify(cells[1])}, not ${r.name}`);
  }
});

test('imports c. accessibility of the import pages (axe-core)', async () => {
  needPreview();
  // axe is injected as an inline script, which the pages' CSP rightly refuses: bypass it here only.
  // Jobs belong to their user: the same principal, signed in again, sees the same preview.
  const context = await newContext(DESKTOP, { bypassCSP: true });
  const page = await context.newPage();
  const found = [];
  try {
    await login(page, run.principal);
    for (const path of ['/imports', new URL(run.jobUrl).pathname]) {
      await page.goto(path);
      if (path !== '/imports') await waitForSummary(page, 'Xem trước — chưa có gì được ghi.');
      found.push(...(await axeViolations(page)).map((v) => `${path}: ${v}`));
    }
  } finally {
    await context.close();
  }
  assert.deepEqual(found, [], `accessibility violations:\n${found.join('\n')}`);
});

test('imports d. the error report: the faulty rows with a "Lỗi" column, as CSV with BOM', async () => {
  await step(async () => {
    const page = needPreview();
    const link = page.locator('main a#error-report');
    assert.match(await link.innerText(), /^Tải tệp các dòng lỗi/);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const bytes = await downloaded(download);
    assert.match(download.suggestedFilename(), /\.csv$/, `the error report of a CSV upload is ${download.suggestedFilename()}`);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the error report has no UTF-8 BOM');
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(3));
    for (const bad of MOJIBAKE) assert.ok(!text.includes(bad), `mojibake ${JSON.stringify(bad)} in the error report`);
    const rows = parseCsv(text).filter((r) => r.some((c) => c.trim() !== ''));
    assert.deepEqual(rows[0], [...HEADERS, 'Lỗi'], 'the error report header');
    assert.equal(rows.length, 3, `the error report has ${rows.length - 1} data rows:\n${text}`);
    const [dateRow, genderRow] = run.rows.filter((r) => r.faulty);
    for (const [r, want] of [[dateRow, /^Ngày sinh: '31\/02\/\d{4}' không phải ngày hợp lệ/], [genderRow, /Giới tính: 'Khác'.*Dân tộc: /s]]) {
      const line = rows.find((x) => x[0] === r.name);
      assert.ok(line, `${r.name} is not in the error report:\n${text}`);
      assert.deepEqual(line.slice(0, 6), [r.name, r.date, r.gender, r.ethnicity, r.mother, r.phone], `${r.name}'s cells are not as uploaded`);
      assert.match(line[6], want, `${r.name}'s error`);
    }
  });
});

test('imports e. import the valid rows, find one without diacritics, the same file again changes nothing', async () => {
  await step(async () => {
    const page = needPreview();
    const button = page.locator('main form.actions button[type="submit"]');
    assert.equal((await button.innerText()).trim(), 'Chỉ nhập 4 dòng hợp lệ');
    await Promise.all([page.waitForURL((u) => u.pathname === new URL(run.jobUrl).pathname), button.click()]);
    await waitForSummary(page, 'Đã nhập xong.');
    assert.deepEqual(await counts(page), { 'Thêm mới': 4, 'Cập nhật': 0, 'Không đổi': 0, 'Bị từ chối': 2 }, `counts after importing on ${page.url()}`);
    assert.equal(await page.locator('main form.actions').count(), 0, 'the import button is still there after importing');
    await page.screenshot({ path: join(SHOTS, 'import-done-desktop.png'), fullPage: true });

    // An imported learner is found by a search typed without diacritics.
    const learner = run.rows.find((r) => !r.faulty && r.ethnicity === 'Mường');
    const q = fold(learner.name);
    const res = await page.goto(`/learners?q=${encodeURIComponent(q)}`);
    assert.equal(res.status(), 200, `GET ${page.url()}`);
    const hit = page.locator('main table a[href^="/learners/"]').filter({ hasText: new RegExp(`^\\s*${escapeRegExp(learner.name)}\\s*$`) });
    assert.equal(await hit.count(), 1, `searching ${JSON.stringify(q)} at ${page.url()} does not list ${learner.name} once`);
    const row = await hit.locator('xpath=ancestor::tr[1]').innerText();
    assert.ok(row.includes(learner.date), `${learner.name}'s row does not show the birth date ${learner.date}: ${row}`);
    run.searchUrl = page.url();

    // The same file again: nothing new, the four imported rows unchanged, the two faulty still refused.
    const again = await uploadAndPreview(page, run.fileName, run.csv);
    assert.notEqual(again, run.jobUrl, 'the second upload did not create a new job');
    assert.deepEqual(await counts(page), { 'Thêm mới': 0, 'Cập nhật': 0, 'Không đổi': 4, 'Bị từ chối': 2 }, `counts of the same file again on ${again}`);
    assert.equal(await page.locator('main h2', { hasText: 'Sẽ thêm hoặc cập nhật' }).count(), 0, 'the second preview still lists rows to add');
    await page.screenshot({ path: join(SHOTS, 'import-same-file-desktop.png'), fullPage: true });
  });
});

test('imports f. export the learner search as xlsx', async () => {
  const page = needPreview();
  assert.ok(run.searchUrl, 'the search step did not run');
  await page.goto(run.searchUrl);
  const excel = page.locator('main p.exports a', { hasText: 'Excel' });
  const href = await excel.getAttribute('href');
  assert.match(href, /^\/learners\/export\?/, `the Excel link is ${href}`);
  assert.ok(new URL(href, BASE).searchParams.get('q'), `the Excel link ${href} drops the search`);
  const [download] = await Promise.all([page.waitForEvent('download'), excel.click()]);
  const bytes = await downloaded(download);
  assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', `the export ${download.suggestedFilename()} is not an xlsx`);
  assert.match(download.suggestedFilename(), /\.xlsx$/);

  // The CSV link of the same list holds the learner, Vietnamese intact.
  const csvLink = page.locator('main p.exports a', { hasText: 'CSV' });
  const [csvDownload] = await Promise.all([page.waitForEvent('download'), csvLink.click()]);
  const csv = (await downloaded(csvDownload)).toString('utf8');
  const learner = run.rows.find((r) => !r.faulty && r.ethnicity === 'Mường');
  assert.ok(csv.includes(learner.name), `the CSV export of ${run.searchUrl} lacks ${learner.name}`);
  assert.ok(csv.includes('Họ và tên'), 'the CSV export lacks its Vietnamese header');
});
