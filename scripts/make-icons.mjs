// Renders the app's install icons (PNG, which every platform's installer takes) from
// public/favicon.svg with Chromium, so the icons never drift from the favicon:
//
//   node scripts/make-icons.mjs      (writes public/icon-*.png and apple-touch-icon.png)
//
// Chromium is Debian's (CHROMIUM_PATH overrides), driven by playwright-core as in the
// browser tests. The PNGs are committed: a build needs no browser.

import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const svg = readFileSync('public/favicon.svg', 'utf8');
/** The page's background colour (--bg in src/styles.css), behind icons that must be opaque. */
const BACKGROUND = '#f7f7f5';

// `inset` is the share of each side left empty. A maskable icon is cut to a shape
// (circle, squircle...) that keeps only the central 80%, so its glyph stays inside that.
const icons = [
  { file: 'icon-192.png', size: 192, inset: 0, background: 'transparent' },
  { file: 'icon-512.png', size: 512, inset: 0, background: 'transparent' },
  { file: 'icon-maskable-512.png', size: 512, inset: 0.2, background: BACKGROUND },
  // iOS ignores the manifest's icons and fills transparency with black.
  { file: 'apple-touch-icon.png', size: 180, inset: 0.12, background: BACKGROUND },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
try {
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  for (const { file, size, inset, background } of icons) {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(
      `<body style="margin:0;background:${background}">` +
        `<div style="box-sizing:border-box;width:${size}px;height:${size}px;padding:${size * inset}px">` +
        svg.replace('<svg ', '<svg width="100%" height="100%" ') +
        '</div></body>',
    );
    const png = await page.screenshot({ omitBackground: background === 'transparent' });
    writeFileSync(`public/${file}`, png);
    console.log(`public/${file}: ${size}×${size}`);
  }
} finally {
  await browser.close();
}
