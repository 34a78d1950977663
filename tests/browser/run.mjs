// Real-browser tests of the Chengxin portal and staff console: headless Debian Chromium driven by
// playwright-core. Started by scripts/browser-test, which starts the server and passes:
//
//   CX_BASE_URL          the server (http://127.0.0.1:PORT)
//   CX_OUT               where screenshots and downloads go (target/browser-output)
//   CX_FIXTURES          JSON: demo subjects the steps use (search body, objection target,
//                        report subject, submitting department), read from the database
//   CX_UPLOAD_CSV        generated valid 行政处罚 rows (chengxin gen-records); step d breaks some
//   CX_STAFF_USER / CX_STAFF_PASSWORD / CX_STAFF_TOTP_SECRET / CX_STAFF_TOTP_LAST_STEP
//                        a credit_office account of 320400 (password already changed)
//   CX_FRESH_USER / CX_FRESH_PASSWORD / CX_FRESH_TOTP_SECRET
//                        a credit_office account still on its one-time password (step h)
//   CX_CHROMIUM          the browser (/usr/bin/chromium); CX_HEADFUL, CX_SLOWMO for debugging
//
// Steps (arguments select some, e.g. `node run.mjs a b`; every step runs by default):
//   a  portal search by a Traditional-character form finds the body (a.result, Simplified name)
//   b  its archive opens from the result: name and records
//   c  console login with password + TOTP as credit_office; the dashboard
//   d  upload with bad rows: progress reaches its max, #batch-result with #rejected-count > 0,
//      the #error-report download lists exactly the broken rows
//   e  objection from an archive record → tracking number + access code → /portal/track shows
//      the state → the archive marks the record 异议处理中
//   f  credit report issued in the console, PDF downloaded (pdftoppm page 1, pdftotext Chinese),
//      verified on /portal/verify (upload: 验证通过), altered twice (payload byte, other byte:
//      验证失败 each), verified by number + code (and refused with a wrong code)
//   g  (on every page load of every step) no request to another host (such requests are also
//      aborted), no console error or uncaught page error; its summary line also runs a self-test
//      proving the guard sees both
//   h  first login of an account on its one-time password: the forced password change
//   j  the credit office's closed-loop cases page lists cases, all of its own region
//   k  a submitting department's day (done by the office for a department): the type's XLSX template,
//      pre-check of a file with broken rows (counts, nothing stored), confirm, 我的报送批次;
//      承诺公示 at 390 px
//   l  the credit office's list work: 认定 (the body picked from its list) → 开始公示 on a new entry;
//      the demo entry whose publicity has ended → 生效 → 移出
//   m  the credit office publishes a notice (通知公告: draft → 发布); the portal home lists it; an
//      API error shows a Chinese sentence with the code only in data-code
//   n  the administrator (first login: password change) creates an account with its region
//      picked from the list by name; the accounts table shows the region's name
//   o  the auditor (first login: password change) runs 防篡改校验 from the audit page: 通过
//   q  commitments: a town's public commitment registered (promisor picked by name), one milestone
//      kept, one changed by law with compensation, shown on the portal's 承诺公示; the demo 招商引资
//      agreement's noticed milestone: 情况说明 → 认定违约 → a 失信 record of the promisor;
//      责任回溯 of the district government before and after its 换届
//   p  a closed-loop case from 分发 (credit office) to 签收 → 实施 → 反馈 by the implementing
//      department (the finance bureau, first login), the subject named on its case page
//   r  supervision: a 政协提案 answered and rated 满意; a complaint 分办 → 进展 → 查实 → 答复 →
//      回访; an audit finding rectified with evidence and 销号; the bureau's quarterly task report;
//      the task overview as XLSX; the work list at 390 px (owners picked from the body list)
//   s  an arrear entered with its debtor picked by name → confirmed → partly paid → cleared; a PPP
//      breach in the 执行 stage naming the stage's responsible person (no ID number in clear)
//   t  evaluation: the ranking (names, not codes), its XLSX, one target explained, warnings; the
//      debt page's map, trend and ranking charts; both at 390 px
// Each step prints one PASS/FAIL line; screenshots go to CX_OUT/NN-name.png.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { freshTotp, selfTest as totpSelfTest } from './totp.mjs';

const env = (name, fallback) => {
  const v = process.env[name];
  if (v === undefined || v === '') {
    if (fallback !== undefined) return fallback;
    throw new Error(`environment variable ${name} is not set (run scripts/browser-test)`);
  }
  return v;
};

const BASE = new URL(env('CX_BASE_URL'));
const OUT = env('CX_OUT');
const FIX = JSON.parse(readFileSync(env('CX_FIXTURES'), 'utf8'));
const TIMEOUT = 30_000;

const staff = {
  user: env('CX_STAFF_USER'),
  password: env('CX_STAFF_PASSWORD'),
  secret: env('CX_STAFF_TOTP_SECRET'),
  lastStep: Number(env('CX_STAFF_TOTP_LAST_STEP', '-1')),
};
const fresh = {
  user: env('CX_FRESH_USER', ''),
  password: env('CX_FRESH_PASSWORD', ''),
  secret: env('CX_FRESH_TOTP_SECRET', ''),
  lastStep: -1,
};

const admin = {
  user: env('CX_ADMIN_USER', ''),
  password: env('CX_ADMIN_PASSWORD', ''),
  secret: env('CX_ADMIN_TOTP_SECRET', ''),
  lastStep: -1,
};
const auditor = {
  user: env('CX_AUDIT_USER', ''),
  password: env('CX_AUDIT_PASSWORD', ''),
  secret: env('CX_AUDIT_TOTP_SECRET', ''),
  lastStep: -1,
};
const finance = {
  user: env('CX_FIN_USER', ''),
  password: env('CX_FIN_PASSWORD', ''),
  secret: env('CX_FIN_TOTP_SECRET', ''),
  lastStep: -1,
};
const newPassword = () => `Cx-${Math.random().toString(36).slice(2, 12)}-9a`;

const url = (path) => new URL(path, BASE).href;
// Confirm every window.confirm of a page (the console asks before legal steps); once per page,
// as several steps share the office's page.
const accepting = new WeakSet();
function acceptDialogs(page) {
  if (accepting.has(page)) return;
  accepting.add(page);
  page.on('dialog', (d) => d.accept());
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------------------------------
// Harness: screenshots, the request/console guard, steps
// ------------------------------------------------------------------------------------------

let shotNo = 0;
const shots = [];
async function shot(page, name, opts = {}) {
  shotNo += 1;
  const file = join(OUT, `${String(shotNo).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true, timeout: TIMEOUT, ...opts });
  shots.push(file);
  return file;
}
function outFile(name) {
  shotNo += 1;
  return join(OUT, `${String(shotNo).padStart(2, '0')}-${name}`);
}

/**
 * Every context is guarded: requests to any other origin are recorded AND aborted (the tests
 * never send traffic off this machine), console errors and uncaught page errors are recorded.
 * `clean(label)` throws if anything was recorded since the last call.
 */
const guards = [];
const leftovers = [];
class Guard {
  constructor(name) {
    this.name = name;
    this.problems = [];
    this.requests = 0;
    guards.push(this);
  }

  /** Problems nobody checked (a step failed before its next check): kept for the g line. */
  static sweep(where) {
    for (const g of guards) for (const p of g.problems.splice(0)) leftovers.push(`${where}, ${g.name}: ${p}`);
  }

  async attach(context) {
    await context.route('**/*', (route) => {
      const u = route.request().url();
      if (this.offHost(u)) return route.abort('blockedbyclient');
      return route.continue();
    });
    context.on('request', (req) => {
      this.requests += 1;
      if (this.offHost(req.url())) this.problems.push(`request to another host: ${req.method()} ${req.url()}`);
    });
    const watch = (page) => {
      page.on('console', (msg) => {
        if (msg.type() === 'error') {
          const loc = msg.location();
          this.problems.push(`console error: ${msg.text()}${loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
        }
      });
      page.on('pageerror', (err) => this.problems.push(`uncaught page error: ${err.message}`));
    };
    context.on('page', watch);
    for (const p of context.pages()) watch(p);
  }

  offHost(u) {
    let parsed;
    try {
      parsed = new URL(u);
    } catch {
      return true;
    }
    if (['data:', 'blob:', 'about:'].includes(parsed.protocol)) return false;
    return parsed.origin !== BASE.origin;
  }

  /** Drop the problems a step provoked on purpose (e.g. the console's note of a 409 answer). */
  forgive(pattern) {
    this.problems = this.problems.filter((p) => !pattern.test(p));
  }

  clean(label) {
    const found = this.problems.splice(0);
    if (found.length) {
      throw new Error(`[g] ${label} (${this.name}): ${found.length} problem(s):\n      ${found.join('\n      ')}`);
    }
  }
}

/** Go to a path, wait for the load, and check the guard and the page's names. */
async function open(page, guard, path, label = path) {
  const resp = await page.goto(url(path), { waitUntil: 'load', timeout: TIMEOUT });
  assert.ok(resp, `no response for ${path}`);
  assert.ok(resp.status() < 400, `${path} answered HTTP ${resp.status()}`);
  await settle(page);
  guard.clean(label);
  await namesNotCodes(page, path);
  return resp;
}

// Names, not codes (issue 17): no page a person reads shows a UUID or a code (a snake_case
// identifier: catalog types, roles, permissions, states, list codes, error codes) where a name
// belongs. The catalog page shows each type's code beside its name on purpose (a clerk needs it
// for file columns), and a form's hidden values are not text.
const CODES_ALLOWED = [/^\/console\/catalog/];
const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const CODE_RE = /(?<![\w./:@-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w./@-])/;
async function namesNotCodes(page, path) {
  const p = new URL(path, BASE).pathname;
  if (p.startsWith('/api/') || p.startsWith('/static/')) return;
  const text = await page.evaluate(() => {
    const main = document.querySelector('main') || document.body;
    return main ? main.innerText : '';
  });
  const uuid = text.match(UUID_RE);
  assert.ok(!uuid, `${p} shows a UUID where a name belongs: …${uuid && text.slice(Math.max(0, uuid.index - 40), uuid.index + 40)}…`);
  if (CODES_ALLOWED.some((re) => re.test(p))) return;
  const code = text.match(CODE_RE);
  assert.ok(!code, `${p} shows a code (${code && code[0]}) where a name belongs: …${code && text.slice(Math.max(0, code.index - 40), code.index + 60)}…`);
}

/** After a navigation or an action: the page has loaded and its scripts' requests are done. */
async function settle(page) {
  await page.waitForLoadState('load', { timeout: TIMEOUT });
  await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => {});
}

const results = [];
const warnings = [];
const selected = new Set(process.argv.slice(2).map((s) => s.toLowerCase()));
const want = (id) => selected.size === 0 || selected.has(id);

async function step(id, title, fn, failPage) {
  if (!want(id)) return;
  Guard.sweep(`before step ${id}`);
  const t0 = Date.now();
  try {
    await fn();
    const s = ((Date.now() - t0) / 1000).toFixed(1);
    results.push({ id, title, ok: true, seconds: Number(s) });
    console.log(`PASS ${id}  ${title}  (${s} s)`);
  } catch (e) {
    const s = ((Date.now() - t0) / 1000).toFixed(1);
    const message = (e && e.message) || String(e);
    results.push({ id, title, ok: false, seconds: Number(s), error: message });
    console.log(`FAIL ${id}  ${title}  (${s} s)\n      ${message.split('\n').join('\n      ')}`);
    for (const p of [].concat(failPage ? failPage() : [])) {
      if (p && !p.isClosed() && p.url() !== 'about:blank') {
        try {
          const f = await shot(p, `${id}-FAILED`);
          console.log(`      screenshot at failure: ${f} (${p.url()})`);
        } catch {
          /* the page may be gone */
        }
      }
    }
  }
}

function warn(message) {
  warnings.push(message);
  console.log(`WARN  ${message}`);
}

/** Visible text of a selector (waiting for it). */
async function textOf(page, selector, timeout = TIMEOUT) {
  const loc = page.locator(selector).first();
  await loc.waitFor({ state: 'visible', timeout });
  return (await loc.innerText()).trim();
}

/** No horizontal scrolling at phone width (warning only). */
async function checkPhoneWidth(page, label) {
  const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (over > 1) warn(`${label}: the page is ${over}px wider than the 390px viewport (horizontal scrolling)`);
}

// ------------------------------------------------------------------------------------------
// Domain helpers
// ------------------------------------------------------------------------------------------

/** Portal search from the home page form; returns the a.result locator matching `name`. */
async function portalSearch(page, guard, query, name) {
  await open(page, guard, '/', 'portal home');
  const q = page.locator('#q');
  await q.waitFor({ state: 'visible', timeout: TIMEOUT });
  await q.fill(query);
  await Promise.all([
    page.waitForURL((u) => u.pathname !== '/' || u.search.includes('q='), { timeout: TIMEOUT }),
    q.press('Enter'),
  ]);
  await settle(page);
  guard.clean(`search results for ${query}`);
  await page.locator('a.result').first().waitFor({ state: 'visible', timeout: TIMEOUT });
  const hit = page.locator('a.result', { hasText: name });
  const n = await hit.count();
  if (n === 0) {
    const all = await page.locator('a.result').allInnerTexts();
    assert.fail(`no a.result contains ${name}; results: ${JSON.stringify(all.slice(0, 10))}`);
  }
  return hit.first();
}

/** Console login (password + TOTP); handles the forced password change. Returns the new
 *  password if one was set. */
async function consoleLogin(page, guard, account, { newPassword } = {}) {
  for (let attempt = 1; ; attempt += 1) {
    await open(page, guard, '/console/login', 'console login');
    await page.locator('#username').waitFor({ state: 'visible', timeout: TIMEOUT });
    await page.fill('#username', account.user);
    await page.fill('#password', account.password);
    if (account.secret) {
      const { step, code } = await freshTotp(account.secret, account.lastStep);
      account.lastStep = step;
      await page.fill('#totp', code);
    }
    if (attempt === 1) await shot(page, `console-login-${account.user}`);
    await page.click('#login');
    // Either we land in the console, or the password change form shows, or a message.
    const outcome = await Promise.race([
      page
        .waitForURL((u) => u.pathname.startsWith('/console') && u.pathname !== '/console/login', { timeout: TIMEOUT })
        .then(() => 'in'),
      page.locator('#new_password').waitFor({ state: 'visible', timeout: TIMEOUT }).then(() => 'change'),
      page
        .locator('#login-msg')
        .waitFor({ state: 'visible', timeout: TIMEOUT })
        .then(async () => {
          // An informational message may precede the navigation; give it a moment.
          await sleep(1500);
          const u = new URL(page.url());
          if (u.pathname !== '/console/login') return 'in';
          if (await page.locator('#new_password').isVisible()) return 'change';
          return 'msg';
        }),
    ]);
    if (outcome === 'msg') {
      const msg = (await page.locator('#login-msg').innerText()).trim();
      if (/重复|已使用|reuse/i.test(msg) && attempt < 3) continue; // TOTP step replay: next step
      if (/(处理中|正在|登录成功)/.test(msg)) {
        await page.waitForURL((u) => u.pathname !== '/console/login', { timeout: TIMEOUT });
      } else {
        assert.fail(`login as ${account.user} refused: #login-msg says ${JSON.stringify(msg)}`);
      }
    }
    if (outcome === 'change') {
      assert.ok(newPassword, `login as ${account.user} demands a password change (its password should already be changed)`);
      await shot(page, `console-password-change-${account.user}`);
      if (await page.locator('#current_password').isVisible()) {
        const cur = await page.inputValue('#current_password');
        if (!cur) await page.fill('#current_password', account.password);
      }
      await page.fill('#new_password', newPassword);
      await page.click('#change-password');
      await page.waitForURL((u) => u.pathname !== '/console/login', { timeout: TIMEOUT }).catch(async () => {
        const msg = await page.locator('#login-msg').innerText().catch(() => '');
        assert.fail(`password change for ${account.user} did not lead into the console; #login-msg: ${JSON.stringify(msg)}`);
      });
      account.password = newPassword;
    }
    await settle(page);
    guard.clean(`after login as ${account.user}`);
    return;
  }
}

// CSV (RFC 4180) for the upload file.
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 1;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
const csvField = (v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const toCsv = (rows) => rows.map((r) => r.map(csvField).join(',')).join('\n') + '\n';

/**
 * The upload file: the generated rows (all valid) with three broken on purpose, each in a
 * different way. Returns {csv, bad: [{docNo, how}], good: n}.
 */
function makeUploadCsv() {
  const rows = parseCsv(readFileSync(env('CX_UPLOAD_CSV'), 'utf8').replace(/^\uFEFF/, ''));
  const [header, ...data] = rows.filter((r) => r.some((f) => f.trim() !== ''));
  const col = (title) => {
    const i = header.findIndex((h) => h.trim() === title);
    assert.ok(i >= 0, `generated CSV has no column ${title}; columns: ${header.join(' | ')}`);
    return i;
  };
  const NAME = col('行政相对人名称');
  const USCC = col('行政相对人代码_1(统一社会信用代码)');
  const DOC = col('行政处罚决定书文号');
  const DATE = col('处罚决定日期');
  // A run id keeps the document numbers new even if the file is uploaded again elsewhere.
  const run = Date.now().toString(36).toUpperCase();
  for (const r of data) r[DOC] = `${r[DOC]}-BT${run}`;
  const withUscc = data.map((r, i) => [r, i]).filter(([r]) => /^[0-9A-Z]{18}$/.test(r[USCC].trim()));
  assert.ok(withUscc.length >= 1 && data.length >= 6, 'generated CSV too small');
  const bad = [];
  // 1. a USCC with a wrong check character
  {
    const [r] = withUscc[0];
    const u = r[USCC].trim();
    const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    const last = alphabet[(alphabet.indexOf(u[17]) + 1) % alphabet.length];
    r[USCC] = u.slice(0, 17) + last;
    bad.push({ docNo: r[DOC], how: '统一社会信用代码校验位错误', reason: /统一社会信用代码|校验/ });
  }
  const others = data.filter((r) => !bad.some((b) => b.docNo === r[DOC]));
  // 2. an impossible decision date
  others[1][DATE] = '2024-02-30';
  bad.push({ docNo: others[1][DOC], how: '处罚决定日期不存在', reason: /日期/ });
  // 3. no subject name (required)
  others[3][NAME] = '';
  bad.push({ docNo: others[3][DOC], how: '行政相对人名称为空', reason: /名称|必填|为空/ });
  return { csv: toCsv([header, ...data]), bad, good: data.length - bad.length, total: data.length };
}

/** The embedded signed payload's byte range in a report PDF. */
function payloadRange(pdf) {
  const marker = Buffer.from('{"format":"chengxin-signed-report"');
  const start = pdf.indexOf(marker);
  assert.ok(start >= 0, 'the PDF carries no embedded signed payload');
  const end = pdf.indexOf(Buffer.from('endstream'), start);
  assert.ok(end > start, 'the payload stream has no end');
  return [start, end];
}

/** A copy of the PDF with one digit inside the signed payload changed (JSON stays valid). */
function tamperPayload(pdf) {
  const [start, end] = payloadRange(pdf);
  const text = pdf.subarray(start, end).toString('latin1');
  // A digit inside a value of the report (after `"signed":`), not in the envelope header.
  const from = text.indexOf('"signed":');
  assert.ok(from > 0, 'payload without "signed"');
  const m = /"issued_at":"(\d)/.exec(text.slice(from)) || /(\d)/.exec(text.slice(from + 20));
  assert.ok(m, 'no digit in the payload to change');
  const at = start + from + m.index + m[0].length - 1;
  const out = Buffer.from(pdf);
  out[at] = out[at] === 0x30 + 9 ? 0x30 : out[at] + 1;
  return { bytes: out, offset: at };
}

/** A copy of the PDF with one byte outside the payload changed (the binary header comment). */
function tamperElsewhere(pdf) {
  const [start, end] = payloadRange(pdf);
  const nl = pdf.indexOf(0x0a);
  // Line 2 of a PDF is a comment of high bytes (%âãÏÓ or %\x80…); change its second byte.
  let at = nl + 2;
  if (pdf[nl + 1] !== 0x25 /* % */ || at >= start) {
    // No binary comment: change a byte of the first content stream instead.
    at = pdf.indexOf(Buffer.from('stream')) + 20;
  }
  assert.ok(at < start || at > end, 'the byte chosen lies inside the payload');
  const out = Buffer.from(pdf);
  out[at] ^= 0x01;
  return { bytes: out, offset: at };
}

/** Upload a PDF on /portal/verify and read #verify-result. */
async function verifyUpload(page, guard, file, label) {
  await open(page, guard, '/portal/verify', 'portal verify');
  await page.locator('#report_pdf').setInputFiles(file);
  await page.click('#verify-pdf');
  return readVerifyResult(page, guard, label);
}

async function readVerifyResult(page, guard, label) {
  const res = page.locator('#verify-result');
  await page.waitForFunction(
    () => {
      const el = document.querySelector('#verify-result');
      return el && !el.hidden && el.offsetParent !== null && /(验证通过|验证失败)/.test(el.textContent);
    },
    null,
    { timeout: TIMEOUT },
  );
  await settle(page);
  const cls = (await res.getAttribute('class')) || '';
  const text = (await res.innerText()).trim();
  guard.clean(`verify result (${label})`);
  return { classes: cls.split(/\s+/), text };
}

// ------------------------------------------------------------------------------------------
// The run
// ------------------------------------------------------------------------------------------

totpSelfTest();
const browser = await chromium.launch({
  executablePath: env('CX_CHROMIUM', '/usr/bin/chromium'),
  headless: !process.env.CX_HEADFUL,
  slowMo: Number(process.env.CX_SLOWMO || 0),
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--lang=zh-CN'],
});
console.log(`chromium ${browser.version()} against ${BASE.origin}; output in ${OUT}`);

const newContext = async (name, options = {}) => {
  const context = await browser.newContext({
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  context.setDefaultTimeout(TIMEOUT);
  const guard = new Guard(name);
  await guard.attach(context);
  return { context, guard, page: await context.newPage() };
};

const pub = await newContext('public');
const phone = await newContext('phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
const office = await newContext('staff');
const state = {};

await step(
  'a',
  `portal search by a Traditional form (${FIX.search.query}) finds ${FIX.search.name}`,
  async () => {
    const { page, guard } = pub;
    await open(page, guard, '/', 'portal home');
    await page.locator('#q').waitFor({ state: 'visible' });
    await shot(page, 'portal-home');
    await open(phone.page, phone.guard, '/', 'portal home (phone)');
    await shot(phone.page, 'phone-portal-home');
    await checkPhoneWidth(phone.page, 'portal home at 390px');
    assert.notEqual(FIX.search.query, FIX.search.name, 'the query must differ from the stored name');
    const hit = await portalSearch(page, guard, FIX.search.query, FIX.search.name);
    state.searchUrl = page.url();
    state.resultHref = await hit.getAttribute('href');
    await hit.scrollIntoViewIfNeeded();
    await shot(page, 'portal-search-traditional');
  },
  () => [pub.page, phone.page],
);

await step(
  'b',
  `the archive of ${FIX.search.name} opens from the result: name and records`,
  async () => {
    const { page, guard } = pub;
    if (!state.resultHref) {
      await portalSearch(page, guard, FIX.search.query, FIX.search.name);
    }
    const hit = page.locator('a.result', { hasText: FIX.search.name }).first();
    await Promise.all([page.waitForURL((u) => u.href !== state.searchUrl, { timeout: TIMEOUT }), hit.click()]);
    await settle(page);
    guard.clean('archive');
    const h1 = await textOf(page, 'main h1');
    const main = await page.locator('main').innerText();
    assert.ok(h1.includes(FIX.search.name) || main.includes(FIX.search.name), `archive shows no ${FIX.search.name} (h1 ${JSON.stringify(h1)})`);
    assert.ok(main.includes(FIX.search.uscc), `archive shows no USCC ${FIX.search.uscc}`);
    // Records: rows of a table or record items, with a record type name.
    const rows = await page.locator('main table tbody tr, main .record').count();
    assert.ok(rows > 0, 'archive lists no records (no table row or .record)');
    for (const doc of FIX.search.doc_nos || []) {
      assert.ok(main.includes(doc), `archive does not show the published record ${doc}`);
    }
    if (FIX.search.public_records && rows < FIX.search.public_records) {
      warn(`archive of ${FIX.search.name} shows ${rows} record row(s); the database has ${FIX.search.public_records} published public records`);
    }
    assert.match(main, /行政许可|行政处罚|行政检查|信用|记录/, 'archive has no record type names');
    state.archiveUrl = page.url();
    await shot(page, 'portal-archive');
    await open(phone.page, phone.guard, new URL(state.archiveUrl).pathname + new URL(state.archiveUrl).search, 'archive (phone)');
    await shot(phone.page, 'phone-portal-archive');
    await checkPhoneWidth(phone.page, 'archive at 390px');
  },
  () => [pub.page, phone.page],
);

await step(
  'c',
  `console login with password and TOTP as ${staff.user} (credit_office, 320400)`,
  async () => {
    const { page, guard } = office;
    await consoleLogin(page, guard, staff);
    await open(page, guard, '/console', 'console dashboard');
    const main = await page.locator('main').innerText();
    assert.match(main, /信用办/, 'dashboard does not name the role 信用办');
    assert.ok(await page.locator('a[href="/console/submit"]').count(), 'dashboard has no link to /console/submit');
    await shot(page, 'console-dashboard');
    state.loggedIn = true;
  },
  () => office.page,
);

await step(
  'd',
  'upload with bad rows: progress, batch result with rejected rows, error report',
  async () => {
    const { page, guard } = office;
    if (!state.loggedIn) {
      await consoleLogin(page, guard, staff);
      state.loggedIn = true;
    }
    const upload = makeUploadCsv();
    const file = outFile('upload-penalties.csv');
    writeFileSync(file, upload.csv);
    await open(page, guard, '/console/submit', 'console submit');
    await page.locator('#type').selectOption('admin_penalty');
    assert.ok(FIX.dept && FIX.dept.uscc, 'no demo department for the upload');
    const dept = page.locator('#dept');
    if (await dept.isEditable()) await dept.fill(FIX.dept.uscc);
    await page.locator('#file').setInputFiles(file);
    await shot(page, 'console-submit-filled');
    const batchResponse = page.waitForResponse(
      (r) => new URL(r.url()).pathname === '/api/v1/batches' && r.request().method() === 'POST',
      { timeout: 120_000 },
    );
    await page.click('#upload');
    const resp = await batchResponse;
    const respBody = await resp.text().catch(() => '');
    if (!resp.ok()) assert.fail(`POST /api/v1/batches answered ${resp.status()}: ${respBody.slice(0, 300)}`);
    // Progress reaches its max.
    await page.waitForFunction(
      () => {
        const p = document.querySelector('#upload-progress');
        return p && p.max > 0 && p.value >= p.max;
      },
      null,
      { timeout: 120_000 },
    );
    const prog = await page.locator('#upload-progress').evaluate((p) => ({ value: p.value, max: p.max }));
    assert.ok(prog.value >= prog.max, `progress ${prog.value}/${prog.max}`);
    await page.locator('#batch-result').waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('#rejected-count').waitFor({ state: 'visible', timeout: 60_000 });
    await settle(page);
    guard.clean('batch result');
    const rejected = Number((await textOf(page, '#rejected-count')).replace(/[^\d]/g, ''));
    assert.ok(rejected > 0, `#rejected-count is ${rejected}`);
    assert.equal(rejected, upload.bad.length, `#rejected-count ${rejected}, expected the ${upload.bad.length} broken rows`);
    const created = await page.locator('#count-created').innerText().catch(() => '');
    if (created && Number(created.replace(/[^\d]/g, '')) !== upload.good) {
      warn(`#count-created shows ${created.trim()}, expected ${upload.good} new records`);
    }
    await page.locator('#batch-result').scrollIntoViewIfNeeded();
    await shot(page, 'console-batch-result');
    // The error report: a download from the link.
    const link = page.locator('#error-report');
    await link.waitFor({ state: 'visible' });
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }), link.click()]);
    const reportFile = outFile(download.suggestedFilename() || 'error-report.csv');
    await download.saveAs(reportFile);
    assert.equal(await download.failure(), null, 'the error report download failed');
    const report = readFileSync(reportFile, 'utf8').replace(/^\uFEFF/, '');
    const lines = parseCsv(report).filter((r) => r.some((f) => f.trim()));
    assert.ok(lines.length >= 2, `error report has ${lines.length} line(s)`);
    for (const b of upload.bad) {
      const line = lines.find((r) => r.some((f) => f.trim() === b.docNo));
      assert.ok(line, `error report does not list the row ${b.docNo} (${b.how})`);
      assert.match(line.join(','), b.reason, `error report row ${b.docNo} (${b.how}) gives no matching reason`);
    }
    assert.equal(lines.length - 1, upload.bad.length, `error report has ${lines.length - 1} data rows, expected ${upload.bad.length}`);
    const head = lines[0].join(',');
    assert.match(head, /原因|错误|问题|reason/i, `error report header has no reason column: ${head.slice(0, 200)}`);
    guard.clean('after the error report download');
    // The batch page itself.
    let batchId = null;
    try {
      batchId = JSON.parse(respBody).batch?.id;
    } catch {
      batchId = (await page.locator('#batch-result code').first().innerText().catch(() => '')).trim() || null;
    }
    if (batchId) {
      await open(page, guard, `/console/batches/${batchId}`, 'batch page');
      await shot(page, 'console-batch-page');
    }
  },
  () => office.page,
);

await step(
  'e',
  `objection on a record of ${FIX.objection.name}, found again by tracking number`,
  async () => {
    const { page, guard } = pub;
    const hit = await portalSearch(page, guard, FIX.objection.name, FIX.objection.name);
    await Promise.all([page.waitForURL((u) => !u.search.includes('q='), { timeout: TIMEOUT }), hit.click()]);
    await settle(page);
    guard.clean('archive (objection subject)');
    const archiveUrl = page.url();
    const links = page.locator('a', { hasText: '对此信息提出异议' });
    await links.first().waitFor({ state: 'visible' });
    let link = page.locator(`a[href*="record=${FIX.objection.record_id}"]`, { hasText: '对此信息提出异议' });
    if ((await link.count()) === 0) {
      warn(`no objection link for record ${FIX.objection.record_id}; using the first one`);
      link = links;
    }
    link = link.first();
    const href = await link.getAttribute('href');
    assert.match(href, /^\/portal\/objection\?record=/, `objection link is ${href}`);
    await link.scrollIntoViewIfNeeded();
    await shot(page, 'portal-archive-objection-link');
    await Promise.all([page.waitForURL(/\/portal\/objection\?record=/, { timeout: TIMEOUT }), link.click()]);
    await settle(page);
    guard.clean('objection form');
    await page.fill('#applicant_name', '张测试');
    await page.fill('#contact', '13800000000');
    await page.fill('#reasons', '浏览器测试：该处罚决定已被复议机关撤销，申请更正公示信息。');
    await shot(page, 'portal-objection-filled');
    await page.click('#submit-objection');
    await page.locator('#result').waitFor({ state: 'visible', timeout: TIMEOUT });
    const trackingNo = await textOf(page, '#tracking-no');
    const accessCode = await textOf(page, '#access-code');
    assert.ok(trackingNo.length >= 6, `#tracking-no is ${JSON.stringify(trackingNo)}`);
    assert.ok(accessCode.length >= 4, `#access-code is ${JSON.stringify(accessCode)}`);
    await settle(page);
    guard.clean('objection filed');
    await shot(page, 'portal-objection-filed');
    // Tracking.
    await open(page, guard, '/portal/track', 'track');
    await page.fill('#tracking_no', trackingNo);
    if (await page.locator('#access_code').count()) await page.fill('#access_code', accessCode);
    await page.click('#track');
    await page.locator('#track-result').waitFor({ state: 'visible', timeout: TIMEOUT });
    const trackState = await textOf(page, '#track-state');
    assert.ok(trackState.length > 0, '#track-state is empty');
    assert.match(trackState, /[\u4e00-\u9fff]/, `#track-state is not in Chinese: ${JSON.stringify(trackState)}`);
    const trackText = await page.locator('#track-result').innerText();
    assert.ok(trackText.includes(trackingNo) || (await page.inputValue('#tracking_no')) === trackingNo, 'track result does not name the tracking number');
    await settle(page);
    guard.clean('track result');
    await shot(page, 'portal-track-result');
    // The archive now marks the record.
    await page.goto(archiveUrl, { waitUntil: 'load' });
    await settle(page);
    guard.clean('archive after the objection');
    const text = await page.locator('main').innerText();
    assert.ok(text.includes('异议处理中'), 'the archive does not show 异议处理中 after the objection');
    await page.getByText('异议处理中').first().scrollIntoViewIfNeeded();
    await shot(page, 'portal-archive-objection-pending');
  },
  () => pub.page,
);

await step(
  'f',
  `credit report on ${FIX.report.name}: PDF, verified, altered and refused, verified by number and code`,
  async () => {
    const { page, guard } = office;
    if (!state.loggedIn) {
      await consoleLogin(page, guard, staff);
      state.loggedIn = true;
    }
    // The subject is found by its code and picked from the list (no id to type).
    await open(page, guard, `/console/reports/credit?q=${encodeURIComponent(FIX.report.uscc)}`, 'console credit report');
    await page.click(`[data-pick="${FIX.report.id}"]`);
    await shot(page, 'console-report-form');
    const issued = page.waitForResponse(
      (r) => new URL(r.url()).pathname === '/api/v1/credit-reports' && r.request().method() === 'POST',
      { timeout: 60_000 },
    );
    await page.click('#issue-report');
    const resp = await issued;
    const issuedBody = await resp.text().catch(() => '');
    if (resp.status() !== 201) assert.fail(`POST /api/v1/credit-reports answered ${resp.status()}: ${issuedBody.slice(0, 300)}`);
    const { report_no: reportNo, verification_code: code } = JSON.parse(issuedBody);
    const pdfLink = page.locator('#report-pdf');
    await pdfLink.waitFor({ state: 'visible', timeout: 60_000 });
    await settle(page);
    guard.clean('report issued');
    const shown = await page.locator('main').innerText();
    assert.ok(shown.includes(reportNo), `the page does not show the report number ${reportNo}`);
    assert.ok(shown.replace(/[\s-]/g, '').includes(code.replace(/[\s-]/g, '')), 'the page does not show the verification code');
    await shot(page, 'console-report-issued');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), pdfLink.click()]);
    const pdfFile = outFile('credit-report.pdf');
    await download.saveAs(pdfFile);
    assert.equal(await download.failure(), null, 'the PDF download failed');
    const pdf = readFileSync(pdfFile);
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-', 'the download is not a PDF');
    guard.clean('PDF download');
    // Page 1 as an image, the text layer in Chinese.
    const pngBase = pdfFile.replace(/\.pdf$/, '-page');
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', pdfFile, pngBase]);
    shots.push(`${pngBase}.png`);
    const text = execFileSync('pdftotext', ['-layout', pdfFile, '-'], { encoding: 'utf8' });
    assert.ok(text.includes('信用报告'), `pdftotext shows no 信用报告: ${JSON.stringify(text.slice(0, 200))}`);
    assert.ok(text.includes(FIX.report.name), `pdftotext shows no subject name ${FIX.report.name}`);
    assert.ok(text.includes(reportNo), `pdftotext shows no report number ${reportNo}`);
    // The same report as a web page (from the stored signed report), with its QR as SVG.
    const htmlLink = page.locator('#report-html');
    if (await htmlLink.count()) {
      await Promise.all([page.waitForURL(/\/console\/reports\/credit\//, { timeout: TIMEOUT }), htmlLink.click()]);
      await settle(page);
      guard.clean('report as HTML');
      const web = await page.locator('main').innerText();
      assert.ok(web.includes(reportNo) && web.includes(FIX.report.name), 'the HTML report lacks its number or subject');
      assert.ok((await page.locator('main svg').count()) > 0, 'the HTML report has no QR code');
      await shot(page, 'console-report-html');
      await page.goBack();
    } else {
      warn('no #report-html link on the report page');
    }

    // The portal: the PDF as issued passes.
    const v = pub;
    const good = await verifyUpload(v.page, v.guard, pdfFile, 'original PDF');
    assert.ok(good.classes.includes('ok'), `#verify-result class is ${good.classes.join(' ')} for the original PDF: ${good.text}`);
    assert.ok(good.text.includes('验证通过'), `#verify-result says ${JSON.stringify(good.text)}`);
    assert.ok(good.text.includes(FIX.report.name) || good.text.includes(reportNo), 'the verification does not show what the report says');
    await shot(v.page, 'portal-verify-pdf-ok');
    // One byte of the signed payload changed.
    const t1 = tamperPayload(pdf);
    const t1File = outFile('credit-report-payload-altered.pdf');
    writeFileSync(t1File, t1.bytes);
    const bad1 = await verifyUpload(v.page, v.guard, t1File, 'payload altered');
    assert.ok(bad1.classes.includes('err'), `#verify-result class is ${bad1.classes.join(' ')} for an altered payload (byte ${t1.offset}): ${bad1.text}`);
    assert.ok(bad1.text.includes('验证失败'), `#verify-result says ${JSON.stringify(bad1.text)} for an altered payload`);
    await shot(v.page, 'portal-verify-payload-altered');
    // One byte elsewhere changed.
    const t2 = tamperElsewhere(pdf);
    const t2File = outFile('credit-report-byte-altered.pdf');
    writeFileSync(t2File, t2.bytes);
    const bad2 = await verifyUpload(v.page, v.guard, t2File, 'other byte altered');
    assert.ok(bad2.classes.includes('err'), `#verify-result class is ${bad2.classes.join(' ')} for a byte altered outside the payload (byte ${t2.offset}): ${bad2.text}`);
    assert.ok(bad2.text.includes('验证失败'), `#verify-result says ${JSON.stringify(bad2.text)} for a byte altered outside the payload`);
    await shot(v.page, 'portal-verify-byte-altered');
    // By number and code.
    await open(v.page, v.guard, '/portal/verify', 'portal verify');
    await v.page.fill('#report_no', reportNo);
    await v.page.fill('#report_code', code);
    await v.page.click('#verify');
    const byCode = await readVerifyResult(v.page, v.guard, 'number and code');
    assert.ok(byCode.classes.includes('ok') && byCode.text.includes('验证通过'), `verification by number and code: class ${byCode.classes.join(' ')}, ${JSON.stringify(byCode.text)}`);
    await shot(v.page, 'portal-verify-code-ok');
    // A wrong code is refused.
    await open(v.page, v.guard, '/portal/verify', 'portal verify');
    await v.page.fill('#report_no', reportNo);
    const wrong = code.replace(/[0-9A-Z](?=[^0-9A-Z]*$)/, (c) => (c === 'A' ? 'B' : 'A'));
    await v.page.fill('#report_code', wrong);
    await v.page.click('#verify');
    const byWrong = await readVerifyResult(v.page, v.guard, 'wrong code');
    assert.ok(byWrong.classes.includes('err') && byWrong.text.includes('验证失败'), `verification with a wrong code: class ${byWrong.classes.join(' ')}, ${JSON.stringify(byWrong.text)}`);
    await shot(v.page, 'portal-verify-code-wrong');
  },
  () => [office.page, pub.page],
);

const freshCtx = fresh.user ? await newContext('fresh account') : null;
await step(
  'h',
  `first login of ${fresh.user || '(no account)'} on its one-time password: the forced change`,
  async () => {
    assert.ok(freshCtx, 'CX_FRESH_USER not set');
    const { page, guard } = freshCtx;
    const newPassword = `Cx-${Date.now().toString(36)}-Browser9`;
    await consoleLogin(page, guard, fresh, { newPassword });
    await open(page, guard, '/console', 'console dashboard (fresh account)');
    assert.ok(!new URL(page.url()).pathname.startsWith('/console/login'), 'still on the login page after the change');
    await shot(page, 'console-dashboard-after-password-change');
  },
  () => freshCtx && freshCtx.page,
);

await step(
  'i',
  'a complaint filed on the portal, answered with a tracking number, found again',
  async () => {
    const { page, guard } = pub;
    await open(page, guard, '/portal/complaint', 'complaint');
    await page.fill('#about', '常州市发展和改革委员会');
    await page.fill('#complaint_content', '浏览器测试：招商引资承诺的奖励资金逾期未兑现。');
    await page.fill('#complainant', '李测试');
    await page.fill('#complaint_contact', '13800000001');
    await page.click('#submit-complaint');
    await page.locator('#complaint-receipt').waitFor({ state: 'visible', timeout: TIMEOUT });
    const no = await textOf(page, '#receipt-no');
    const code = await textOf(page, '#receipt-code');
    assert.match(no, /^TS-\d{8}-[0-9A-Z]{6}$/, `#receipt-no is ${JSON.stringify(no)}`);
    await settle(page);
    guard.clean('complaint filed');
    await shot(page, 'portal-complaint-filed');
    await open(page, guard, `/portal/track?no=${encodeURIComponent(no)}`, 'track complaint');
    await page.fill('#access_code', code);
    await page.click('#track');
    await page.locator('#track-timeline').waitFor({ state: 'visible', timeout: TIMEOUT });
    const state = await textOf(page, '#track-state');
    assert.ok(state.includes('已受理'), `#track-state is ${JSON.stringify(state)}`);
    await shot(page, 'portal-track-complaint');
  },
  () => pub.page,
);

await step(
  'j',
  `the closed-loop cases page of ${staff.user} (credit_office, 320400): its region's cases`,
  async () => {
    assert.ok(state.loggedIn, 'step c did not log in');
    const { page, guard } = office;
    await open(page, guard, '/console/cases?show=all', 'console cases');
    const rows = page.locator('table tbody tr td.region');
    const n = await rows.count();
    assert.ok(n > 0, 'the demo opens closed-loop cases; the page lists none');
    for (const r of await rows.allInnerTexts()) {
      assert.match(r, /常州市/, `a case of another region is listed: ${JSON.stringify(r)}`);
    }
    await shot(page, 'console-cases');
  },
  () => office.page,
);

await step(
  'k',
  'the submitting department\'s day (as the office submitting for it): XLSX template, pre-check (nothing stored), confirm, 我的报送批次',
  async () => {
    const { page, guard } = office;
    if (!state.loggedIn) {
      await consoleLogin(page, guard, staff);
      state.loggedIn = true;
    }
    await open(page, guard, '/console/submit', 'console submit (pre-check)');
    await page.locator('#type').selectOption('admin_penalty');
    const dept = page.locator('#dept');
    if (await dept.isEditable()) await dept.fill(FIX.dept.uscc);
    // The template of the type: an XLSX (a ZIP: "PK").
    const link = page.locator('a.template-link[data-type="admin_penalty"]');
    await link.waitFor({ state: 'visible' });
    const [tpl] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }), link.click()]);
    const tplFile = outFile(tpl.suggestedFilename() || 'template.xlsx');
    await tpl.saveAs(tplFile);
    assert.equal(await tpl.failure(), null, 'the template download failed');
    assert.equal(readFileSync(tplFile).subarray(0, 2).toString('latin1'), 'PK', 'the template is not an XLSX file');
    // Pre-check a file with broken rows: counts shown, nothing stored yet.
    const upload = makeUploadCsv();
    const file = outFile('precheck-penalties.csv');
    writeFileSync(file, upload.csv);
    await page.locator('#file').setInputFiles(file);
    await page.click('#precheck');
    await page.locator('#precheck-view').waitFor({ state: 'visible', timeout: 120_000 });
    await settle(page);
    guard.clean('pre-check result');
    const added = Number((await textOf(page, '#pc-added')).replace(/[^\d]/g, ''));
    const rejected = Number((await textOf(page, '#pc-rejected')).replace(/[^\d]/g, ''));
    assert.equal(rejected, upload.bad.length, `#pc-rejected ${rejected}, expected ${upload.bad.length}`);
    assert.equal(added, upload.good, `#pc-added ${added}, expected ${upload.good}`);
    await page.locator('#precheck-view').scrollIntoViewIfNeeded();
    await shot(page, 'console-precheck');
    // Confirm: stored, the batch result replaces the pre-check.
    await page.click('#confirm');
    await page.locator('#batch-result').waitFor({ state: 'visible', timeout: 120_000 });
    await page.locator('#rejected-count').waitFor({ state: 'visible', timeout: 60_000 });
    await settle(page);
    guard.clean('confirmed batch');
    const stored = Number((await textOf(page, '#rejected-count')).replace(/[^\d]/g, ''));
    assert.equal(stored, upload.bad.length, `confirmed batch rejected ${stored}, expected ${upload.bad.length}`);
    await shot(page, 'console-precheck-confirmed');
    // 我的报送批次: the batch is listed, by its file name, with the type's name.
    await open(page, guard, '/console/batches', 'console batch history');
    const history = page.locator('#batch-history');
    await history.waitFor({ state: 'visible' });
    const text = await history.innerText();
    assert.ok(text.includes('precheck-penalties.csv'), 'the confirmed batch is not in 我的报送批次');
    assert.match(text, /行政处罚/, '我的报送批次 shows no type name');
    assert.doesNotMatch(text, /admin_penalty|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}/, '我的报送批次 shows a code or a UUID');
    await shot(page, 'console-batch-history');
    await open(phone.page, phone.guard, '/portal/commitments', '承诺公示 (phone)');
    await checkPhoneWidth(phone.page, '承诺公示 at 390px');
    await shot(phone.page, 'phone-portal-commitments');
  },
  () => [office.page, phone.page],
);

await step(
  'l',
  'the credit office\'s list work: 认定 a new 重点关注名单 entry and start its publicity; the demo entry whose publicity has ended to 生效, then 移出',
  async () => {
    const { page, guard } = office;
    if (!state.loggedIn) {
      await consoleLogin(page, guard, staff);
      state.loggedIn = true;
    }
    assert.ok(FIX.propose, 'the demo has no enterprise on no list');
    assert.ok(FIX.waiting, 'the demo has no entry waiting for 生效');
    acceptDialogs(page);
    // 认定: the form, the recognising body picked from its list (name and code).
    await open(page, guard, '/console/lists', 'console lists');
    await page.locator('#propose summary').click();
    await page.locator('#p-list').selectOption('watch_list');
    await page.fill('#p-subject', FIX.propose.uscc);
    await page.fill('#p-standard', '一年内受到三次以上行政处罚');
    await page.fill('#p-basis', '《江苏省社会信用条例》第三十二条');
    const body = await page.locator('#p-body-list option').first().getAttribute('value');
    assert.ok(body && /[0-9A-Z]{18}$/.test(body), `the body list offers ${JSON.stringify(body)}`);
    await page.fill('#p-body', body);
    await page.fill('#p-evidence', '常市监罚〔2026〕101号\n常市监罚〔2026〕102号');
    await shot(page, 'console-list-propose');
    await Promise.all([
      page.waitForEvent('load', { timeout: TIMEOUT }),
      page.click('button[data-api="/console/lists/propose"]'),
    ]);
    await settle(page);
    guard.clean('after 认定');
    // The new entry, by the subject's name, in the proposed entries.
    await open(page, guard, '/console/lists?status=proposed', 'console lists (proposed)');
    const link = page
      .locator('table tbody tr', { hasText: FIX.propose.name })
      .locator('a[href^="/console/lists/"]')
      .first();
    await link.waitFor({ state: 'visible', timeout: TIMEOUT });
    await Promise.all([page.waitForEvent('load'), link.click()]);
    await settle(page);
    assert.match(await page.locator('main').innerText(), /拟列入/);
    await page.fill('#n-pub', '常信公〔2026〕8号');
    await Promise.all([page.waitForEvent('load', { timeout: TIMEOUT }), page.click('button[data-done="已开始公示"]')]);
    await settle(page);
    guard.clean('after 开始公示');
    let text = await page.locator('main').innerText();
    assert.match(text, /公示中/, 'the entry is not in publicity');
    assert.ok(text.includes('常信公〔2026〕8号'));
    await shot(page, 'console-list-publicity');
    // 生效 of the entry whose publicity has ended, then 移出.
    await open(page, guard, `/console/lists/${FIX.waiting.id}`, 'console entry waiting for 生效');
    await page.fill('#n-eff', '常信决〔2026〕3号');
    await Promise.all([page.waitForEvent('load', { timeout: TIMEOUT }), page.click('button[data-done="已生效"]')]);
    await settle(page);
    guard.clean('after 生效');
    text = await page.locator('main').innerText();
    assert.match(text, /已生效/, 'the entry did not take effect');
    await shot(page, 'console-list-effective');
    await page.locator('#n-reason').selectOption('revoked');
    await page.fill('#n-rm', '常信撤〔2026〕1号');
    await Promise.all([page.waitForEvent('load', { timeout: TIMEOUT }), page.click('button[data-done="已移出"]')]);
    await settle(page);
    guard.clean('after 移出');
    text = await page.locator('main').innerText();
    assert.match(text, /已移出/, 'the entry was not removed');
    assert.doesNotMatch(text, /watch_list|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}/, 'the entry page shows a code or a UUID');
    await shot(page, 'console-list-removed');
  },
  () => office.page,
);

await step(
  'm',
  'the credit office publishes a notice: draft → 发布 → on the portal home; errors end in Chinese',
  async () => {
    const { page, guard } = office;
    if (!state.loggedIn) {
      await consoleLogin(page, guard, staff);
      state.loggedIn = true;
    }
    const title = `关于开展政务诚信专项检查的通知（${Date.now() % 100000}）`;
    await open(page, guard, '/console/portal', 'console portal content');
    await page.locator('#pp-kind').selectOption({ index: 0 });
    await page.fill('#pp-title', title);
    await page.fill('#pp-body', '各区、各部门：\n为推进政务诚信建设，定于本月开展专项检查。\n常州市社会信用体系建设领导小组办公室');
    await Promise.all([page.waitForEvent('load', { timeout: TIMEOUT }), page.click('#pp-new button[type="submit"]')]);
    await settle(page);
    guard.clean('after 保存草稿');
    const row = page.locator('#portal-pages tbody tr', { hasText: title });
    await row.waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.match(await row.innerText(), /草稿/, 'the new notice is not a draft');
    // A stale version is refused: the sentence is Chinese, the code is only an attribute.
    const publish = row.locator('button[data-action="publish"]');
    await publish.evaluate((b) => { b.dataset.version = String(Number(b.dataset.version) + 7); });
    await publish.click();
    const msg = page.locator('#pp-msg');
    await msg.waitFor({ state: 'visible', timeout: TIMEOUT });
    const said = await msg.innerText();
    assert.match(said, /[\u4e00-\u9fff]/, `the error says ${JSON.stringify(said)}`);
    assert.doesNotMatch(said, /（[a-z_]+）|\([a-z_]+\)/, `the error ends in a code: ${JSON.stringify(said)}`);
    assert.ok(await msg.getAttribute('data-code'), 'the error carries no data-code');
    await shot(page, 'console-notice-stale');
    guard.forgive(/status of 409 \(Conflict\)/);
    await open(page, guard, '/console/portal', 'console portal content (again)');
    await Promise.all([
      page.waitForEvent('load', { timeout: TIMEOUT }),
      page.locator('#portal-pages tbody tr', { hasText: title }).locator('button[data-action="publish"]').click(),
    ]);
    await settle(page);
    guard.clean('after 发布');
    assert.match(await page.locator('#portal-pages tbody tr', { hasText: title }).innerText(), /已发布/);
    await shot(page, 'console-notice-published');
    await open(pub.page, pub.guard, '/', 'portal home');
    assert.ok((await pub.page.locator('main').innerText()).includes(title), 'the portal home does not list the published notice');
    await shot(pub.page, 'portal-home-notice');
  },
  () => [office.page, pub.page],
);

const adminCtx = admin.user ? await newContext('administrator') : null;
await step(
  'n',
  'the administrator creates an account with its region picked by name from the list',
  async () => {
    assert.ok(adminCtx, 'no administrator account (run scripts/browser-test)');
    const { page, guard } = adminCtx;
    await consoleLogin(page, guard, admin, { newPassword: newPassword() });
    await open(page, guard, '/console/accounts', 'console accounts');
    const option = await page.locator('#region-list option[value*="溧阳"]').first().getAttribute('value');
    assert.ok(option && /^\d{6} \S*溧阳/.test(option), `the region list offers ${JSON.stringify(option)}`);
    const username = `liyang-${Date.now() % 100000}`;
    await page.fill('#acc-username', username);
    await page.fill('#acc-display', '溧阳市发改委报送员');
    await page.fill('#acc-region', option);
    await page.locator('input[name="acc-role"][value="submitting_department"]').check();
    await page.click('#create-account');
    await page.locator('#account-result').waitFor({ state: 'visible', timeout: TIMEOUT });
    const result = await page.locator('#account-result').innerText();
    assert.ok(result.includes(username), `the result shows ${JSON.stringify(result)}`);
    assert.match(result, /一次性密码/);
    await shot(page, 'console-account-created');
    await open(page, guard, '/console/accounts', 'console accounts (after)');
    const row = await page.locator('table tbody tr', { hasText: username }).innerText();
    assert.match(row, /溧阳市/, `the new account's row: ${JSON.stringify(row)}`);
    assert.match(row, /报送部门/, `the new account's row: ${JSON.stringify(row)}`);
    assert.doesNotMatch(row, /submitting_department/);
  },
  () => adminCtx && adminCtx.page,
);

const auditCtx = auditor.user ? await newContext('auditor') : null;
await step(
  'o',
  'the auditor runs 防篡改校验 from the audit page: 通过',
  async () => {
    assert.ok(auditCtx, 'no auditor account (run scripts/browser-test)');
    const { page, guard } = auditCtx;
    await consoleLogin(page, guard, auditor, { newPassword: newPassword() });
    await open(page, guard, '/console/audit', 'console audit');
    await Promise.all([page.waitForEvent('load', { timeout: 120_000 }), page.click('#run-verify')]);
    await settle(page);
    guard.clean('after 校验');
    const result = await page.locator('#verify-result').innerText();
    assert.match(result, /通过/, `#verify-result: ${JSON.stringify(result)}`);
    assert.doesNotMatch(result, /未通过/, `#verify-result: ${JSON.stringify(result)}`);
    await page.locator('#log-verify').scrollIntoViewIfNeeded();
    await shot(page, 'console-audit-verified');
  },
  () => auditCtx && auditCtx.page,
);

const finCtx = finance.user ? await newContext('implementing department') : null;
await step(
  'p',
  'a closed-loop case: 分发 by the credit office, 签收 → 实施 → 反馈 by the finance bureau',
  async () => {
    assert.ok(FIX.case, 'the demo has no finance case waiting for 分发');
    assert.ok(finCtx, 'no implementing-department account (run scripts/browser-test)');
    const { page, guard } = office;
    if (!state.loggedIn) {
      await consoleLogin(page, guard, staff);
      state.loggedIn = true;
    }
    const path = `/console/cases/${encodeURIComponent(FIX.case.id)}`;
    const act = async (p, g, label, note) => {
      if (note) await p.fill('#case-note', note);
      await Promise.all([
        p.waitForEvent('load', { timeout: TIMEOUT }),
        p.click(`button[data-done="已${label}"]`),
      ]);
      await settle(p);
      g.clean(`after ${label}`);
    };
    await open(page, guard, path, 'case (credit office)');
    assert.ok((await page.locator('main').innerText()).includes(FIX.case.name), 'the case page does not name the subject');
    await act(page, guard, '分发');
    assert.match(await page.locator('main').innerText(), /签收.*由.*办理|下一步“签收”/s, 'the case was not distributed');
    await shot(page, 'console-case-distributed');
    // The finance bureau: its first login, then the case from its own queue.
    const fin = finCtx;
    await consoleLogin(fin.page, fin.guard, finance, { newPassword: newPassword() });
    state.finIn = true;
    await open(fin.page, fin.guard, '/console/cases', 'cases (implementing department)');
    assert.ok((await fin.page.locator('main').innerText()).includes(FIX.case.name), 'the department\'s queue does not list the case by its subject');
    await open(fin.page, fin.guard, path, 'case (implementing department)');
    const main = await fin.page.locator('main').innerText();
    assert.ok(main.includes(FIX.case.name), 'the department\'s case page does not name the subject');
    assert.doesNotMatch(main, /finance|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}/, 'the case page shows a code or a UUID');
    await act(fin.page, fin.guard, '签收');
    await act(fin.page, fin.guard, '实施', '已在财政资金安排中对该主体采取限制措施。');
    await act(fin.page, fin.guard, '反馈', '限制措施已落实，反馈市信用办。');
    const done = await fin.page.locator('main').innerText();
    assert.ok(done.includes('限制措施已落实，反馈市信用办。'), 'the 反馈 note is not on the case page');
    assert.ok(done.includes('已在财政资金安排中对该主体采取限制措施。'), 'the 实施 note is not on the case page');
    await shot(fin.page, 'console-case-reported');
  },
  () => [office.page, finCtx && finCtx.page],
);

await step(
  'q',
  'commitments: a town\'s public commitment registered, kept, changed by law and on the portal; a noticed breach explained and found; 责任回溯 across a 换届',
  async () => {
    assert.ok(FIX.town, 'the demo has no town public commitment');
    assert.ok(FIX.noticed, 'the demo has no noticed breach');
    const { page, guard } = office;
    if (!state.loggedIn) {
      await consoleLogin(page, guard, staff);
      state.loggedIn = true;
    }
    acceptDialogs(page);
    const title = `村道硬化及路灯安装公开承诺（${Date.now() % 100000}）`;
    await open(page, guard, '/console/commitments', 'console commitments');
    await page.locator('#cm-k').selectOption('town_public');
    await page.fill('#cm-t', title);
    await pickBody(page, 'cm-pu', FIX.town.name);
    await page.fill('#cm-cn', '辖区群众');
    await page.fill('#cm-c', '年内完成辖区村道硬化 12 公里并安装路灯 300 盏。');
    await page.fill('#cm-lb', '2026 年为民办实事项目公开承诺书');
    await page.fill('#cm-m', '村道硬化完工|2027-06-30|\n路灯安装完工|2027-09-30|');
    await shot(page, 'console-commitment-new');
    await Promise.all([
      page.waitForURL((u) => /^\/console\/commitments\/[0-9a-f-]{36}$/.test(u.pathname), { timeout: TIMEOUT }),
      page.click('#cm-new button[type="submit"]'),
    ]);
    await settle(page);
    guard.clean('after 登记');
    let main = await page.locator('main').innerText();
    assert.ok(main.includes(title) && main.includes(FIX.town.name), 'the new commitment page lacks its title or promisor');
    const no = (await textOf(page, '#commitment-no')).trim();
    // 确认兑现 of the first milestone.
    await page.locator('#milestones details', { hasText: '确认兑现' }).first().locator('summary').click();
    await page.fill('#m1-keep-on', new Date().toISOString().slice(0, 10));
    await page.fill('#m1-keep-note', '已完成并经验收');
    await Promise.all([page.waitForEvent('load', { timeout: TIMEOUT }), page.click('button[data-done="已确认兑现"]')]);
    await settle(page);
    guard.clean('after 确认兑现');
    assert.match(await page.locator('#milestones').innerText(), /已兑现/, 'the milestone is not kept');
    // The second milestone changed by law, with its compensation (not a breach).
    await page.locator('#milestones details', { hasText: '依法变更并补偿' }).last().locator('summary').click();
    await page.fill('#m2-basis', '《江苏省政府投资项目管理办法》：项目因规划调整依法变更');
    await page.fill('#m2-comp', '路灯安装改由县级统一实施，镇政府补偿村集体前期投入');
    await page.fill('#m2-comp-amt', '150000.00');
    await page.fill('#m2-change-on', new Date().toISOString().slice(0, 10));
    await Promise.all([page.waitForEvent('load', { timeout: TIMEOUT }), page.click('button[data-done="已记录依法变更及补偿"]')]);
    await settle(page);
    guard.clean('after 依法变更');
    assert.match(await page.locator('#milestones').innerText(), /依法变更/, 'the lawful change is not shown');
    await shot(page, 'console-commitment-kept');
    // 承诺公示 on the portal: the town's commitment, by its number and title.
    await open(pub.page, pub.guard, `/portal/commitments?q=${encodeURIComponent(no)}`, 'portal 承诺公示');
    const portal = await pub.page.locator('main').innerText();
    assert.ok(portal.includes(title), `承诺公示 does not show ${no}`);
    await shot(pub.page, 'portal-commitment');
    // The noticed breach: the promisor's explanation, then the office's finding.
    await open(page, guard, `/console/commitments/${FIX.noticed.id}`, 'the noticed commitment');
    const m = FIX.noticed.seq;
    await page.locator('details', { hasText: '情况说明' }).first().locator('summary').click();
    await page.fill(`#m${m}-explain`, '因资金调度原因未能按期兑现，已制定补救方案。');
    await Promise.all([page.waitForEvent('load', { timeout: TIMEOUT }), page.click('button[data-done="已提交情况说明"]')]);
    await settle(page);
    guard.clean('after 情况说明');
    await page.locator('details', { hasText: '违约认定' }).first().locator('summary').click();
    await page.fill(`#m${m}-finding`, '未按协议约定期限兑现奖补资金，且无法定免责事由。');
    await page.fill(`#m${m}-doc`, '常信认〔2026〕51号');
    await Promise.all([page.waitForEvent('load', { timeout: TIMEOUT }), page.click('button[data-done="已认定违约并记入失信信息"]')]);
    await settle(page);
    guard.clean('after 认定违约');
    main = await page.locator('#milestones').innerText();
    assert.match(main, /违约/, 'the milestone is not breached');
    assert.ok(main.includes('常信认〔2026〕51号') || (await page.locator('main').innerText()).includes('常信认〔2026〕51号'),
      'the finding\'s document number is not shown');
    await shot(page, 'console-commitment-breached');
    // 责任回溯 across a 换届: the district government's principal before and after it.
    const who = async (day) => {
      await open(page, guard, `/console/staff/responsible?q=${encodeURIComponent('常州市武进区人民政府')}&day=${day}`, '责任回溯 search');
      await Promise.all([page.waitForEvent('load', { timeout: TIMEOUT }), page.locator('#bodies a', { hasText: '选择' }).first().click()]);
      await settle(page);
      await Promise.all([page.waitForEvent('load', { timeout: TIMEOUT }), page.click('form.card button[type="submit"]')]);
      await settle(page);
      guard.clean(`责任回溯 on ${day}`);
      return (await textOf(page, '#responsibility')).trim();
    };
    const before = await who('2022-06-01');
    const after = await who('2024-06-01');
    assert.match(before, /区长/, `no principal on 2022-06-01: ${before}`);
    assert.match(after, /区长/, `no principal on 2024-06-01: ${after}`);
    assert.notEqual(before.replace(/2022-06-01/g, ''), after.replace(/2024-06-01/g, ''), 'the same principal before and after the 换届');
    assert.doesNotMatch(after, /\d{17}[\dX]/, 'an ID number in clear on the 责任回溯 page');
    await shot(page, 'console-responsibility');
  },
  () => [office.page, pub.page],
);


/** The office's console session (logged in once for the steps that share it). */
async function officeIn() {
  if (!state.loggedIn) {
    await consoleLogin(office.page, office.guard, staff);
    state.loggedIn = true;
  }
  acceptDialogs(office.page);
  return office;
}

/** The finance bureau's session (its first login changes the one-time password). */
async function financeIn() {
  assert.ok(finCtx, 'no implementing-department account (run scripts/browser-test)');
  if (!state.finIn) {
    await consoleLogin(finCtx.page, finCtx.guard, finance, { newPassword: newPassword() });
    state.finIn = true;
  }
  acceptDialogs(finCtx.page);
  return finCtx;
}

/** Pick a body in a picker input by its name: the option of the input's list labelled with it. */
async function pickBody(page, inputId, name) {
  const list = await page.locator(`#${inputId}`).getAttribute('list');
  assert.ok(list, `#${inputId} has no list to pick from`);
  const options = await page.locator(`datalist#${list} option`).evaluateAll((os) => os.map((o) => [o.value, o.label]));
  const hit = options.find(([, label]) => label === name);
  assert.ok(hit, `${name} is not offered in #${list} (${options.length} options)`);
  // Typed in full, the name becomes its code (app.js), as picking it from the list would.
  await page.fill(`#${inputId}`, name);
  await page.locator(`#${inputId}`).dispatchEvent('change');
  assert.equal(await page.inputValue(`#${inputId}`), hit[0], `#${inputId} did not take the picked body's code`);
}

/** One step of a work item (督办事项) from its page: the action's form, then its button. */
async function workStep(p, g, code, { text, choice, file } = {}) {
  const form = p.locator(`details#step-${code}`);
  await form.waitFor({ state: 'attached', timeout: TIMEOUT });
  await form.locator('summary').click();
  if (choice) await p.locator(`#wa-${code}-choice`).selectOption(choice);
  if (text) await p.fill(`#wa-${code}-text`, text);
  if (file) {
    await p.setInputFiles(`#wa-${code}-files`, file);
    await p.waitForFunction((id) => (document.getElementById(id) || {}).value, `wa-${code}-att`, { timeout: TIMEOUT });
  }
  await Promise.all([p.waitForEvent('load', { timeout: TIMEOUT }), form.locator('button[data-api]').click()]);
  await settle(p);
  g.clean(`after ${code}`);
}

/** A new work item from the office's 交办 form; returns its page path. */
async function openWorkItem(page, guard, { kind, title, ref, proposer, content, required, deadline }) {
  await open(page, guard, '/console/work', 'console work items');
  await page.locator('#wi-k').selectOption(kind);
  await page.fill('#wi-t', title);
  if (ref) await page.fill('#wi-r', ref);
  if (proposer) await page.fill('#wi-p', proposer);
  await pickBody(page, 'wi-o', FIX.fin.name);
  await page.fill('#wi-c', content);
  if (required) await page.fill('#wi-rq', required);
  if (deadline) await page.fill('#wi-dl', deadline);
  await Promise.all([
    page.waitForURL((u) => /^\/console\/work\/[0-9a-f-]{36}$/.test(u.pathname), { timeout: TIMEOUT }),
    page.click('#wi-new button[type="submit"]'),
  ]);
  await settle(page);
  guard.clean(`after 交办 ${kind}`);
  const main = await page.locator('main').innerText();
  assert.ok(main.includes(title) && main.includes(FIX.fin.name), `the new ${kind} item lacks its title or owner`);
  return new URL(page.url()).pathname;
}

const isoDay = (offsetDays) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

await step(
  'r',
  'supervision: a 政协提案 answered to the proposer\'s satisfaction, a complaint from 分办 to 查实 and 回访, an audit finding rectified and 销号, a quarterly task report and the XLSX overview',
  async () => {
    assert.ok(FIX.fin, 'the demo has no finance bureau subject');
    const { page, guard } = await officeIn();
    const fin = await financeIn();
    const tag = Date.now() % 100000;
    // 政协提案: opened by the office, answered by the finance bureau, rated 满意.
    const proposal = await openWorkItem(page, guard, {
      kind: 'cppcc_proposal', title: `关于加快清理拖欠中小企业账款的提案（${tag}）`, ref: `第${tag}号`,
      proposer: '张委员', content: '建议建立拖欠账款台账并按月通报清偿进度。',
    });
    await shot(page, 'console-work-proposal');
    await open(fin.page, fin.guard, proposal, 'the proposal (finance bureau)');
    await workStep(fin.page, fin.guard, 'reply', { text: '已建立全市拖欠账款台账，按月通报清偿进度。' });
    await open(page, guard, proposal, 'the proposal (office)');
    await workStep(page, guard, 'rate', { choice: 'satisfied', text: '委员表示满意。' });
    assert.match(await page.locator('main').innerText(), /已办结/, 'the proposal is not closed');
    assert.match(await textOf(page, '#work-outcome'), /满意/, 'the outcome is not 满意');
    // 投诉举报: 分办 → 查实 (a 失信 record of the body) → 答复 → 回访满意.
    const complaint = await openWorkItem(page, guard, {
      kind: 'complaint', title: `反映财政资金拨付承诺未兑现（${tag}）`,
      content: '企业反映区财政承诺的奖补资金逾期半年未拨付。',
    });
    await workStep(page, guard, 'assign', { text: '请市财政局核查办理。' });
    await open(fin.page, fin.guard, complaint, 'the complaint (finance bureau)');
    await workStep(fin.page, fin.guard, 'progress', { text: '已调阅拨付档案，正在核查。' });
    await open(page, guard, complaint, 'the complaint (office)');
    await workStep(page, guard, 'result', { choice: 'verified', text: '经核查，奖补资金确未按承诺拨付。' });
    await open(fin.page, fin.guard, complaint, 'the complaint (finance bureau, reply)');
    await workStep(fin.page, fin.guard, 'reply', { text: '已于本周足额拨付并向企业说明情况。' });
    await open(page, guard, complaint, 'the complaint (office, 回访)');
    await workStep(page, guard, 'rate', { choice: 'satisfied' });
    const done = await page.locator('main').innerText();
    assert.match(done, /已办结/, 'the complaint is not closed');
    assert.match(done, /查实/, 'the complaint page does not show the 查实 result');
    assert.doesNotMatch(done, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}/, 'the complaint page shows a UUID');
    await shot(page, 'console-work-complaint-closed');
    // 审计发现问题整改: rectified with evidence by the bureau, accepted (销号) by the office.
    const finding = await openWorkItem(page, guard, {
      kind: 'audit_finding', title: `专项资金未按期拨付问题整改（${tag}）`, ref: `常审〔2026〕${tag}号`,
      content: '审计发现专项资金滞留财政部门超过规定期限。', required: '限期拨付到位并建立拨付时限制度。',
      deadline: isoDay(30),
    });
    await open(fin.page, fin.guard, finding, 'the finding (finance bureau)');
    const evidence = outFile('rectification-evidence.pdf');
    writeFileSync(evidence, '%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    await workStep(fin.page, fin.guard, 'submit', { text: '资金已全部拨付，拨付时限制度已印发。', file: evidence });
    await open(page, guard, finding, 'the finding (office, 销号)');
    await workStep(page, guard, 'accept', { text: '经核实整改到位，同意销号。' });
    assert.match(await page.locator('main').innerText(), /已销号|已办结|已验收/, 'the finding is not closed');
    await shot(page, 'console-work-finding-closed');
    // 重点任务分工: the bureau reports this quarter's progress of its task; the overview exports.
    await open(fin.page, fin.guard, '/console/work/tasks', 'tasks (finance bureau)');
    const form = fin.page.locator('#task-report');
    if (await form.count()) {
      await fin.page.fill('#tr-text', `本季度清理拖欠账款 12 笔（${tag}）。`);
      await Promise.all([fin.page.waitForEvent('load', { timeout: TIMEOUT }), fin.page.click('#task-report button[type="submit"]')]);
      await settle(fin.page);
      fin.guard.clean('after the quarterly report');
    } else {
      warn('r: the finance bureau has no open task report this quarter');
    }
    await shot(fin.page, 'console-work-tasks');
    await open(page, guard, '/console/work/tasks', 'tasks (office)');
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }), page.click('#task-export')]);
    const file = outFile('tasks.xlsx');
    await dl.saveAs(file);
    assert.equal(readFileSync(file).subarray(0, 2).toString('latin1'), 'PK', 'the task overview is not an XLSX file');
    await page.setViewportSize({ width: 390, height: 844 });
    await open(page, guard, '/console/work', 'work items at 390 px');
    await checkPhoneWidth(page, 'work items');
    await shot(page, 'console-work-390');
    await page.setViewportSize({ width: 1366, height: 900 });
  },
  () => [office.page, finCtx && finCtx.page],
);

await step(
  's',
  'arrears and PPP: an arrear entered (debtor picked by name) → confirmed → partly paid → cleared; a PPP breach names the stage\'s responsible person',
  async () => {
    const { page, guard } = await officeIn();
    const tag = Date.now() % 100000;
    await open(page, guard, '/console/arrears', 'console arrears');
    await pickBody(page, 'qk-du', FIX.fin.name);
    await page.fill('#qk-cu', '91320412MA1MXK2L83');
    await page.fill('#qk-cn', '常州示范环保水务有限公司');
    await page.fill('#qk-no', `常财采〔2026〕${tag}号`);
    await page.fill('#qk-name', '污水管网检测服务');
    await page.fill('#qk-ca', '300000.00');
    await page.fill('#qk-a', '120000.00');
    await page.fill('#qk-due', isoDay(-45));
    await shot(page, 'console-arrear-new');
    await Promise.all([
      page.waitForURL((u) => /^\/console\/arrears\/[0-9a-f-]{36}$/.test(u.pathname), { timeout: TIMEOUT }),
      page.click('#qk-new button[type="submit"]'),
    ]);
    await settle(page);
    guard.clean('after 登记拖欠');
    assert.ok((await textOf(page, '#debtor')).includes(FIX.fin.name), 'the arrear does not name its debtor');
    const click = async (done) => {
      await Promise.all([page.waitForEvent('load', { timeout: TIMEOUT }), page.click(`button[data-done="${done}"]`)]);
      await settle(page);
      guard.clean(`after ${done}`);
    };
    if (await page.locator('button[data-done="已确认"]').count()) await click('已确认');
    const pay = async (amount) => {
      await page.locator('details', { hasText: '登记付款' }).first().locator('summary').click();
      await page.fill('#qk-pay', amount);
      await page.fill('#qk-pay-on', isoDay(0));
      await click('已登记付款');
    };
    await pay('50000.00');
    assert.match(await textOf(page, '#outstanding'), /70,?000\.00/, 'the outstanding amount after a partial payment is wrong');
    await pay('70000.00');
    assert.match(await textOf(page, '#outstanding'), /^0(\.00)? 元/, 'the arrear is not cleared');
    assert.match(await page.locator('main').innerText(), /已结清|已清偿/, 'the arrear is not shown as cleared');
    await shot(page, 'console-arrear-cleared');
    // PPP: a breach in the 执行 stage names the person responsible on its date.
    assert.ok(FIX.ppp, 'the demo has no PPP project in its 执行 stage');
    await open(page, guard, `/console/ppp/${FIX.ppp.id}`, 'the PPP project');
    const people = await page.locator('#ppp-responsibles').innerText();
    await page.locator('details', { hasText: '认定政府方失信违约' }).first().locator('summary').click();
    await page.fill('#br-on', isoDay(-7));
    await page.fill('#br-finding', `未按合同约定按期支付可行性缺口补助（${tag}）。`);
    await page.fill('#br-doc', `常信认〔2026〕${tag}号`);
    await click('已认定并记入失信信息');
    const breaches = await page.locator('#ppp-breaches').innerText();
    assert.ok(breaches.includes(`${tag}`), 'the breach is not listed');
    const named = ['钱晓燕', '沈立新', '顾明远'].filter((n) => people.includes(n) && breaches.includes(n));
    assert.ok(named.length > 0, `the breach names no responsible person: ${breaches}`);
    assert.doesNotMatch(breaches, /\d{17}[\dX]/, 'an ID number is shown in clear');
    await shot(page, 'console-ppp-breach');
  },
  () => [office.page],
);

await step(
  't',
  'evaluation and debt: the ranking with its dimensions, one target explained down to its items, warnings, the XLSX export; the debt map, trend and ranking at both widths',
  async () => {
    const { page, guard } = await officeIn();
    await open(page, guard, '/console/evaluation', 'console evaluation');
    if (await page.locator('#eval-ranking').count() === 0) {
      assert.ok(await page.locator('#eval-compute').count(), 'neither a ranking nor a compute button');
      await Promise.all([page.waitForEvent('load', { timeout: TIMEOUT }), page.click('#eval-compute')]);
      await settle(page);
      guard.clean('after 计算');
    }
    await page.locator('#eval-ranking').waitFor({ state: 'visible', timeout: TIMEOUT });
    const ranking = await page.locator('#eval-ranking').innerText();
    assert.doesNotMatch(ranking, /\b3204\d\d\b/, 'the ranking shows region codes instead of names');
    // The dashboard: the map coloured by grade, the scores, the trend, the dimensions.
    for (const card of ['#eval-map-card', '#eval-bars-card', '#eval-trend-card', '#eval-dimension-card']) {
      assert.ok(await page.locator(`${card} svg`).count(), `${card} has no chart`);
    }
    await shot(page, 'console-evaluation');
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }), page.click('#eval-xlsx')]);
    const file = outFile('evaluation.xlsx');
    await dl.saveAs(file);
    assert.equal(readFileSync(file).subarray(0, 2).toString('latin1'), 'PK', 'the ranking export is not an XLSX file');
    await Promise.all([page.waitForEvent('load', { timeout: TIMEOUT }), page.locator('#eval-ranking a').first().click()]);
    await settle(page);
    guard.clean('the explained target');
    await page.locator('#eval-dimensions').waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.ok((await page.locator('#eval-score').innerText()).trim().length > 0, 'no score on the target page');
    await shot(page, 'console-evaluation-target');
    await open(page, guard, '/console/evaluation/warnings', 'evaluation warnings');
    await shot(page, 'console-evaluation-warnings');
    await open(page, guard, '/console/debt', 'console debt');
    for (const card of ['#debt-map-card', '#debt-trend-card', '#debt-ranking-card']) {
      assert.ok(await page.locator(`${card} svg`).count(), `${card} has no chart`);
    }
    await shot(page, 'console-debt');
    await page.setViewportSize({ width: 390, height: 844 });
    await open(page, guard, '/console/debt', 'debt at 390 px');
    await checkPhoneWidth(page, 'debt');
    await shot(page, 'console-debt-390');
    await open(page, guard, '/console/evaluation', 'evaluation at 390 px');
    await checkPhoneWidth(page, 'evaluation');
    await shot(page, 'console-evaluation-390');
    await page.setViewportSize({ width: 1366, height: 900 });
  },
  () => [office.page],
);

// g is checked on every page load inside the steps above; its own line sums it up, after a
// self-test proving the guard sees what it must (a request to another origin, aborted before it
// leaves the browser, and a console error).
if (want('g')) {
  const probe = await newContext('guard self-test', { bypassCSP: true });
  let selfTest = 'guard self-test not run';
  try {
    await open(probe.page, probe.guard, '/', 'guard self-test page');
    await probe.page.evaluate(async () => {
      console.error('guard self-test');
      await fetch('http://127.0.0.2:9/guard-self-test').catch(() => {});
    });
    await sleep(300);
    const seen = probe.guard.problems.splice(0).join('\n');
    const okReq = seen.includes('request to another host: GET http://127.0.0.2:9/guard-self-test');
    const okCon = seen.includes('console error: guard self-test');
    selfTest = okReq && okCon ? null : `guard self-test: off-host request seen ${okReq}, console error seen ${okCon}`;
  } catch (e) {
    selfTest = `guard self-test failed: ${e.message}`;
  }
  await probe.context.close();
  Guard.sweep('at the end');
  const requests = guards.reduce((n, g) => n + g.requests, 0);
  const hits = results.filter((r) => !r.ok && r.error.includes('[g]')).map((r) => r.id);
  // Problems recorded after a step's last check (or in a step that failed before it).
  if (leftovers.length) hits.push(`(not checked by a step: ${leftovers.join('; ')})`);
  const ran = results.length;
  const line = `g  no request to another host and no console error on any page load (${requests} requests in ${ran} steps)`;
  if (selfTest) hits.push(selfTest);
  if (hits.length || ran === 0) {
    results.push({ id: 'g', title: line, ok: false, error: `guard failures in step(s) ${hits.join(', ') || '(no step ran)'}` });
    console.log(`FAIL ${line}\n      see step(s) ${hits.join(', ')}`);
  } else {
    results.push({ id: 'g', title: line, ok: true });
    console.log(`PASS ${line}`);
  }
}

await browser.close();

// ------------------------------------------------------------------------------------------
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
writeFileSync(join(OUT, 'results.json'), JSON.stringify({ base: BASE.origin, results, warnings, shots }, null, 1));
console.log('');
console.log(`screenshots (${shots.length}):`);
for (const s of shots) console.log(`  ${s}`);
if (warnings.length) console.log(`${warnings.length} warning(s) (see WARN lines)`);
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
