import { AxeBuilder } from '@axe-core/playwright';
import { expect, type Locator, type Page } from '@playwright/test';

/** axe-core over the page as it is now: no violation of any impact. */
export async function expectAccessible(page: Page, label = page.url()) {
	const r = await new AxeBuilder({ page }).analyze();
	const found = r.violations.map((v) => `${v.id} (${v.impact}) ×${v.nodes.length}: ${v.nodes.slice(0, 6).map((n) => n.target.join(' ')).join(' | ')}`);
	expect.soft(found, `axe: ${label}`).toEqual([]);
}

/**
 * The page does not scroll sideways: nothing is wider than the screen. A phone browser widens its
 * layout viewport to fit a too-wide page (then innerWidth grows too), so the page is measured
 * against the width of the screen the context was made with.
 */
export async function expectNoSideScroll(page: Page, label = page.url()) {
	const screen = page.viewportSize()!.width;
	const w = await page.evaluate((screen) => {
		const wide = [...document.querySelectorAll('body *')]
			.map((el) => ({ el, r: el.getBoundingClientRect() }))
			.filter(({ el, r }) => {
				if (r.right <= screen + 1 || r.width === 0) return false;
				// Content of a box that scrolls (or clips) on its own does not widen the page — unless it
				// is positioned absolutely against something outside that box (an sr-only text).
				const pos = getComputedStyle(el).position;
				if (pos !== 'absolute' && pos !== 'fixed')
					for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) if (getComputedStyle(p).overflowX !== 'visible') return false;
				return true;
			})
			.slice(0, 6)
			.map(({ el, r }) => `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''} (${Math.round(r.right)} px)`);
		return { scroll: document.documentElement.scrollWidth, body: document.body.scrollWidth, inner: window.innerWidth, wide };
	}, screen);
	expect.soft(Math.max(w.scroll, w.body, w.inner), `ширина страницы ${label} на экране ${screen} px; шире экрана: ${w.wide.join(', ') || '—'}`).toBeLessThanOrEqual(screen);
}

/** The control takes the tap: at its centre (scrolled into view) the topmost element is it or inside it. */
export async function expectTakesTap(control: Locator, label: string) {
	await expect(control, label).toBeVisible();
	const hit = await control.evaluate((el) => {
		el.scrollIntoView({ block: 'center', inline: 'center' });
		const r = el.getBoundingClientRect();
		const x = r.left + r.width / 2;
		const y = r.top + r.height / 2;
		const top = document.elementFromPoint(x, y);
		const inView = x >= 0 && y >= 0 && x <= window.innerWidth && y <= window.innerHeight;
		return { ok: inView && !!top && (top === el || el.contains(top)), top: top ? `${top.tagName.toLowerCase()}.${[...top.classList].join('.')}` : 'ничего', inView };
	});
	expect.soft(hit.ok, `${label}: в центре кнопки — ${hit.top}${hit.inView ? '' : ' (вне экрана)'}`).toBe(true);
}

export const PHONES = [
	{ width: 360, height: 740 },
	{ width: 390, height: 844 }
] as const;
