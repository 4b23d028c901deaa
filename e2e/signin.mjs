// Signing in from the browser tests, shared by the test files: the first sign-in of a role with
// two factors enrols an authenticator (reading the key off the page, as an app would); the key is
// kept in a file beside the accounts file, so a later test file (they run one after another on the
// same demo database) can answer the code prompt of an account an earlier file enrolled.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const SECRETS_FILE = `${process.env.TRUONGSO_ACCOUNTS || 'accounts.json'}.totp.json`;

function secrets() {
  try {
    return JSON.parse(readFileSync(SECRETS_FILE, 'utf8'));
  } catch {
    return {};
  }
}

function remember(username, secret, step) {
  const all = secrets();
  all[username] = { secret, step };
  writeFileSync(SECRETS_FILE, JSON.stringify(all));
}

function base32(secret) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

const stepOf = (ms) => Math.floor(ms / 1000 / 30);

/** The RFC 6238 code of a secret for a 30-second step. */
export function totp(secret, step = stepOf(Date.now())) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', base32(secret)).update(counter).digest();
  const o = h[h.length - 1] & 0xf;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** A code for a step not used before by this account (the server accepts each step once). */
async function freshCode(username, secret) {
  const used = secrets()[username]?.step ?? -1;
  let step = stepOf(Date.now());
  if (step <= used) {
    await new Promise((r) => setTimeout(r, (used + 1) * 30_000 - Date.now() + 200));
    step = stepOf(Date.now());
  }
  remember(username, secret, step);
  return totp(secret, step);
}

/** Signs `page` in as `who` (username, password), enrolling or answering the second factor. */
export async function signIn(page, who) {
  await page.goto('/login');
  await page.fill('#username', who.username);
  await page.fill('#password', who.password);
  await Promise.all([page.waitForURL((u) => u.pathname !== '/login'), page.locator('main form button[type="submit"]').click()]);
  const path = new URL(page.url()).pathname;
  if (path === '/account/totp') {
    const secret = (await page.locator('code.secret').innerText()).trim();
    await page.fill('#code', await freshCode(who.username, secret));
    await Promise.all([page.waitForURL((u) => u.pathname === '/account'), page.locator('main form button[type="submit"]').click()]);
  } else if (path === '/login/totp') {
    const known = secrets()[who.username];
    assert.ok(known, `${who.username} was enrolled outside these tests: use a fresh demo database`);
    await page.fill('#code', await freshCode(who.username, known.secret));
    await Promise.all([page.waitForURL((u) => u.pathname !== '/login/totp'), page.locator('main form button[type="submit"]').click()]);
  }
  assert.ok((await page.locator('header').innerText()).includes('Đăng xuất'), `signed in as ${who.username}`);
}
