// End-to-end check: nrr's TimelineJS3 exports load in the real TimelineJS3 library
// in headless Chromium. Run by tests/e2e/run, which installs the npm packages into
// the work dir, writes tl.json and tl.csv there, and serves the work dir on loopback.
//
// Environment (set by run):
//   NRR_E2E_WORK      the work dir (node_modules/, timeline.html, tl.json, tl.csv)
//   NRR_E2E_BASE_URL  where the work dir is served, e.g. http://127.0.0.1:41234
//   NRR_E2E_CHROMIUM  browser binary (default /usr/bin/chromium)
//
// Prints one line per check and writes a one-line summary to $NRR_E2E_WORK/summary.txt.
// Exit status: 0 if every check passed, 1 otherwise.

import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const WORK = path.resolve(process.env.NRR_E2E_WORK || '');
const BASE = process.env.NRR_E2E_BASE_URL;
const CHROMIUM = process.env.NRR_E2E_CHROMIUM || '/usr/bin/chromium';
if (!process.env.NRR_E2E_WORK || !BASE) {
  console.error('timelinejs.mjs: set NRR_E2E_WORK and NRR_E2E_BASE_URL (tests/e2e/run does)');
  process.exit(2);
}
// playwright-core lives in the work dir's node_modules, not next to this file, so
// resolve it from there (ESM resolution would only search upwards from this file).
const require = createRequire(path.join(WORK, 'package.json'));
const { chromium } = require('playwright-core');

const TLJS = path.join(WORK, 'node_modules', '@knight-lab', 'timelinejs');
const SHOTS = path.join(WORK, 'screenshots');
const VIEWPORT = { width: 1280, height: 800 };
const LOAD_TIMEOUT_MS = 30_000;
// What the first event slide must show: the exporter's earliest event.
const FIRST_HEADLINE = 'London Summit';
const FIRST_DATE = '1990';

// ---------------------------------------------------------------- inputs

// RFC 4180 CSV: quoted fields, "" escapes, CR LF or LF line ends, newlines inside quotes.
function parseCSV(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

// What the input promises, to compare with what TimelineJS made of it.
// Headlines are HTML; they are compared as text in the page (see htmlToText).
function expectationsFromJSON(file) {
  const data = JSON.parse(fs.readFileSync(file, 'utf8'));
  return {
    title: data.title?.text?.headline ?? null,
    events: (data.events || []).map((e) => e.text?.headline ?? ''),
    eras: (data.eras || []).length,
    problems: [],
  };
}

function expectationsFromCSV(file) {
  const problems = [];
  // The header of TimelineJS's own Google Sheets template, from the pinned package.
  const template = fs.readFileSync(path.join(TLJS, 'src', 'template', 'my-own-timeline.csv'), 'utf8');
  const wantHeader = parseCSV(template)[0];
  const rows = parseCSV(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  const header = rows.shift() || [];
  if (header.join(',') !== wantHeader.join(',')) {
    problems.push(`CSV header differs from the TimelineJS template:\n    got:  ${header.join(',')}\n    want: ${wantHeader.join(',')}`);
  }
  const col = (name) => header.indexOf(name);
  const exp = { title: null, events: [], eras: 0, problems };
  rows.forEach((r, i) => {
    if (r.every((v) => v.trim() === '')) return; // TimelineJS skips blank rows too
    if (r.length !== header.length) problems.push(`CSV row ${i + 2} has ${r.length} fields, header has ${header.length}`);
    const type = (r[col('Type')] || '').trim();
    const headline = r[col('Headline')] || '';
    // TimelineJS treats any Type other than 'title'/'era' (even 'Title') as an event and
    // turns a second 'title' into an event with only a warning, which it then drops.
    if (type === 'title') {
      if (exp.title !== null) problems.push(`CSV row ${i + 2}: a second title row`);
      else exp.title = headline;
    } else if (type === 'era') exp.eras++;
    else if (type === '') exp.events.push(headline);
    else problems.push(`CSV row ${i + 2}: Type ${JSON.stringify(type)} is not '', 'title' or 'era'`);
  });
  return exp;
}

// ---------------------------------------------------------------- browser

// Wait until the slide with this id is the one in view and the animations have come
// to rest: the story slider and the time navigator glide to the slide, and the markers
// and eras glide to new places when TimelineJS re-lays out the navigator after
// 'loaded' (options.duration, 1 s by default, each).
async function waitForSlide(page, id) {
  await page.waitForFunction((id) => {
    const slide = document.getElementById(id);
    const box = document.querySelector('.tl-storyslider');
    if (!slide || !box || window.timeline.current_id !== id) return false;
    const moving = [slide, ...document.querySelectorAll('.tl-timenav-slider, .tl-timemarker, .tl-timeera')];
    const pos = moving.map((el) => { const r = el.getBoundingClientRect(); return `${Math.round(r.left)}:${Math.round(r.top)}:${Math.round(r.width)}`; }).join(',');
    const s = (window.__settle ||= { pos: null, same: 0 });
    s.same = pos === s.pos ? s.same + 1 : 0;
    s.pos = pos;
    const inView = Math.abs(slide.getBoundingClientRect().left - box.getBoundingClientRect().left) < 2;
    return inView && s.same >= 3; // unchanged for three polls in a row
  }, id, { polling: 100, timeout: 15_000 });
  await page.evaluate(() => { window.__settle = null; });
}

// The text of the slide's headline and date, as a reader sees them.
function slideText(page, id) {
  return page.evaluate((id) => {
    const el = document.getElementById(id);
    const text = (sel) => (el?.querySelector(sel)?.textContent ?? '').replace(/\s+/g, ' ').trim();
    return { headline: text('.tl-headline'), date: text('.tl-headline-date') };
  }, id);
}

async function checkSource(browser, name, file, exp) {
  const problems = [...exp.problems];
  const shots = [];
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  const origin = new URL(BASE).origin;

  // Nothing may come from anywhere but our loopback server: the sandbox has no
  // network, and a timeline that needs the internet to render is a finding.
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    problems.push(`off-host request blocked: ${url}`);
    return route.abort();
  });
  // Only favicon 404s are ignored: Chromium may ask for /favicon.ico on its own
  // (timeline.html declares an inline icon to avoid it), which says nothing about
  // the timeline. Every other console error or failed request fails the check.
  const isFavicon = (url) => /\/favicon\.ico(\?|$)/.test(url || '');
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !isFavicon(msg.location().url)) {
      problems.push(`console error: ${msg.text()}`);
    } else if (msg.type() === 'warning') {
      console.log(`  [${name}] console warning (not failing): ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => {
    if (new URL(req.url()).origin === origin) problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400 && !isFavicon(res.url())) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });

  const shot = async (label) => {
    const p = path.join(SHOTS, `${name}-${label}.png`);
    await page.screenshot({ path: p });
    shots.push(p);
  };

  try {
    await page.goto(`${BASE}/timeline.html?src=${encodeURIComponent(path.basename(file))}`, { waitUntil: 'load' });
    // 'loaded' (story slider and time navigator drawn) is the readiness signal. If the
    // data is rejected, TimelineJS fires nothing: it shows the errors in the page
    // (.tl-message-full) and keeps them in timeline.config.messages.errors.
    await page.waitForFunction(
      () => window.__tl?.loaded || (window.timeline?.config && !window.timeline.config.isValid()),
      null, { timeout: LOAD_TIMEOUT_MS },
    ).catch(() => problems.push(`timeline not loaded after ${LOAD_TIMEOUT_MS / 1000} s`));

    const state = await page.evaluate((exp) => {
      // HTML to the text a reader sees, without running anything in it.
      const htmlToText = (h) => new DOMParser().parseFromString(h ?? '', 'text/html')
        .body.textContent.replace(/\s+/g, ' ').trim();
      const tl = window.timeline;
      const cfg = tl?.config;
      const slides = [...document.querySelectorAll('.tl-storyslider .tl-slide')];
      const eventSlides = slides.filter((s) => !s.classList.contains('tl-slide-titleslide'));
      const text = (el, sel) => (el.querySelector(sel)?.textContent ?? '').replace(/\s+/g, ' ').trim();
      // TimelineJS does not range-check dates: month 13 or 31 June silently roll over
      // into the next year or month (TLDate._createDateObj), while a display_date still
      // shows the intended text. So check that each date it placed on the time axis
      // has the year, month and day the data gave.
      const dateProblems = [];
      const checkDate = (label, d) => {
        const o = d?.data?.date_obj;
        if (!(o instanceof Date)) return;
        for (const [k, v] of [['year', o.getFullYear()], ['month', o.getMonth() + 1], ['day', o.getDate()]]) {
          const given = d.data[k];
          if (given !== undefined && given !== null && String(given).trim() !== '' && Number(given) !== v) {
            dateProblems.push(`${label}: ${k} ${JSON.stringify(given)} became ${v}`);
          }
        }
      };
      for (const [kind, list] of [['event', cfg?.events || []], ['era', cfg?.eras || []]]) {
        list.forEach((e, i) => {
          const label = `${kind} ${e.unique_id || e.headline || i}`;
          checkDate(`${label} start_date`, e.start_date);
          checkDate(`${label} end_date`, e.end_date);
          if (e.end_date && e.start_date && e.end_date.getTime() < e.start_date.getTime()) {
            dateProblems.push(`${label}: end_date before start_date`);
          }
        });
      }
      return {
        dateProblems,
        loaded: !!window.__tl?.loaded,
        message: document.querySelector('.tl-message-full')?.textContent?.trim() || '',
        valid: cfg ? cfg.isValid() : false,
        errors: (cfg?.messages?.errors || []).map((e) => String(e.message_key || e.message || e)),
        warnings: (cfg?.messages?.warnings || []).map(String),
        titleId: cfg?.title?.unique_id ?? null,
        firstId: cfg?.events?.[0]?.unique_id ?? null,
        configEvents: cfg?.events?.length ?? -1,
        configEras: cfg?.eras?.length ?? -1,
        markers: document.querySelectorAll('.tl-timenav .tl-timemarker').length,
        titleSlides: slides.length - eventSlides.length,
        eventSlides: eventSlides.map((s) => ({ id: s.id, headline: text(s, '.tl-headline'), date: text(s, '.tl-headline-date') })),
        wantTitle: exp.title === null ? null : htmlToText(exp.title),
        wantHeadlines: exp.events.map(htmlToText),
      };
    }, exp);

    if (!state.loaded) {
      await shot('failed');
      if (state.message) problems.push(`TimelineJS says: ${state.message}`);
    } else {
      if (!state.valid || state.errors.length) problems.push(`TimelineJS config errors: ${state.errors.join('; ')}`);
      if (state.warnings.length) problems.push(`TimelineJS config warnings: ${state.warnings.join('; ')}`);
      problems.push(...state.dateProblems);

      // Every input event must become a slide and a marker: TimelineJS silently skips
      // an event without a start date (TimelineConfig.addEvent), so count them.
      const want = exp.events.length;
      if (state.configEvents !== want) problems.push(`TimelineJS kept ${state.configEvents} of ${want} events`);
      if (state.eventSlides.length !== want) problems.push(`${state.eventSlides.length} event slides, want ${want}`);
      if (state.markers !== want) problems.push(`${state.markers} time-navigator markers, want ${want}`);
      if (state.configEras !== exp.eras) problems.push(`${state.configEras} eras, want ${exp.eras}`);
      // Every headline arrives intact (no double escaping, nothing sanitized away)...
      const got = state.eventSlides.map((s) => s.headline).sort();
      const wantH = [...state.wantHeadlines].sort();
      if (JSON.stringify(got) !== JSON.stringify(wantH)) {
        problems.push(`event headlines differ:\n    got:  ${JSON.stringify(got)}\n    want: ${JSON.stringify(wantH)}`);
      }
      // ...and every event shows a date, partial dates included.
      for (const s of state.eventSlides) {
        if (!s.date || /NaN|undefined|Invalid/i.test(s.date)) problems.push(`slide ${s.id}: bad date text ${JSON.stringify(s.date)}`);
      }

      // Title slide: shown first (start_at_slide 0).
      if (state.titleSlides !== 1 || !state.titleId) {
        problems.push(`${state.titleSlides} title slides, want 1`);
      } else {
        await waitForSlide(page, state.titleId);
        const t = await slideText(page, state.titleId);
        if (!t.headline) problems.push('title slide has no headline');
        else if (state.wantTitle !== null && t.headline !== state.wantTitle) {
          problems.push(`title headline ${JSON.stringify(t.headline)}, want ${JSON.stringify(state.wantTitle)}`);
        }
        console.log(`  [${name}] title slide: ${JSON.stringify(t.headline)}`);
        await shot('1-title');
      }

      // First event slide: slide index 1 when there is a title (see API.md).
      if (state.firstId) {
        await page.evaluate(() => window.timeline.goTo(1));
        await waitForSlide(page, state.firstId);
        const e = await slideText(page, state.firstId);
        if (!e.headline.includes(FIRST_HEADLINE)) problems.push(`first event headline ${JSON.stringify(e.headline)} lacks ${JSON.stringify(FIRST_HEADLINE)}`);
        if (!e.date.includes(FIRST_DATE)) problems.push(`first event date ${JSON.stringify(e.date)} lacks ${JSON.stringify(FIRST_DATE)}`);
        console.log(`  [${name}] first event slide: ${JSON.stringify(e.headline)}, ${JSON.stringify(e.date)}`);
        await shot('2-first-event');
      }
      console.log(`  [${name}] ${state.eventSlides.length} event slides, ${state.markers} markers, ${state.configEras} eras; dates: `
        + state.eventSlides.map((s) => s.date).join(' | '));
    }
  } catch (err) {
    problems.push(`harness error: ${err.message}`);
    await shot('failed').catch(() => {});
  } finally {
    await context.close();
  }
  return { name, problems, shots, events: exp.events.length };
}

// ---------------------------------------------------------------- main

const sources = [
  { name: 'json', file: path.join(WORK, 'tl.json'), expect: expectationsFromJSON },
  { name: 'csv', file: path.join(WORK, 'tl.csv'), expect: expectationsFromCSV },
];

fs.mkdirSync(SHOTS, { recursive: true });
for (const f of fs.readdirSync(SHOTS)) if (f.endsWith('.png')) fs.rmSync(path.join(SHOTS, f));

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  // No sandbox: we run as root in a container. The rest keeps Chromium from
  // talking to Google's services (no network here, and it would be noise).
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
});
const results = [];
try {
  for (const s of sources) {
    let exp;
    try {
      exp = s.expect(s.file);
    } catch (err) {
      results.push({ name: s.name, problems: [`cannot read ${s.file}: ${err.message}`], shots: [], events: 0 });
      continue;
    }
    console.log(`${s.name}: ${s.file}`);
    results.push(await checkSource(browser, s.name, s.file, exp));
  }
} finally {
  await browser.close();
}

let failed = false;
for (const r of results) {
  for (const p of r.problems) console.log(`  [${r.name}] FAIL ${p}`);
  for (const p of r.shots) console.log(`  [${r.name}] screenshot ${p}`);
  failed ||= r.problems.length > 0;
}
const summary = results.map((r) => `${r.name} ${r.problems.length ? `FAIL (${r.problems.length} problems)` : `ok (${r.events} events)`}`).join(', ');
fs.writeFileSync(path.join(WORK, 'summary.txt'), `${summary}\n`);
process.exit(failed ? 1 : 0);
