// @ts-check
/**
 * The only script of the library's list page (/library). The page itself is server-rendered HTML
 * without the SvelteKit client (`csr = false` in its +page.server.ts), so every result goes over
 * the wire once — no hydration data repeating the list. Without this script everything still works:
 * the search box is a GET form, filters and pages are links.
 *
 * With it: search as you type (the URL follows the box, the focus stays in it), filters, pages,
 * sort and back/forward fetch the next page's HTML (the same cached, compressed page a link would
 * load) and swap the parts marked `data-live`, keeping the scroll and the focus; on a phone the
 * filters fold away on arrival and after each choice; the header's menu button works.
 * Any failure falls back to an ordinary page load.
 */
(() => {
	const phone = window.matchMedia('(max-width: 820px)');
	// On a phone the filters' list stays hidden (CSS) until they are folded here — so folding them
	// on arrival moves nothing on the screen (no layout shift); `data-ready` lets the list show
	// when the visitor opens them.
	const fold = () => {
		const filters = document.querySelector('details.filters');
		if (phone.matches) filters?.removeAttribute('open');
		filters?.setAttribute('data-ready', '');
	};
	fold();
	const foundForm = document.querySelector('form[role="search"]');
	const foundBox = document.getElementById('q');
	if (!(foundForm instanceof HTMLFormElement) || !(foundBox instanceof HTMLInputElement)) return;
	const form = foundForm;
	const box = foundBox;

	// The layout's menu button (its own handler comes with the SvelteKit client, absent here).
	const toggle = document.querySelector('.menu-toggle');
	const siteNav = document.getElementById('site-nav');
	toggle?.addEventListener('click', () => {
		const open = toggle.getAttribute('aria-expanded') !== 'true';
		toggle.setAttribute('aria-expanded', String(open));
		siteNav?.classList.toggle('open', open);
	});

	/** The URL the form describes (the first page, defaults left out, as the server writes it). */
	function formUrl() {
		const sp = new URLSearchParams();
		for (const [k, v] of new FormData(form)) {
			if (typeof v !== 'string') continue;
			if (k === 'q' && !v.trim()) continue;
			if (k === 'sort') {
				// The order the visitor asked for, not the one shown for it («по релевантности» without
				// a query shows «сначала новые»): typing a query after that ranks by relevance again.
				const sel = form.elements.namedItem('sort');
				const asked = sel instanceof HTMLSelectElement && v === sel.dataset.shown ? (sel.dataset.asked ?? v) : v;
				if (asked !== 'relevance') sp.append(k, asked);
				continue;
			}
			sp.append(k, v);
		}
		const s = sp.toString();
		return `/library${s ? `?${s}` : ''}`;
	}

	/** @type {AbortController | undefined} */
	let inflight;
	/**
	 * Loads `url` and swaps the live parts of the page.
	 * @param {string} url
	 * @param {{ history: 'push' | 'replace' | 'none', fromBox?: boolean, focusKey?: string | null, scroll?: boolean }} how
	 */
	async function go(url, how) {
		inflight?.abort();
		const ctl = (inflight = new AbortController());
		let doc;
		try {
			const res = await fetch(url, { headers: { accept: 'text/html' }, signal: ctl.signal });
			if (!res.ok || !/text\/html/.test(res.headers.get('content-type') ?? '')) throw new Error(String(res.status));
			doc = new DOMParser().parseFromString(await res.text(), 'text/html');
		} catch (e) {
			if (ctl.signal.aborted) return;
			location.assign(url);
			return;
		}
		if (ctl.signal.aborted) return;
		for (const el of doc.querySelectorAll('[data-live]')) {
			const cur = document.querySelector(`[data-live="${el.getAttribute('data-live')}"]`);
			if (cur) cur.replaceWith(document.importNode(el, true));
		}
		document.title = doc.title;
		for (const sel of ['link[rel="canonical"]', 'meta[property="og:url"]', 'meta[property="og:title"]']) {
			const a = document.head.querySelector(sel);
			const b = doc.head.querySelector(sel);
			if (a && b) a.replaceWith(document.importNode(b, true));
		}
		if (how.history === 'push') history.pushState({ library: true }, '', url);
		else if (how.history === 'replace') history.replaceState({ library: true }, '', url);
		const q = new URL(url, location.href).searchParams.get('q') ?? '';
		if (!how.fromBox && box && box.value !== q) box.value = q;
		fold();
		if (how.fromBox) return;
		const found = document.getElementById('found');
		const target = how.focusKey ? /** @type {HTMLElement | null} */ (document.querySelector(`[data-key="${CSS.escape(how.focusKey)}"]`)) : null;
		if (target && target.offsetParent !== null) target.focus({ preventScroll: !how.scroll });
		else if (found) {
			found.setAttribute('tabindex', '-1');
			found.focus({ preventScroll: true });
		}
		if (how.scroll || phone.matches) found?.scrollIntoView({ block: how.scroll ? 'start' : 'nearest' });
	}

	// Search as you type.
	/** @type {ReturnType<typeof setTimeout> | undefined} */
	let timer;
	box.addEventListener('input', () => {
		clearTimeout(timer);
		timer = setTimeout(() => {
			const url = formUrl();
			if (url === location.pathname + location.search) return;
			go(url, { history: 'replace', fromBox: true });
		}, 350);
	});
	form.addEventListener('submit', (e) => {
		e.preventDefault();
		clearTimeout(timer);
		go(formUrl(), { history: 'push', focusKey: null });
	});
	form.addEventListener('change', (e) => {
		if (e.target instanceof HTMLSelectElement) form.requestSubmit();
	});

	// Filters, chips and pages.
	document.addEventListener('click', (e) => {
		if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
		const a = e.target instanceof Element ? e.target.closest('a[href]') : null;
		if (!(a instanceof HTMLAnchorElement) || !a.closest('[data-live]') || a.hasAttribute('download') || a.target) return;
		const u = new URL(a.href);
		if (u.origin !== location.origin || u.pathname !== '/library') return;
		e.preventDefault();
		clearTimeout(timer);
		go(u.pathname + u.search, { history: 'push', focusKey: a.getAttribute('data-key'), scroll: a.hasAttribute('data-scroll') });
	});
	window.addEventListener('popstate', () => {
		if (location.pathname === '/library') go(location.pathname + location.search, { history: 'none' });
	});
})();
