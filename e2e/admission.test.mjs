// Browser test of online admission (issue 7) in headless Chromium, on the demo's open grade-1
// campaign: a guardian on a 360 px phone signs in with a one-time code (read off the demo's
// outbox page), applies with documents and gets a receipt with a tracking code; the department
// officer finds the application in the verification queue and verifies it; the officer closes the
// campaign, runs the assignment and publishes it; the guardian looks the result up by tracking
// code and date of birth (a wrong date of birth answers like an unknown number). Screenshots go to
// /tmp/e2e-shots/ (TRUONGSO_SHOTS overrides). The steps depend on each other: run the whole file
// on a fresh demo database served with `[admission] outbox_page = true`.
//
//   TRUONGSO_URL=http://127.0.0.1:18080 TRUONGSO_ACCOUNTS=accounts.json node --test admission.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { signIn } from './signin.mjs';

const BASE = (process.env.TRUONGSO_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = process.env.TRUONGSO_SHOTS || '/tmp/e2e-shots';
const AXE = join(dirname(fileURLToPath(import.meta.url)), 'node_modules', 'axe-core', 'axe.min.js');
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const MOJIBAKE = ['\uFFFD', 'Ã', 'áº', 'á»', 'Ä‘', 'Æ°', 'Æ¡'];
const TRACKING = /TS-[0-9A-Z]{4}-[0-9A-Z]{4}/;

let browser;
let accounts;
/** What the steps hand on to each other: the campaign, and the application the guardian made. */
const shared = {};

before(async () => {
  await mkdir(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  accounts = JSON.parse(await readFile(process.env.TRUONGSO_ACCOUNTS, 'utf8'));
});

after(async () => {
  await browser?.close();
});

async function newPage(options = { viewport: DESKTOP }) {
  const context = await browser.newContext({ locale: 'vi-VN', baseURL: BASE, ...options });
  const page = await context.newPage();
  page.on('pageerror', (e) => assert.fail(`script error: ${e.message}`));
  return page;
}

/** Vietnamese text arrives intact and nothing is wider than the screen. */
async function readable(page) {
  const text = await page.locator('main').innerText();
  for (const bad of MOJIBAKE) assert.ok(!text.includes(bad), `mojibake ${JSON.stringify(bad)} on ${page.url()}`);
  // Against the screen's width: a phone (isMobile) widens its layout viewport to fit wide content.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth) - page.viewportSize().width;
  assert.ok(overflow <= 1, `the page is ${overflow}px wider than the screen at ${page.url()}`);
  return text;
}

const shoot = (page, name, fullPage = true) => page.screenshot({ path: join(SHOTS, name), fullPage });

/** Navigates by clicking (or submitting) and waits for the next page to load. */
async function go(page, url, action) {
  await Promise.all([page.waitForURL(url), action()]);
  await page.waitForLoadState('load');
}

/** Submits a form (or clicks) and waits for the next document to load, even at the same URL. */
async function submit(page, action) {
  await Promise.all([page.waitForEvent('load'), action()]);
}

// A small valid PNG (a 16×16 grey square) and PDF, as a phone would upload them.
function crc32(bytes) {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function png(side = 16) {
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  const rows = Buffer.alloc(side * (side + 1), 0x99);
  for (let y = 0; y < side; y++) rows[y * (side + 1)] = 0; // filter: none
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n'
  + '2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

const digits = (n) => Array.from({ length: n }, () => Math.floor(Math.random() * 10)).join('');

test('a guardian applies for grade 1 on a 360 px phone and gets a tracking code', async () => {
  const phone = await newPage(PHONE);
  await phone.goto('/admission');
  const home = await readable(phone);
  assert.match(home, /Tuyển sinh đầu cấp/);
  await shoot(phone, 'admission-home-phone.png');

  // The open grade-1 campaign of the next school year.
  const item = phone.locator('ul.adm-list li', { hasText: /Lớp 1 ·/ });
  assert.equal(await item.count(), 1, 'one grade-1 campaign is listed');
  assert.match(await item.innerText(), /Đang nhận hồ sơ/);
  await go(phone, /\/admission\/\d+$/, () => item.locator('a').first().click());
  const campaignId = Number(new URL(phone.url()).pathname.split('/').pop());
  const campaignText = await readable(phone);
  const year = Number(campaignText.match(/năm học (\d{4})-\d{4}/)[1]);
  await shoot(phone, 'admission-campaign-phone.png');

  // A school whose zone the child lives in (the page lists each school's zone).
  const school = phone.locator('ul.adm-list li', { hasText: 'Tuyến tuyển sinh' }).first();
  const schoolName = (await school.locator('strong').innerText()).trim();
  const ward = (await school.locator('.muted').innerText()).replace(/^Tuyến tuyển sinh:\s*/, '').split(',')[0].trim();
  assert.ok(ward, `${schoolName} has a zone`);

  // "Nộp hồ sơ" asks for a sign-in first, and comes back to the form after it.
  await go(phone, /\/admission\/sign-in/, () => phone.getByRole('link', { name: 'Nộp hồ sơ' }).click());
  const mobile = `09${digits(8)}`;
  await phone.fill('#contact', mobile);
  await shoot(phone, 'admission-sign-in-phone.png');
  await submit(phone, () => phone.getByRole('button', { name: 'Gửi mã' }).click());
  assert.match(await phone.locator('.notice').innerText(), new RegExp(`Đã gửi mã tới ${mobile.slice(0, 4)}\\*\\*\\*${mobile.slice(7)}`));
  await readable(phone);

  // The demo sends no SMS: the code is on the outbox page.
  const code = await codeFromOutbox(mobile);
  // A wrong code is refused on the same form first.
  await phone.fill('#code', code === '000000' ? '111111' : '000000');
  await submit(phone, () => phone.getByRole('button', { name: 'Xác nhận' }).click());
  assert.match(await phone.locator('#code-error').innerText(), /\S/);
  await phone.fill('#code', code);
  await go(phone, new RegExp(`/admission/${campaignId}/apply$`), () => phone.getByRole('button', { name: 'Xác nhận' }).click());

  // The form: a girl born in the year she turns six, with a valid personal ID (Quảng Ngãi
  // registration 051, digit 3 = female born in the 2000s, two digits of the year, a serial).
  const born = `${year - 6}-03-14`;
  const nationalId = `0513${String(year - 6).slice(2)}${digits(6)}`;
  const child = 'Nguyễn Thị Ánh Dương';
  const formText = await readable(phone);
  assert.match(formText, /Nộp hồ sơ/);
  await phone.fill('#national_id', nationalId);
  await phone.fill('#birth_date', born);
  await phone.fill('#full_name', child);
  await phone.locator('#gender input[value="F"]').check();
  await phone.selectOption('#residence_code', { label: await optionLabel(phone, '#residence_code', ward) });
  await phone.fill('#address', 'Tổ dân phố 3');
  await phone.fill('#guardian_name', 'Nguyễn Văn Bình');
  await phone.selectOption('[name="choice1"]', { label: await optionLabel(phone, '[name="choice1"]', schoolName) });
  await phone.setInputFiles('[name="documents.giay_khai_sinh"]', { name: 'giay-khai-sinh.png', mimeType: 'image/png', buffer: png() });
  await phone.setInputFiles('[name="documents.xac_nhan_cu_tru"]', { name: 'xac-nhan-cu-tru.pdf', mimeType: 'application/pdf', buffer: PDF });
  await readable(phone);
  await shoot(phone, 'admission-apply-phone.png');
  await go(phone, /\/admission\/applications\/TS-/, () => phone.locator('button.adm-submit').click());

  // The receipt: the tracking code, the child, both documents, nothing missing.
  const receipt = await readable(phone);
  assert.match(receipt, /Biên nhận hồ sơ tuyển sinh/);
  const tracking = (await phone.locator('.adm-code strong').innerText()).trim();
  assert.match(tracking, new RegExp(`^${TRACKING.source}$`));
  assert.ok(phone.url().endsWith(`/admission/applications/${tracking}`));
  assert.match(receipt, new RegExp(child));
  assert.match(receipt, /14\/03\//);
  assert.match(receipt, new RegExp(schoolName));
  assert.match(receipt, /giay-khai-sinh\.png/);
  assert.match(receipt, /xac-nhan-cu-tru\.pdf/);
  assert.equal(await phone.locator('.warn', { hasText: 'Còn thiếu' }).count(), 0, 'no required document is missing');
  await shoot(phone, 'admission-receipt-phone.png');

  // The guardian's home page lists the application.
  await phone.goto('/admission');
  assert.match(await phone.locator('main').innerText(), new RegExp(`${child}[\\s\\S]*${tracking}`));

  // The outbox has the receipt message too (the code and where to look the result up).
  const outbox2 = await newPage();
  await outbox2.goto('/admission/outbox');
  assert.ok(await outbox2.locator('ol.adm-outbox li', { hasText: tracking }).count() >= 1, 'a receipt message names the tracking code');
  await outbox2.context().close();
  await phone.context().close();
  Object.assign(shared, { campaignId, year, tracking, born, child, nationalId, schoolName, ward, mobile });
});

/** The newest one-time code sent to `mobile`, read off the demo's outbox page (newest first). */
async function codeFromOutbox(mobile) {
  const outbox = await newPage();
  await outbox.goto('/admission/outbox');
  const message = outbox.locator('ol.adm-outbox li', { hasText: mobile }).filter({ hasText: 'Mã xác nhận tuyển sinh' }).first();
  const code = (await message.locator('pre').innerText()).match(/Mã xác nhận tuyển sinh: (\d{6})/)[1];
  await outbox.context().close();
  return code;
}

/** Serious and critical WCAG 2.x A/AA violations found by axe-core on the current page. */
async function axeViolations(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${page.url()}: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`);
}

// axe is injected as an inline script, which the pages' CSP rightly refuses: bypass it here only.
const AXE_PHONE = { ...PHONE, bypassCSP: true };
const AXE_DESKTOP = { viewport: DESKTOP, bypassCSP: true };

test('accessibility: no serious WCAG 2.2 A/AA violation on the guardian pages on a phone (axe-core)', async () => {
  assert.ok(shared.tracking, 'the guardian step made an application');
  const page = await newPage(AXE_PHONE);
  const found = [];
  for (const path of ['/admission', `/admission/${shared.campaignId}`, '/admission/sign-in', '/admission/outbox']) {
    await page.goto(path);
    found.push(...await axeViolations(page));
  }
  // Signed in again with the same phone: the form (with a refused submission's errors) and the receipt.
  await page.goto(`/admission/sign-in?next=${encodeURIComponent(`/admission/applications/${shared.tracking}`)}`);
  await page.fill('#contact', shared.mobile);
  await submit(page, () => page.getByRole('button', { name: 'Gửi mã' }).click());
  found.push(...await axeViolations(page));
  await page.fill('#code', await codeFromOutbox(shared.mobile));
  await go(page, /\/admission\/applications\/TS-/, () => page.getByRole('button', { name: 'Xác nhận' }).click());
  found.push(...await axeViolations(page));
  await page.goto(`/admission/${shared.campaignId}/apply`);
  found.push(...await axeViolations(page));
  await submit(page, () => page.locator('button.adm-submit').click());
  assert.ok(await page.locator('.error-summary').count() === 1, 'an empty form is refused with an error summary');
  await readable(page);
  await shoot(page, 'admission-apply-errors-phone.png', false);
  found.push(...await axeViolations(page));
  await page.context().close();
  assert.deepEqual(found, [], `accessibility violations:\n${found.join('\n')}`);
});

/** The label of the option of `select` whose text contains `text` (it must be one). */
async function optionLabel(page, select, text) {
  const labels = await page.locator(`${select} option`).allInnerTexts();
  const found = labels.filter((l) => l.includes(text));
  assert.equal(found.length, 1, `one option of ${select} names ${text}: ${labels.join(' | ')}`);
  return found[0];
}

function officer() {
  const who = accounts.find((a) => a.role === 'department_officer');
  assert.ok(who, 'the demo has a department officer');
  return who;
}

test('the department officer finds the application in the queue and verifies it', async () => {
  assert.ok(shared.tracking, 'the guardian step made an application');
  const page = await newPage();
  await signIn(page, officer());
  await page.goto(`/campaigns/${shared.campaignId}/applications`);
  assert.match(await page.locator('h1').innerText(), /Hồ sơ tuyển sinh: Tuyển sinh lớp 1/);
  await page.fill('#adm-q', shared.tracking);
  await go(page, /[?&]q=/, () => page.locator('form.adm-filters button[type="submit"]').click());
  const rows = page.locator('table.adm-queue tbody tr');
  assert.equal(await rows.count(), 1, 'the tracking code finds one application');
  const row = await rows.innerText();
  assert.match(row, new RegExp(shared.child));
  assert.match(row, /Đã nộp, chờ xác minh/);
  await shoot(page, 'admission-queue.png');

  await go(page, /\/applications\/\d+$/, () => rows.locator('a').first().click());
  const review = await readable(page);
  assert.match(review, new RegExp(shared.nationalId));
  assert.match(review, new RegExp(shared.schoolName));
  // Both documents are there (the image shows inline); accept them and verify the application.
  assert.equal(await page.locator('section.adm-doc').count(), 2);
  assert.ok(await page.locator('section.adm-doc img').first().evaluate((img) => img.complete && img.naturalWidth > 0), 'the photo loads');
  for (const radio of await page.locator('section.adm-doc input[type="radio"][value="accepted"]').all()) await radio.check();
  await page.locator('input[name="decision"][value="verify"]').check();
  await shoot(page, 'admission-review.png');
  await go(page, /saved=1/, () => page.getByRole('button', { name: 'Lưu quyết định' }).click());
  assert.match(await page.locator('.notice[role="status"]').innerText(), /Đã lưu quyết định/);
  assert.equal(await page.locator('main .adm-status').first().innerText(), 'Đã xác minh');
  await page.context().close();
});

test('the officer closes the campaign, runs the assignment and publishes the results', async () => {
  assert.ok(shared.tracking, 'the guardian step made an application');
  const page = await newPage();
  await signIn(page, officer());
  const { campaignId } = shared;
  await page.goto(`/campaigns/${campaignId}`);
  assert.match(await page.locator('h1').innerText(), /Tuyển sinh lớp 1/);
  assert.match(await page.locator('main').innerText(), /Đang nhận hồ sơ/);
  await submit(page, () => page.locator('button[name="status"][value="closed"]').click());
  assert.match(await page.locator('main').innerText(), /Đã đóng nhận hồ sơ/);
  assert.equal(await page.locator('button[name="status"][value="closed"]').count(), 0);
  await shoot(page, 'campaign-overview.png');

  // A trial run: the cut-offs table and each applicant's result with its explanation.
  await page.goto(`/campaigns/${campaignId}/runs`);
  await go(page, new RegExp(`/campaigns/${campaignId}/runs/\\d+`), () => page.getByRole('button', { name: 'Chạy xét tuyển thử' }).click());
  const runPath = new URL(page.url()).pathname;
  const run = await readable(page);
  assert.match(run, /Lần chạy xét tuyển #\d+/);
  const school = page.locator('table.adm-cutoffs tbody tr', { hasText: shared.schoolName });
  assert.equal(await school.count(), 1, `the cut-offs table has ${shared.schoolName}`);
  assert.ok(Number((await school.locator('td').last().innerText()).trim()) >= 1, 'the school admits someone');
  // Our applicant (on some page of the results), admitted to the chosen school, inside the zone.
  let row = page.locator('table.adm-results tbody tr', { hasText: shared.tracking });
  while ((await row.count()) === 0 && (await page.locator('.pager a[rel="next"]').count()) > 0) {
    await go(page, /page=/, () => page.locator('.pager a[rel="next"]').click());
    row = page.locator('table.adm-results tbody tr', { hasText: shared.tracking });
  }
  assert.equal(await row.count(), 1, `the run lists ${shared.tracking}`);
  const result = await row.innerText();
  assert.match(result, new RegExp(shared.child));
  assert.match(result, /Trúng tuyển/);
  assert.match(result, /trong tuyến/);
  await row.scrollIntoViewIfNeeded();
  await shoot(page, 'campaign-run.png', false);

  // Nothing is public before publishing.
  assert.equal((await lookupApi(shared.tracking, shared.born)).status, 404);
  await page.goto(runPath);
  await submit(page, () => page.getByRole('button', { name: 'Công bố kết quả' }).click());
  await page.goto(runPath);
  assert.match(await page.locator('.notice[role="status"]').innerText(), /đã được công bố/);
  assert.equal(await page.getByRole('button', { name: 'Công bố kết quả' }).count(), 0);
  await page.goto(`/campaigns/${campaignId}`);
  assert.match(await page.locator('main').innerText(), /Đã công bố kết quả/);
  await page.context().close();
});

/** A well-formed tracking code that is not our applicant's: another first character, and the
 * check character recomputed (a malformed code would get a different, "mistyped" answer). */
function unknownCode(code) {
  const alphabet = '346789ABCDEFGHJKMNPQRTUVWXY';
  const body = code.replace(/^TS-|-/g, '').split('');
  body[0] = alphabet[(alphabet.indexOf(body[0]) + 1) % alphabet.length];
  const sum = [1, 2, 4, 5, 7, 8, 10].reduce((acc, w, i) => acc + w * alphabet.indexOf(body[i]), 0);
  body[7] = alphabet[sum % alphabet.length];
  return `TS-${body.slice(0, 4).join('')}-${body.slice(4).join('')}`;
}

/** The public lookup API (no browser cache): a 200 with the result, or the same 404 for any miss. */
async function lookupApi(number, birthDate) {
  const q = new URLSearchParams({ campaign_id: String(shared.campaignId), number, birth_date: birthDate });
  const res = await fetch(`${BASE}/api/v1/public/admission/results?${q}`);
  return { status: res.status, body: await res.text() };
}

/** Fills the lookup form on a fresh phone page (its own cache) and returns the page. */
async function lookUp(number, birthDate, options = {}) {
  const page = await newPage({ ...PHONE, ...options });
  await page.goto('/admission/results');
  await page.selectOption('#campaign_id', String(shared.campaignId));
  await page.fill('#number', number);
  await page.fill('#birth_date', birthDate);
  await go(page, /number=/, () => page.locator('form.lookup-form button[type="submit"]').click());
  return page;
}

test('the guardian looks the result up by tracking code and date of birth', async () => {
  assert.ok(shared.tracking, 'the guardian step made an application');
  // The lookup reloads a newly published run within seconds.
  const deadline = Date.now() + 20_000;
  let api = await lookupApi(shared.tracking, shared.born);
  while (api.status !== 200 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    api = await lookupApi(shared.tracking, shared.born);
  }
  assert.equal(api.status, 200, `the published result is found: ${api.body}`);

  const page = await lookUp(shared.tracking.toLowerCase(), shared.born);
  const text = await readable(page);
  assert.match(text, /Tra cứu kết quả tuyển sinh/);
  assert.match(await page.locator('.lookup-result h2').innerText(), new RegExp(shared.child));
  const outcome = await page.locator('.lookup-outcome').innerText();
  assert.match(outcome, /Trúng tuyển/);
  assert.match(outcome, new RegExp(shared.schoolName));
  assert.match(text, /cư trú trong tuyến/);
  assert.match(text, /14\/03\//);
  assert.ok(!text.includes(shared.nationalId), 'the lookup shows no personal ID');
  await shoot(page, 'admission-result-phone.png');
  await page.context().close();

  // A wrong date of birth and an unknown number get the very same answer.
  const wrong = await lookUp(shared.tracking, `${Number(shared.born.slice(0, 4))}-03-15`);
  const wrongText = (await wrong.locator('.lookup-miss').innerText()).trim();
  assert.equal(await wrong.locator('.lookup-result').count(), 0);
  await shoot(wrong, 'admission-result-miss-phone.png');
  await wrong.context().close();
  const other = unknownCode(shared.tracking);
  const unknown = await lookUp(other, shared.born);
  assert.equal((await unknown.locator('.lookup-miss').innerText()).trim(), wrongText);
  assert.match(wrongText, /Không tìm thấy kết quả/);
  await unknown.context().close();
  const [a, b] = [await lookupApi(shared.tracking, '2000-01-01'), await lookupApi(other, shared.born)];
  assert.equal(a.status, 404);
  assert.equal(b.status, 404);
  assert.equal(a.body, b.body, 'the API answers a wrong date of birth like an unknown number');
});

test('accessibility: no serious WCAG 2.2 A/AA violation on the staff and results pages (axe-core)', async () => {
  assert.ok(shared.tracking, 'the guardian step made an application');
  const found = [];
  const page = await newPage(AXE_DESKTOP);
  await signIn(page, officer());
  const { campaignId } = shared;
  await page.goto(`/campaigns/${campaignId}/runs`);
  const runHref = await page.locator('table a[href*="/runs/"]').first().getAttribute('href');
  for (const path of ['/campaigns', `/campaigns/${campaignId}`, `/campaigns/${campaignId}/applications`, `/campaigns/${campaignId}/runs`, runHref]) {
    await page.goto(path);
    found.push(...await axeViolations(page));
  }
  await page.goto(`/campaigns/${campaignId}/applications?q=${encodeURIComponent(shared.tracking)}`);
  await page.locator('table.adm-queue tbody a').first().click();
  await page.waitForURL(/\/applications\/\d+$/);
  found.push(...await axeViolations(page));
  await page.context().close();
  // The results lookup on a phone: the form, a result and a miss.
  const phone = await newPage(AXE_PHONE);
  for (const born of [shared.born, '2000-01-01']) {
    const q = new URLSearchParams({ campaign_id: String(campaignId), number: shared.tracking, birth_date: born });
    await phone.goto(`/admission/results?${q}`);
    found.push(...await axeViolations(phone));
  }
  await phone.context().close();
  assert.deepEqual(found, [], `accessibility violations:\n${found.join('\n')}`);
});
