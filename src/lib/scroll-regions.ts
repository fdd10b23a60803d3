/**
 * A box that scrolls on its own (a wide table on a phone, a long letter) must be reachable from
 * the keyboard, or its hidden part cannot be read without a mouse (axe: scrollable-region-
 * focusable). The root layout calls this once: every `.table-wrap`, `.scroll` and `.letter` that
 * actually overflows gets tabindex="0" (and loses it when it stops overflowing), also after
 * navigation and when the page changes.
 */
const SELECTOR = '.table-wrap, .scroll, .letter';

function mark(root: ParentNode) {
	for (const el of root.querySelectorAll<HTMLElement>(SELECTOR)) {
		const overflows = el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
		if (overflows && !el.hasAttribute('tabindex')) {
			el.tabIndex = 0;
			el.dataset.scrollRegion = '1';
		} else if (!overflows && el.dataset.scrollRegion) {
			el.removeAttribute('tabindex');
			delete el.dataset.scrollRegion;
		}
	}
}

export function watchScrollRegions(root: HTMLElement = document.body): () => void {
	let frame = 0;
	const schedule = () => {
		if (!frame) frame = requestAnimationFrame(() => ((frame = 0), mark(root)));
	};
	mark(root);
	const mo = new MutationObserver(schedule);
	mo.observe(root, { childList: true, subtree: true });
	window.addEventListener('resize', schedule);
	return () => {
		mo.disconnect();
		window.removeEventListener('resize', schedule);
		cancelAnimationFrame(frame);
	};
}
